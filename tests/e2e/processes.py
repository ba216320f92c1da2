"""The production topology as plain processes: gunicorn, a Celery worker, and private Redis and
PostgreSQL servers, started and stopped.

Each process runs in a session of its own and writes its output to a log file. Starting waits,
within a deadline, until the process is ready (and fails at once if it exits); stopping sends
SIGTERM (or the process's own stop signal), then past a deadline SIGKILL to everything left in the
process group.
"""

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Callable, Mapping
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parents[2]
LOG_TAIL_CHARS = 20_000


class ProcessFailed(RuntimeError):
    """A process exited, or did not become ready, when the test needed it running."""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def http_status(url: str, *, timeout: float = 2.0) -> int | None:
    """The status `url` answers with, or None if nothing answers (yet)."""
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            return response.status
    except urllib.error.HTTPError as exc:
        return exc.code
    except OSError:
        return None


class ManagedProcess:
    """A long-running subprocess with a readiness check; stop it in a `finally`.

    It can be stopped (or killed) and started again: its log grows across restarts, and
    readiness looks only at what the current run wrote. `user` runs it as another user (which
    needs root), and `stop_signal` is the signal that asks it to shut down cleanly.
    """

    def __init__(
        self,
        name: str,
        argv: list[str],
        *,
        env: Mapping[str, str],
        log_path: Path,
        ready: Callable[["ManagedProcess"], bool],
        ready_description: str,
        user: str | None = None,
        stop_signal: int = signal.SIGTERM,
    ) -> None:
        self.name = name
        self.argv = argv
        self.env = dict(env)
        self.log_path = log_path
        self.ready = ready
        self.ready_description = ready_description
        self.user = user
        self.stop_signal = stop_signal
        self.process: subprocess.Popen | None = None
        self.log_offset = 0

    def start(self, *, timeout: float = 30.0) -> "ManagedProcess":
        """Start the process and return once it is ready; on failure it is stopped again."""
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        with self.log_path.open("ab") as log:
            self.log_offset = log.tell()
            # A session of its own makes the process a group leader, so its whole tree
            # (gunicorn's workers, Celery's pool) can be killed without touching anything else.
            self.process = subprocess.Popen(
                self.argv,
                cwd=PROJECT_DIR,
                env=self.env,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
                user=self.user,
            )
        try:
            self.wait_until(
                lambda: self.ready(self),
                timeout=timeout,
                what=self.ready_description,
                interval=0.2,
            )
        except BaseException:
            self.stop()
            raise
        return self

    @property
    def pid(self) -> int:
        if self.process is None:
            raise ProcessFailed(f"{self.name} was never started")
        return self.process.pid

    def log(self) -> str:
        try:
            return self.log_path.read_text(errors="replace")
        except FileNotFoundError:
            return ""

    def log_since_start(self) -> str:
        try:
            with self.log_path.open("rb") as log:
                log.seek(self.log_offset)
                return log.read().decode(errors="replace")
        except FileNotFoundError:
            return ""

    def log_tail(self, chars: int = LOG_TAIL_CHARS) -> str:
        text = self.log()
        return text if len(text) <= chars else f"[... {len(text) - chars} chars]\n{text[-chars:]}"

    def _exited(self) -> bool:
        """Whether the leader has exited, without reaping it.

        An exited but unreaped leader stays a zombie, which keeps its pid, and so its process
        group id, from being given to any other process.
        """
        if self.process is None or self.process.returncode is not None:
            return True
        return os.waitid(os.P_PID, self.pid, os.WEXITED | os.WNOHANG | os.WNOWAIT) is not None

    def is_running(self) -> bool:
        return not self._exited()

    def wait_until(
        self, condition: Callable[[], bool], *, timeout: float, what: str, interval: float = 0.1
    ) -> None:
        """Poll `condition` until it holds; fail after `timeout` seconds or if the process exits."""
        deadline = time.monotonic() + timeout
        while True:
            if self._exited():
                raise ProcessFailed(f"{self.name} exited; log:\n{self.log_tail(4000)}")
            if condition():
                return
            if time.monotonic() >= deadline:
                raise ProcessFailed(
                    f"{self.name}: no {what} within {timeout:g} s; log:\n{self.log_tail(4000)}"
                )
            time.sleep(interval)

    def send_signal(self, signum: int) -> None:
        """Send `signum` to the leader only, as a process manager would."""
        if not self._exited():
            os.kill(self.pid, signum)

    def kill(self) -> int | None:
        """SIGKILL the whole process group at once, as a crash or the OOM killer would.

        Returns the leader's exit status, or None if it was never started.
        """
        if self.process is None:
            return None
        if self.process.returncode is None:
            # The leader is not reaped yet, so the group id names only processes started here.
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.pid, signal.SIGKILL)
        return self.process.wait(timeout=10)

    def stop(self, *, grace: float = 10.0) -> int | None:
        """Send the stop signal to the leader, wait up to `grace` seconds, then kill whatever is
        left."""
        self.send_signal(self.stop_signal)
        deadline = time.monotonic() + grace
        while not self._exited() and time.monotonic() < deadline:
            time.sleep(0.05)
        return self.kill()


