"""Fixtures that run catalog as in production: gunicorn and a Celery worker, PostgreSQL and Redis.

The processes use pytest-django's test database (tests need `transactional_db`, so what a test
writes is committed and visible to them) and the same media directories as the test process.
Their logs are attached to the report of any test that fails.

Tests that take a server down get one of their own: `private_redis` as the broker, and
`private_postgres` as the database (the test's own connection follows it).

The worker fixture empties the broker's default queue first. Runs that share a Redis database
share that queue, so concurrent runs each need a REDIS_URL database of their own.
"""

import os
import pwd
import secrets
import shutil
import tempfile
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

import pytest
from django.db import connection

from catalog.env import NAMES_READ
from tests.e2e.client import Client
from tests.e2e.processes import (
    POSTGRES_SUPERUSER,
    ManagedProcess,
    free_port,
    gunicorn_process,
    postgres_bin_dir,
    postgres_create_database,
    postgres_initdb,
    postgres_process,
    purge_queue,
    redis_process,
    run,
    worker_process,
)

SECRET_KEY = secrets.token_urlsafe(50)
PROCESSES = pytest.StashKey[list[ManagedProcess]]()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo):
    report = yield
    if report.failed:
        # Processes are tracked once ready; a start that fails carries its log in the error.
        for process in item.stash.get(PROCESSES, []):
            report.sections.append((f"{process.name} log ({process.log_path})", process.log_tail()))
    return report


def _database_url() -> str:
    """The URL of the database this test process uses: the test database, not the configured one."""
    db = connection.settings_dict
    credentials = quote(db["USER"] or "", safe="")
    if db["PASSWORD"]:
        credentials += ":" + quote(db["PASSWORD"], safe="")
    host = quote(db["HOST"] or "", safe="")
    port = f":{db['PORT']}" if db["PORT"] else ""
    return f"postgres://{credentials}@{host}{port}/{quote(db['NAME'], safe='')}"


def _base_env(**settings: str) -> dict[str, str]:
    """The inherited environment without any catalog setting, plus `settings`."""
    env = {name: value for name, value in os.environ.items() if name not in NAMES_READ}
    env.update(
        DJANGO_SETTINGS_MODULE="catalog.settings",
        PYTHONUNBUFFERED="1",
        DEBUG="false",
        SECRET_KEY=SECRET_KEY,
        **settings,
    )
    return env


@pytest.fixture(scope="session")
def static_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """collectstatic once per session: with DEBUG off, pages need the manifest to render."""
    root = tmp_path_factory.mktemp("static")
    run(
        ["manage.py", "collectstatic", "--noinput", "-v0"],
        env=_base_env(STATIC_ROOT=str(root), VAR_DIR=str(root / "var")),
        timeout=120,
    )
    return root


@pytest.fixture
def process_env(transactional_db, media_storage: Path, static_root: Path) -> dict[str, str]:
    """Settings for gunicorn and the worker, pointing at this test's database and files."""
    if connection.vendor != "postgresql" or not os.environ.get("REDIS_URL"):
        # Marked tests are skipped before this point (see tests/conftest.py); this one is not.
        pytest.fail("end-to-end fixtures need PostgreSQL and REDIS_URL: mark the test worker")
    return _base_env(
        ALLOWED_HOSTS="127.0.0.1",
        DATABASE_URL=_database_url(),
        REDIS_URL=os.environ["REDIS_URL"],
        VAR_DIR=str(media_storage / "var"),
        MEDIA_ROOT=str(media_storage / "media"),
        ORIGINALS_ROOT=str(media_storage / "originals"),
        STATIC_ROOT=str(static_root),
    )


@pytest.fixture
def logs_dir(tmp_path: Path) -> Path:
    path = tmp_path / "logs"
    path.mkdir(exist_ok=True)
    return path


def _track(request: pytest.FixtureRequest, process: ManagedProcess) -> None:
    request.node.stash.setdefault(PROCESSES, []).append(process)


@dataclass
class Site:
    process: ManagedProcess
    base_url: str

    def client(self) -> Client:
        """A new browser session: its own cookies."""
        return Client(self.base_url)


@pytest.fixture
def site(
    request: pytest.FixtureRequest, process_env: dict[str, str], logs_dir: Path
) -> Iterator[Site]:
    """gunicorn serving `catalog.wsgi:application`, answering /healthz."""
    port = free_port()
    process = gunicorn_process(env=process_env, log_path=logs_dir / "gunicorn.log", port=port)
    process.start()
    _track(request, process)
    try:
        yield Site(process, f"http://127.0.0.1:{port}")
    finally:
        process.stop()


@pytest.fixture
def celery_worker(
    request: pytest.FixtureRequest, process_env: dict[str, str], logs_dir: Path
) -> Iterator[ManagedProcess]:
    """`celery -A catalog worker`, consuming from a queue emptied of other runs' messages."""
    purge_queue(env=process_env)
    worker = worker_process(env=process_env, log_path=logs_dir / "celery-worker.log")
    worker.start()
    _track(request, worker)
    try:
        yield worker
    finally:
        worker.stop()


@pytest.fixture
def http(site: Site) -> Client:
    return site.client()


