import pytest

pytestmark = pytest.mark.worker


def test_healthz_answers_ok_through_gunicorn(http):
    response = http.get("/healthz")
    assert response.status == 200
    assert response.headers.get_content_type() == "application/json"
    assert response.json() == {"status": "ok"}
