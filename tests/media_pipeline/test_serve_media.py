import pytest
from PIL import features

from media_pipeline.services import media_create, media_make_avif, media_process
from tests.factories import MediaFactory
from tests.images import png_bytes

pytestmark = pytest.mark.django_db


def test_renditions_are_served_immutable_and_sandboxed(client, user):
    rendition = MediaFactory(owner=user).grid_rendition
    response = client.get(rendition.url)
    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    assert response["Cache-Control"] == "public, max-age=31536000, immutable"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Security-Policy"] == "default-src 'none'; sandbox"
    assert b"".join(response.streaming_content)[:2] == b"\xff\xd8"


def test_every_rendition_format_is_served_with_its_type_nosniff_and_no_active_content(
    client, user, settings
):
    # A transparent upload gets PNG and WebP renditions; AVIF comes from its own task.
    media = media_create(owner=user, upload=png_bytes(300, 200, mode="RGBA", color=(9, 9, 9, 0)))
    media_process(media_id=media.pk)
    if features.check("avif"):
        settings.MEDIA_AVIF = True
        media_make_avif(media_id=media.pk)
    types = {"PNG": "image/png", "WEBP": "image/webp", "AVIF": "image/avif"}
    renditions = list(media.renditions.all())
    assert {r.format for r in renditions} >= {"PNG", "WEBP"}
    for rendition in renditions:
        response = client.get(rendition.file.url)
        assert response.status_code == 200
        assert response["Content-Type"] == types[rendition.format]
        assert response["X-Content-Type-Options"] == "nosniff"
        assert response["Content-Security-Policy"] == "default-src 'none'; sandbox"


@pytest.mark.parametrize(
    "path", ["/media/236x/nothing.jpg", "/media/../originals/x.jpg", "/media/%2e%2e/secret_key"]
)
def test_missing_or_escaping_paths_are_404(client, path):
    assert client.get(path).status_code == 404


def test_originals_are_never_reachable_by_url(client, user, media_storage):
    media = MediaFactory(owner=user)
    name = media.original.name
    guesses = [
        f"/media/{name}",
        f"/media/originals/{name}",
        f"/media/../originals/{name}",
        f"/media/%2e%2e/originals/{name}",
        f"/media/..%2foriginals/{name}",
        f"/media/{media_storage / 'originals' / name}",  # an absolute path
        f"/originals/{name}",
        f"/static/../originals/{name}",
    ]
    assert (media_storage / "originals" / name).is_file()
    assert {guess: client.get(guess).status_code for guess in guesses} == dict.fromkeys(
        guesses, 404
    )


def test_head_requests_get_the_headers_without_the_body(client, user):
    rendition = MediaFactory(owner=user).grid_rendition
    response = client.head(rendition.url)
    assert response.status_code == 200
    assert response["Cache-Control"] == "public, max-age=31536000, immutable"
