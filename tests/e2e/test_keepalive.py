"""gunicorn closes a keep-alive connection after `keepalive_requests` (gunicorn.conf.py), so
connections made at the same moment do not stay piled on one process."""

import http.client
import runpy
from urllib.parse import urlsplit

import pytest
from django.conf import settings

pytestmark = pytest.mark.worker


def test_a_connection_serves_its_share_of_requests_then_is_closed(site):
    share = runpy.run_path(str(settings.BASE_DIR / "gunicorn.conf.py"))["keepalive_requests"]
    address = urlsplit(site.base_url)
    connection = http.client.HTTPConnection(address.hostname, address.port, timeout=10)
    try:
        announced = []
        for _ in range(share):
            connection.request("GET", "/healthz")
            response = connection.getresponse()
            response.read()
            assert response.status == 200
            announced.append(response.getheader("Connection"))
        assert announced == ["keep-alive"] * (share - 1) + ["close"]
        # The client connects again and is served as before.
        connection.request("GET", "/healthz")
        response = connection.getresponse()
        assert (response.status, response.getheader("Connection")) == (200, "keep-alive")
    finally:
        connection.close()
