"""docker-compose.yml, Dockerfile and .dockerignore, checked without a Docker engine."""

import importlib
import json
import re
import runpy
import shlex
from functools import cache
from pathlib import Path, PurePosixPath
from urllib.parse import ParseResult, urlparse

import pytest
import yaml
from celery.app.utils import find_app
from django.conf import settings
from django.urls import resolve

import catalog.env
from catalog.env import env_bool
from catalog.views import healthz

ROOT = Path(__file__).resolve().parents[2]
APP_SERVICES = ("web", "worker", "beat")
APPLICATION = "catalog.wsgi:application"
# Read by the postgres image to create its first role and database; catalog itself never reads them.
POSTGRES_IMAGE_VARIABLES = {"POSTGRES_USER", "POSTGRES_PASSWORD", "POSTGRES_DB"}
# `${NAME}`, `${NAME:-default}`, `${NAME:?error}` are filled in by compose; `$${...}` is left alone.
COMPOSE_VARIABLE = re.compile(r"(?<!\$)\$\{[^}]*\}")


@cache
def compose() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def service(name: str) -> dict:
    return compose()["services"][name]


def environment(name: str) -> dict[str, str]:
    entries = service(name).get("environment", {})
    if isinstance(entries, list):
        entries = dict(entry.split("=", 1) for entry in entries)
    return {key: "" if value is None else str(value) for key, value in entries.items()}


def substituted(text: str) -> str:
    """The value compose hands the container, with a sample value for each host variable."""
    return COMPOSE_VARIABLE.sub("sample", text).replace("$$", "$")


def words(command: str | list[str]) -> list[str]:
    """Shell words of a command, including those of the script given to `sh -c`."""
    parts = shlex.split(command) if isinstance(command, str) else command
    return [word for part in parts for word in shlex.split(part)]


def command_words(name: str) -> list[str]:
    return [word.replace("$$", "$") for word in words(service(name)["command"])]


def celery_app_name(command: list[str]) -> str | None:
    for index, word in enumerate(command):
        if word in {"-A", "--app"}:
            return command[index + 1]
        if word.startswith("--app="):
            return word.removeprefix("--app=")
    return None


def mounts(name: str) -> list[tuple[str, str]]:
    """(source, target) of each volume of a service, in short or long syntax."""
    result = []
    for volume in service(name).get("volumes", []):
        if isinstance(volume, dict):
            result.append((volume["source"], volume["target"]))
        else:
            source, target = volume.split(":")[:2]
            result.append((source, target))
    return result


def healthcheck_url() -> ParseResult:
    script = service("web")["healthcheck"]["test"][-1]
    return urlparse(re.search(r"http://[^'\"\s]+", script).group())


