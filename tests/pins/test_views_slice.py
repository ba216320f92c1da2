from django.core.files.uploadedfile import SimpleUploadedFile

from media_pipeline.models import MediaRecord
from pins.models import Pin
from tests.images import jpeg_bytes


def test_uploaded_pin_appears_on_home_board_and_detail(
    client, user, board, django_capture_on_commit_callbacks
):
    client.force_login(user)
    upload = SimpleUploadedFile("holiday.jpg", jpeg_bytes(800, 1200), "image/jpeg")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/pin-builder/", {"image": upload, "board": board.pk, "title": "Lighthouse at dusk"}
        )
    assert response.status_code == 302
    assert response["Location"] == board.get_absolute_url()
    pin = Pin.objects.get()
    assert pin.media.status == MediaRecord.Status.READY
    grid_url = pin.media.grid_rendition.url
    for page in ["/", board.get_absolute_url(), f"/pin/{pin.pk}/"]:
        html = client.get(page).content.decode()
        assert "Lighthouse at dusk" in html
    assert grid_url in client.get("/").content.decode()
