import pytest

from tests.factories import MediaFactory

pytestmark = pytest.mark.django_db


def test_renditions_are_served_immutable_and_sandboxed(client, user):
    rendition = MediaFactory(owner=user).grid_rendition
    response = client.get(rendition.url)
    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    assert response["Cache-Control"] == "public, max-age=31536000, immutable"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in response["Content-Security-Policy"]
    assert b"".join(response.streaming_content)[:2] == b"\xff\xd8"


@pytest.mark.parametrize(
    "path", ["/media/236x/nothing.jpg", "/media/../originals/x.jpg", "/media/%2e%2e/secret_key"]
)
def test_missing_or_escaping_paths_are_404(client, path):
    assert client.get(path).status_code == 404


def test_originals_are_never_reachable_by_url(client, user, media_storage):
    media = MediaFactory(owner=user)
    assert client.get(f"/media/{media.original.name}").status_code == 404
    assert client.get(f"/media/../originals/{media.original.name}").status_code == 404


def test_head_requests_get_the_headers_without_the_body(client, user):
    rendition = MediaFactory(owner=user).grid_rendition
    response = client.head(rendition.url)
    assert response.status_code == 200
    assert response["Cache-Control"] == "public, max-age=31536000, immutable"