@cache
def dockerfile() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) pairs, continuation lines joined, comments dropped."""
    text = re.sub(r"\\\n", " ", (ROOT / "Dockerfile").read_text())
    instructions = []
    for line in text.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            keyword, _, arguments = line.partition(" ")
            instructions.append((keyword.upper(), arguments.strip()))
    return instructions


def dockerfile_last(keyword: str) -> str:
    return [arguments for found, arguments in dockerfile() if found == keyword][-1]


def dockerfile_runs() -> list[list[str]]:
    return [words(arguments) for keyword, arguments in dockerfile() if keyword == "RUN"]


def dockerfile_environment() -> dict[str, str]:
    return dict(
        word.split("=", 1)
        for keyword, arguments in dockerfile()
        if keyword == "ENV"
        for word in shlex.split(arguments)
    )


def test_compose_runs_postgres_redis_web_worker_and_beat():
    assert set(compose()["services"]) == {"postgres", "redis", "web", "worker", "beat"}


def test_web_worker_and_beat_share_one_image_built_from_the_repository_dockerfile():
    for name in APP_SERVICES:
        build = service(name)["build"]
        if isinstance(build, str):
            build = {"context": build}
        context = ROOT / build.get("context", ".")
        assert (context / build.get("dockerfile", "Dockerfile")).resolve() == ROOT / "Dockerfile"
    assert len({service(name).get("image") for name in APP_SERVICES}) == 1


def test_worker_and_beat_run_the_catalog_celery_app():
    for name in ("worker", "beat"):
        command = command_words(name)
        assert command[0] == "celery", name
        assert celery_app_name(command) == "catalog", name
        assert name in command


def test_the_worker_consumes_every_queue_tasks_are_routed_to():
    command = command_words("worker")
    consumed = set(command[command.index("--queues") + 1].split(","))
    app = importlib.import_module("catalog.celery").app
    routed = {route["queue"] for route in app.conf.task_routes.values()}
    assert routed and routed | {app.conf.task_default_queue} <= consumed


def test_the_celery_app_schedules_only_tasks_the_worker_registers():
    app = find_app(celery_app_name(command_words("beat")))
    assert app is importlib.import_module("catalog.celery").app
    app.loader.import_default_modules()
    scheduled = {entry["task"] for entry in app.conf.beat_schedule.values()}
    assert scheduled
    assert scheduled - set(app.tasks) == set()


def test_beat_keeps_its_schedule_in_a_directory_the_image_gives_the_app_user():
    command = command_words("beat")
    schedule = PurePosixPath(command[command.index("--schedule") + 1])
    workdir = PurePosixPath(dockerfile_last("WORKDIR"))
    user = dockerfile_last("USER").split(":")[0]
    owned = set()
    for run in dockerfile_runs():
        for index in (index for index, word in enumerate(run) if word == "chown"):
            owner, path = [word for word in run[index + 1 : index + 4] if word[0] != "-"][:2]
            if owner.split(":")[0] == user:
                owned.add(workdir / path)
    assert schedule.parent in owned


def test_web_migrates_the_database_before_gunicorn_serves_the_wsgi_application():
    command = command_words("web")
    migrate, gunicorn = command.index("migrate"), command.index("gunicorn")
    assert command[migrate - 2 : migrate] == ["python", "manage.py"]
    assert "--noinput" in command[migrate:gunicorn]
    # With `&&`, gunicorn never serves a schema the migrations failed to reach.
    assert "&&" in command[migrate:gunicorn]
    assert APPLICATION in command[gunicorn + 1 :]


def test_the_gunicorn_application_path_imports_as_the_wsgi_application():
    module, attribute = APPLICATION.split(":")
    application = getattr(importlib.import_module(module), attribute)
    assert callable(application)
    assert APPLICATION.replace(":", ".") == settings.WSGI_APPLICATION


def test_web_runs_gunicorn_with_the_same_options_as_the_image_default_command():
    in_compose = command_words("web")
    in_image = words(json.loads(dockerfile_last("CMD")))
    assert "gunicorn" in in_image
    assert in_compose[in_compose.index("gunicorn") :] == in_image[in_image.index("gunicorn") :]


def test_app_services_set_only_variables_that_settings_read():
    assert settings.SECRET_KEY  # settings are loaded, so every name they read is recorded
    known = catalog.env.NAMES_READ | POSTGRES_IMAGE_VARIABLES
    unknown = {
        (name, variable)
        for name in APP_SERVICES
        for variable in environment(name)
        if variable not in known
    }
    assert unknown == set()


def test_postgres_is_configured_only_through_its_image_variables():
    assert set(environment("postgres")) <= POSTGRES_IMAGE_VARIABLES


def test_app_services_reach_the_compose_database_and_broker():
    postgres = environment("postgres")
    for name in APP_SERVICES:
        variables = environment(name)
        database = urlparse(substituted(variables["DATABASE_URL"]))
        assert database.scheme == "postgres", name
        assert (database.hostname, database.port) == ("postgres", 5432), name
        assert database.username == postgres["POSTGRES_USER"], name
        assert database.path == f"/{postgres['POSTGRES_DB']}", name
        assert "${POSTGRES_PASSWORD" in variables["DATABASE_URL"], name
        broker = urlparse(variables["REDIS_URL"])
        assert (broker.scheme, broker.hostname) == ("redis", "redis"), name


def test_debug_is_off_for_web_worker_and_beat(monkeypatch):
    for name in APP_SERVICES:
        monkeypatch.setenv("DEBUG", environment(name)["DEBUG"])
        assert env_bool("DEBUG", True) is False, name


def test_app_services_look_for_static_files_where_the_image_collected_them():
    # Pinned in compose because `.env.example` carries an empty STATIC_ROOT, which would otherwise
    # replace the image's value and point settings at an empty default directory.
    collected = dockerfile_environment()["STATIC_ROOT"]
    for name in APP_SERVICES:
        assert environment(name)["STATIC_ROOT"] == collected, name


def test_postgres_redis_and_web_have_healthchecks():
    probes = {"postgres": "pg_isready", "redis": "redis-cli", "web": "/healthz"}
    for name, probe in probes.items():
        check = service(name)["healthcheck"]["test"]
        assert probe in (check if isinstance(check, str) else " ".join(check)), name


def test_the_web_healthcheck_asks_the_healthz_view_with_python_on_an_allowed_host():
    check = service("web")["healthcheck"]["test"]
    assert check[:3] == ["CMD", "python", "-c"]  # the slim image has no curl
    compile(check[3], "web healthcheck", "exec")
    url = healthcheck_url()
    assert resolve(url.path).func is healthz
    assert url.hostname in substituted(environment("web")["ALLOWED_HOSTS"]).split(",")


def _gunicorn_bind(monkeypatch, port: str) -> str:
    """The address gunicorn.conf.py binds to in a container whose PORT is `port`."""
    monkeypatch.setenv("PORT", port)
    return runpy.run_path(str(settings.BASE_DIR / "gunicorn.conf.py"))["bind"]


def test_web_listens_is_published_and_is_probed_on_one_port(monkeypatch):
    port = environment("web")["PORT"]
    command = command_words("web")
    assert command[command.index("--config") + 1] == "gunicorn.conf.py"
    assert _gunicorn_bind(monkeypatch, port) == f"0.0.0.0:{port}"
    # The port is expanded by the container's shell, so a PORT on the host cannot move it.
    assert not COMPOSE_VARIABLE.search(" ".join(words(service("web")["command"])))
    assert {str(entry).rsplit(":", 1)[1] for entry in service("web")["ports"]} == {port}
    assert healthcheck_url().port == int(port)


def test_web_worker_and_beat_wait_for_healthy_postgres_and_redis():
    for name in APP_SERVICES:
        for dependency in ("postgres", "redis"):
            condition = service(name)["depends_on"][dependency]["condition"]
            assert condition == "service_healthy", (name, dependency)


def test_every_named_volume_is_declared_and_mounted():
    declared = set(compose().get("volumes") or {})
    used = {
        source
        for name in compose()["services"]
        for source, _ in mounts(name)
        if not source.startswith((".", "/", "~"))
    }
    assert declared
    assert used == declared


def test_postgres_keeps_its_data_in_a_named_volume():
    by_target = {target: source for source, target in mounts("postgres")}
    assert by_target["/var/lib/postgresql/data"] in compose()["volumes"]


def test_web_and_worker_share_the_media_and_originals_volumes_at_the_configured_roots():
    sources = {}
    for name in ("web", "worker"):
        variables = environment(name)
        by_target = {target: source for source, target in mounts(name)}
        sources[name] = [by_target[variables[key]] for key in ("MEDIA_ROOT", "ORIGINALS_ROOT")]
    assert sources["web"] == sources["worker"]
    # Originals are private: they must not land in the volume of public renditions.
    assert len(set(sources["web"])) == 2
    assert set(sources["web"]) <= set(compose()["volumes"])


def test_the_image_installs_dependencies_from_the_lock_file():
    instructions = dockerfile()
    install = next(
        index
        for index, (keyword, arguments) in enumerate(instructions)
        if keyword == "RUN" and "pip install" in arguments
    )
    run = words(instructions[install][1])
    assert run[run.index("-r") + 1] == "requirements.lock"
    copied = [arguments.split()[:-1] for keyword, arguments in instructions[:install]]
    assert any("requirements.lock" in sources for sources in copied)


def test_web_worker_and_beat_run_as_a_user_the_image_creates_not_as_root():
    user = dockerfile_last("USER").split(":")[0]
    assert user not in {"root", "0"}
    created = [run[run.index("useradd") :] for run in dockerfile_runs() if "useradd" in run]
    assert any(user in arguments for arguments in created)
    for name in APP_SERVICES:
        assert str(service(name).get("user", user)).split(":")[0] not in {"root", "0"}, name


def test_the_image_collects_static_files_with_debug_off_and_a_throwaway_key():
    run = next(run for run in dockerfile_runs() if "collectstatic" in run)
    assert "--noinput" in run
    assert "DEBUG=false" in run
    assert any(word.startswith("SECRET_KEY=") and word != "SECRET_KEY=" for word in run)
    # Given to the one command only, so no key ships in the image's environment.
    assert "SECRET_KEY" not in dockerfile_environment()


def test_the_image_exposes_the_port_web_listens_on():
    assert environment("web")["PORT"] in dockerfile_last("EXPOSE").split()


def test_dockerignore_keeps_secrets_and_local_state_out_of_the_build():
    lines = (ROOT / ".dockerignore").read_text().splitlines()
    patterns = {line.strip().rstrip("/") for line in lines if line.strip()[:1] not in {"", "#"}}
    assert {".env", ".venv", "var", ".git"} <= patterns
    assert "!.env" not in patterns


def test_a_malformed_thread_count_stops_gunicorn_with_one_line(monkeypatch):
    monkeypatch.setenv("WEB_THREADS", "four")
    with pytest.raises(SystemExit, match="WEB_THREADS must be a whole number from 1 to 64"):
        runpy.run_path(str(settings.BASE_DIR / "gunicorn.conf.py"))


def test_a_malformed_keepalive_request_count_stops_gunicorn_with_one_line(monkeypatch):
    monkeypatch.setenv("WEB_KEEPALIVE_REQUESTS", "0")
    with pytest.raises(
        SystemExit, match="WEB_KEEPALIVE_REQUESTS must be a whole number from 1 to 1000000"
    ):
        runpy.run_path(str(settings.BASE_DIR / "gunicorn.conf.py"))