def gunicorn_process(
    *, env: Mapping[str, str], log_path: Path, port: int, workers: int = 2
) -> ManagedProcess:
    """gunicorn serving `catalog.wsgi:application` on 127.0.0.1:`port`; ready at 200 /healthz."""
    healthz = f"http://127.0.0.1:{port}/healthz"
    return ManagedProcess(
        "gunicorn",
        [
            sys.executable,
            "-m",
            "gunicorn",
            "catalog.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(workers),
            "--timeout",
            "30",
            "--graceful-timeout",
            "5",
            "--access-logfile",
            "-",
            "--error-logfile",
            "-",
            # Its default path is shared by every gunicorn of the user, so parallel runs collide.
            "--no-control-socket",
        ],
        env=env,
        log_path=log_path,
        ready=lambda _: http_status(healthz) == 200,
        ready_description="200 from /healthz",
    )


def worker_process(
    *, env: Mapping[str, str], log_path: Path, concurrency: int = 1
) -> ManagedProcess:
    """`celery -A catalog worker`; ready when it logs that it consumes."""
    return ManagedProcess(
        "celery worker",
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "catalog",
            "worker",
            "--loglevel",
            "INFO",
            "--concurrency",
            str(concurrency),
            "--queues",
            "celery,media_low",
            "--hostname",
            f"e2e-{uuid.uuid4().hex[:8]}@%h",
            # Neither is needed for one worker, and both wait on or talk to other nodes.
            "--without-mingle",
            "--without-gossip",
        ],
        env=env,
        log_path=log_path,
        ready=lambda process: " ready." in process.log_since_start(),
        ready_description="'ready.' line in the log",
    )


def _run_command(
    argv: list[str], *, env: Mapping[str, str], timeout: float, user: str | None = None
) -> str:
    """Run a one-shot command; its output, or ProcessFailed naming what went wrong."""
    command = " ".join(argv)
    try:
        result = subprocess.run(
            argv,
            cwd=PROJECT_DIR,
            env=dict(env),
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
            user=user,
        )
    except subprocess.TimeoutExpired as exc:
        raise ProcessFailed(f"{command} did not finish within {timeout:g} s") from exc
    if result.returncode != 0:
        raise ProcessFailed(
            f"{command} exited {result.returncode}:\n{result.stdout}{result.stderr}"
        )
    return result.stdout + result.stderr


def run(args: list[str], *, env: Mapping[str, str], timeout: float = 60.0) -> str:
    """Run a one-shot Python command (manage.py, celery purge); its output, or ProcessFailed."""
    return _run_command([sys.executable, *args], env=env, timeout=timeout)


def purge_queue(*, env: Mapping[str, str]) -> None:
    """Drop messages other runs left on the broker, so a new worker sees only this run's."""
    run(["-m", "celery", "-A", "catalog", "purge", "-f"], env=env, timeout=30)


