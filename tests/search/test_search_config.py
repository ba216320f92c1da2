"""SEARCH_CONFIG is written into SQL as a name, so anything but a plain identifier stops startup."""

import pytest

from tests.catalog.test_startup import run_manage


@pytest.mark.parametrize("value", ["english;drop table pins_pin", "pg_catalog.english", "'x'"])
def test_a_search_config_that_is_not_a_plain_name_stops_startup(value):
    result = run_manage("check", SEARCH_CONFIG=value)

    assert result.returncode != 0
    assert f"SEARCH_CONFIG={value!r}: expected a configuration name" in result.stderr


def test_a_plain_search_config_name_starts():
    assert run_manage("check", SEARCH_CONFIG="Simple").returncode == 0
