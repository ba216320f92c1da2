"""Production settings pass Django's deployment checks, and HTTPS is enforced only when the site
says it is served over HTTPS (SECURE_COOKIES), without breaking the compose health check."""

import json
import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
YEAR = 365 * 24 * 3600

# Requests made in a fresh process configured like production, so the settings module reads the
# environment itself: (name, path, Host header, X-Forwarded-Proto or None).
PROBE = """
import json, sys
import django
django.setup()
from django.test import Client

client = Client()
answers = {}
for name, path, host, proto in json.loads(sys.argv[1]):
    headers = {"host": host} | ({"x-forwarded-proto": proto} if proto else {})
    response = client.get(path, headers=headers)
    answers[name] = {
        "status": response.status_code,
        "location": response.get("Location"),
        "hsts": response.get("Strict-Transport-Security"),
    }
print(json.dumps(answers))
"""


def production_environment(tmp_path: Path, **overrides: str) -> dict[str, str]:
    inherited = {
        name: value
        for name, value in os.environ.items()
        if name not in {"DATABASE_URL", "REDIS_URL"} and not name.startswith(("SECURE_", "DJANGO_"))
    }
    return {
        **inherited,
        "DEBUG": "false",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "catalog.example.org,127.0.0.1",
        "SECURE_COOKIES": "true",
        "VAR_DIR": str(tmp_path),
        "STATIC_ROOT": str(tmp_path / "static"),
        **overrides,
    }


def probe(environment: dict[str, str], requests: list[tuple]) -> dict[str, dict]:
    result = subprocess.run(
        [sys.executable, "-c", PROBE, json.dumps(requests)],
        cwd=ROOT,
        env={**environment, "DJANGO_SETTINGS_MODULE": "catalog.settings"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def compose_healthcheck() -> tuple[str, str]:
    """(Host header, path) of the URL the web container's health check asks for."""
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    script = compose["services"]["web"]["healthcheck"]["test"][-1]
    host, path = re.search(r"http://([^/'\"]+)(/[^'\"\s]*)", script).groups()
    return host, path


def test_the_deploy_check_passes_with_production_settings_behind_tls(tmp_path):
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=production_environment(tmp_path),
        capture_output=True,
        text=True,
        timeout=60,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "System check identified no issues" in output, output
    assert "WARNING" not in output


def test_the_deploy_check_still_warns_when_https_is_not_promised(tmp_path):
    # The check is able to fail: a plain HTTP deployment is told what it is missing.
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=production_environment(tmp_path, SECURE_COOKIES="false"),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0
    for check in ("security.W004", "security.W008", "security.W012", "security.W016"):
        assert check in result.stderr


def test_behind_tls_plain_http_is_redirected_and_https_answers_carry_hsts(tmp_path):
    answers = probe(
        production_environment(tmp_path),
        [
            ("plain", "/api/v5/boards?bookmark=x", "catalog.example.org", None),
            ("https", "/healthz", "catalog.example.org", "https"),
        ],
    )
    assert answers["plain"]["status"] == 301
    assert answers["plain"]["location"] == "https://catalog.example.org/api/v5/boards?bookmark=x"
    assert answers["plain"]["hsts"] is None  # only sent over HTTPS, as the standard requires
    assert answers["https"]["status"] == 200
    assert answers["https"]["hsts"] == f"max-age={YEAR}; includeSubDomains"


def test_the_compose_health_check_over_plain_http_is_not_redirected(tmp_path):
    host, path = compose_healthcheck()
    answers = probe(production_environment(tmp_path), [("healthcheck", path, host, None)])
    assert answers["healthcheck"] == {"status": 200, "location": None, "hsts": None}


def test_hsts_lifetime_subdomains_and_preload_are_configurable(tmp_path):
    environment = production_environment(
        tmp_path,
        SECURE_HSTS_SECONDS="3600",
        SECURE_HSTS_INCLUDE_SUBDOMAINS="false",
        SECURE_HSTS_PRELOAD="true",
    )
    answers = probe(environment, [("https", "/healthz", "catalog.example.org", "https")])
    assert answers["https"]["hsts"] == "max-age=3600; preload"


@pytest.mark.parametrize("debug", ["true", "false"])
def test_without_secure_cookies_plain_http_is_served_as_before(tmp_path, debug):
    environment = production_environment(tmp_path, SECURE_COOKIES="", DEBUG=debug)
    answers = probe(
        environment,
        [
            ("plain", "/api/v5/nothing-here", "catalog.example.org", None),
            # Without the promise, a forwarded scheme is not trusted and no HSTS is sent.
            ("forwarded", "/healthz", "catalog.example.org", "https"),
        ],
    )
    assert answers["plain"] == {"status": 404, "location": None, "hsts": None}
    assert answers["forwarded"] == {"status": 200, "location": None, "hsts": None}
