"""Typed readers for settings that come from the environment.

Each helper rejects a bad value with one line naming the variable, so a typo stops the process at
start instead of surfacing as a strange failure later. Every name read is recorded in `NAMES_READ`,
which lets the test suite check that `.env.example` documents all of them.
"""

import os
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from django.core.exceptions import ImproperlyConfigured

T = TypeVar("T")

NAMES_READ: set[str] = set()

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}


class ConfigError(ImproperlyConfigured):
    """A setting from the environment is missing or malformed."""


def _raw(name: str) -> str | None:
    NAMES_READ.add(name)
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return None
    return value.strip()


def env_str(name: str, default: str = "") -> str:
    raw = _raw(name)
    return default if raw is None else raw


def env_bool(name: str, default: bool) -> bool:
    raw = _raw(name)
    if raw is None:
        return default
    lowered = raw.lower()
    if lowered not in _TRUE | _FALSE:
        raise ConfigError(f"{name}={raw!r}: use true or false")
    return lowered in _TRUE


def env_int(
    name: str, default: int, *, minimum: int | None = None, maximum: int | None = None
) -> int:
    raw = _raw(name)
    if raw is None:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ConfigError(f"{name}={raw!r}: expected a whole number") from None
    if (minimum is not None and value < minimum) or (maximum is not None and value > maximum):
        raise ConfigError(f"{name}={value}: expected a number from {minimum} to {maximum}")
    return value


def env_list(name: str, default: list[str]) -> list[str]:
    raw = _raw(name)
    if raw is None:
        return list(default)
    return [item.strip() for item in raw.split(",") if item.strip()]


def env_path(name: str, default: Path) -> Path:
    raw = _raw(name)
    return default if raw is None else Path(raw).expanduser().resolve()


def env_parsed(name: str, parse: Callable[[str], T], default: T, *, expected: str) -> T:
    """Read a value through `parse`; any error from the parser becomes one line naming `name`."""
    raw = _raw(name)
    if raw is None:
        return default
    try:
        return parse(raw)
    except (ValueError, TypeError, KeyError) as exc:
        detail = f" ({exc})" if str(exc) else ""
        raise ConfigError(f"{name}={raw!r}: expected {expected}{detail}") from None
