import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def requirement_names(requirements: list[str]) -> set[str]:
    return {canonical(re.split(r"[<>=!\[ ;]", line, maxsplit=1)[0]) for line in requirements}


def pinned_in(lock_file: str) -> set[str]:
    lines = (ROOT / lock_file).read_text().splitlines()
    return {canonical(line.split("==")[0]) for line in lines if "==" in line}


def test_every_runtime_dependency_is_pinned_in_the_runtime_lock():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert requirement_names(project["dependencies"]) - pinned_in("requirements.lock") == set()


def test_every_development_tool_is_pinned_in_the_development_lock():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    dev = requirement_names(project["optional-dependencies"]["dev"])
    # A tool the runtime also needs (PyYAML, for the schema) is pinned once, in the runtime lock.
    assert dev - pinned_in("requirements-dev.lock") - pinned_in("requirements.lock") == set()
    assert "-r requirements.lock" in (ROOT / "requirements-dev.lock").read_text().splitlines()


def test_the_two_locks_do_not_pin_a_package_twice():
    assert pinned_in("requirements.lock") & pinned_in("requirements-dev.lock") == set()