def redis_ping(port: int, *, timeout: float = 1.0) -> bool:
    """Whether a Redis server on 127.0.0.1:`port` answers PING."""
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=timeout) as sock:
            sock.sendall(b"PING\r\n")
            return sock.recv(64).startswith(b"+PONG")
    except OSError:
        return False


def redis_process(*, port: int, log_path: Path, data_dir: Path) -> ManagedProcess:
    """A private, memory-only `redis-server` on 127.0.0.1:`port`; ready when it answers PING.

    Nothing is saved to disk, so a restart (`stop()`, then `start()`) comes back empty, as a
    broker whose data was lost would.
    """
    return ManagedProcess(
        "redis-server",
        [
            "redis-server",
            "--port",
            str(port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
            "--dir",
            str(data_dir),
        ],
        env=os.environ,
        log_path=log_path,
        ready=lambda _: redis_ping(port),
        ready_description="PONG",
    )


POSTGRES_SUPERUSER = "postgres"
_POSTGRES_READY = "database system is ready to accept connections"


def postgres_bin_dir() -> Path | None:
    """The binaries of the newest PostgreSQL server installed (Debian's layout), or None."""
    servers = [path.parent for path in Path("/usr/lib/postgresql").glob("*/bin/postgres")]
    versions = [path for path in servers if path.parent.name.isdigit()]
    return max(versions, key=lambda path: int(path.parent.name), default=None)


def postgres_initdb(*, bin_dir: Path, data_dir: Path, user: str | None) -> None:
    """An empty cluster in `data_dir`, run as `user`, whose superuser `postgres` connects from
    127.0.0.1 without a password."""
    _run_command(
        [
            str(bin_dir / "initdb"),
            "--pgdata",
            str(data_dir),
            "--username",
            POSTGRES_SUPERUSER,
            "--auth",
            "trust",
            # Without these the cluster takes the environment's locale, which may be SQL_ASCII.
            "--encoding",
            "UTF8",
            "--locale",
            "C",
            # A throwaway cluster: a crash of the machine may lose it.
            "--no-sync",
        ],
        env=os.environ,
        timeout=60,
        user=user,
    )


def postgres_process(
    *,
    bin_dir: Path,
    data_dir: Path,
    port: int,
    socket_dir: Path,
    log_path: Path,
    user: str | None,
) -> ManagedProcess:
    """A private PostgreSQL server for the cluster in `data_dir` on 127.0.0.1:`port`, run as `user`
    (PostgreSQL refuses to run as root); ready when it accepts connections.

    It stops with a fast shutdown (SIGINT), as `pg_ctl stop` and `pg_ctl restart` do: sessions
    are ended and their transactions rolled back. SIGTERM would wait for every client to
    disconnect, which a web process keeping its connections never does.
    """
    return ManagedProcess(
        "postgres",
        [
            str(bin_dir / "postgres"),
            "-D",
            str(data_dir),
            "-p",
            str(port),
            "-c",
            "listen_addresses=127.0.0.1",
            "-c",
            f"unix_socket_directories={socket_dir}",
            # The cluster is thrown away after the test; a clean shutdown still writes everything.
            "-c",
            "fsync=off",
        ],
        env=os.environ,
        log_path=log_path,
        ready=lambda process: _POSTGRES_READY in process.log_since_start(),
        ready_description=f"{_POSTGRES_READY!r} in the log",
        user=user,
        stop_signal=signal.SIGINT,
    )


def postgres_create_database(*, bin_dir: Path, port: int, name: str) -> None:
    _run_command(
        [
            str(bin_dir / "createdb"),
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--username",
            POSTGRES_SUPERUSER,
            name,
        ],
        env=os.environ,
        timeout=30,
    )


def child_pids(pid: int) -> list[int]:
    """The live (not zombie) child processes of `pid`, read from /proc."""
    children = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:  # the process ended while we looked
            continue
        # The command name, in parentheses, may itself hold spaces and parentheses.
        state, parent = stat[stat.rindex(")") + 2 :].split()[:2]
        if int(parent) == pid and state != "Z":
            children.append(int(entry.name))
    return sorted(children)
