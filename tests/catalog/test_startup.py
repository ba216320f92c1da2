"""Starting with a bad setting stops at once with one line that names the variable."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def run_manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    base = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL"}}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**base, **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.mark.parametrize(
    ("variable", "value", "message"),
    [
        ("DATABASE_URL", "nonsense", "DATABASE_URL='nonsense': expected postgres://"),
        ("DATABASE_URL", "mysql://u@h/db", "DATABASE_URL='mysql://u@h/db': expected postgres://"),
        ("DEBUG", "maybe", "DEBUG='maybe': use true or false"),
        ("PORT", "80800", "PORT=80800: expected a number from 1 to 65535"),
        ("REDIS_URL", "localhost:6379", "REDIS_URL='localhost:6379': expected redis://"),
        ("MEDIA_MAX_PIXELS", "lots", "MEDIA_MAX_PIXELS='lots': expected a whole number"),
    ],
)
def test_a_malformed_variable_stops_startup_with_one_line(variable, value, message):
    result = run_manage("check", **{variable: value})
    assert result.returncode != 0
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert message in lines[0]


def test_secret_key_is_required_when_debug_is_off():
    result = run_manage("check", DEBUG="false", SECRET_KEY="")
    assert result.returncode != 0
    assert result.stderr.strip() == (
        "catalog: configuration error: SECRET_KEY is required when DEBUG is off"
    )


def test_preflight_names_an_unreachable_database_in_one_line():
    result = run_manage("preflight", DATABASE_URL="postgres://postgres@127.0.0.1:9/catalog")
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("CommandError: cannot reach the database (DATABASE_URL)")


def test_preflight_names_an_unreachable_broker_in_one_line(tmp_path):
    result = run_manage("preflight", VAR_DIR=str(tmp_path), REDIS_URL="redis://127.0.0.1:9/0")
    assert result.returncode == 1
    assert result.stderr.strip().startswith("CommandError: cannot reach Redis (REDIS_URL)")


def test_env_example_documents_every_variable_the_settings_read():
    # A fresh interpreter, so only the names the settings module reads are counted.
    script = "import django; django.setup(); from catalog.env import NAMES_READ; print(*NAMES_READ)"
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "catalog.settings"},
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    names_read = set(result.stdout.split())
    example = (ROOT / ".env.example").read_text()
    documented = set(re.findall(r"^([A-Z][A-Z0-9_]*)=", example, flags=re.MULTILINE))
    assert {"DATABASE_URL", "REDIS_URL", "SECRET_KEY", "DEBUG", "PORT"} <= names_read
    assert names_read - documented == set()