@dataclass
class PrivateRedis:
    """A redis-server of the test's own, which the test may stop and start again."""

    process: ManagedProcess
    port: int

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"


@pytest.fixture
def private_redis(
    request: pytest.FixtureRequest, tmp_path: Path, logs_dir: Path
) -> Iterator[PrivateRedis]:
    """A memory-only redis-server on a free port: a broker the test can take down."""
    data_dir = tmp_path / "redis"
    data_dir.mkdir()
    port = free_port()
    process = redis_process(port=port, log_path=logs_dir / "redis-server.log", data_dir=data_dir)
    process.start()
    _track(request, process)
    try:
        yield PrivateRedis(process, port)
    finally:
        process.stop()


@dataclass
class PrivatePostgres:
    """A PostgreSQL server of the test's own, which the test may stop and start again."""

    process: ManagedProcess
    port: int
    database: str

    @property
    def url(self) -> str:
        return f"postgres://{POSTGRES_SUPERUSER}@127.0.0.1:{self.port}/{self.database}"

    def stop(self) -> None:
        """A fast shutdown: every session is ended and its open transaction rolled back."""
        # The test's own session ends too; closed now, the next query opens a new one.
        connection.close()
        self.process.stop()

    def start(self) -> None:
        self.process.start()


def _postgres_server_user() -> str | None:
    """Who runs the server: the test's own user, or `postgres` when the tests run as root."""
    if os.geteuid() != 0:
        return None
    try:
        pwd.getpwnam(POSTGRES_SUPERUSER)
    except KeyError:
        pytest.skip(
            f"tests run as root, which PostgreSQL refuses, and there is no {POSTGRES_SUPERUSER!r}"
            " user to run the private server as"
        )
    return POSTGRES_SUPERUSER


@pytest.fixture
def private_postgres(
    request: pytest.FixtureRequest, transactional_db, logs_dir: Path
) -> Iterator[PrivatePostgres]:
    """A migrated PostgreSQL server on a free port, for a test that takes the database down.

    While it runs, this test's own connection points at it too, so factories and assertions see
    what gunicorn and the worker see; give the processes `PrivatePostgres.url` as DATABASE_URL.
    """
    bin_dir = postgres_bin_dir()
    if bin_dir is None:
        pytest.skip("no PostgreSQL server under /usr/lib/postgresql/*/bin to run privately")
    user = _postgres_server_user()
    # Not under tmp_path: pytest keeps that private to root, where the server could not reach it.
    root = Path(tempfile.mkdtemp(prefix="catalog-postgres-"))
    if user is not None:
        shutil.chown(root, user)
    port = free_port()
    process = postgres_process(
        bin_dir=bin_dir,
        data_dir=root / "data",
        port=port,
        socket_dir=root,
        log_path=logs_dir / "postgres.log",
        user=user,
    )
    server = PrivatePostgres(process, port, "catalog")
    settings_before = dict(connection.settings_dict)
    try:
        postgres_initdb(bin_dir=bin_dir, data_dir=root / "data", user=user)
        process.start()
        _track(request, process)
        postgres_create_database(bin_dir=bin_dir, port=port, name=server.database)
        run(
            ["manage.py", "migrate", "--noinput", "-v0"],
            env=_base_env(DATABASE_URL=server.url, VAR_DIR=str(root / "var")),
            timeout=120,
        )
        connection.close()
        connection.settings_dict.update(
            HOST="127.0.0.1",
            PORT=str(port),
            NAME=server.database,
            USER=POSTGRES_SUPERUSER,
            PASSWORD="",
        )
        yield server
    finally:
        connection.close()
        connection.settings_dict.update(settings_before)
        process.stop()
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture
def start_site(
    request: pytest.FixtureRequest, logs_dir: Path
) -> Iterator[Callable[[Mapping[str, str]], Site]]:
    """Start gunicorn with settings of the test's choosing (`process_env` with changes)."""
    started: list[ManagedProcess] = []

    def start(env: Mapping[str, str]) -> Site:
        port = free_port()
        log_path = logs_dir / f"gunicorn-{len(started) + 1}.log"
        process = gunicorn_process(env=env, log_path=log_path, port=port)
        process.start()
        _track(request, process)
        started.append(process)
        return Site(process, f"http://127.0.0.1:{port}")

    try:
        yield start
    finally:
        for process in reversed(started):
            process.stop()


@pytest.fixture
def start_worker(
    request: pytest.FixtureRequest, logs_dir: Path
) -> Iterator[Callable[..., ManagedProcess]]:
    """Start Celery workers with settings of the test's choosing, each on an emptied queue
    (`purge=False`: on the queue as it is, to take over another worker's tasks)."""
    started: list[ManagedProcess] = []

    def start(
        env: Mapping[str, str], *, concurrency: int = 1, purge: bool = True
    ) -> ManagedProcess:
        if purge:
            purge_queue(env=env)
        log_path = logs_dir / f"celery-worker-{len(started) + 1}.log"
        worker = worker_process(env=env, log_path=log_path, concurrency=concurrency)
        worker.start()
        _track(request, worker)
        started.append(worker)
        return worker

    try:
        yield start
    finally:
        for worker in reversed(started):
            worker.stop()
