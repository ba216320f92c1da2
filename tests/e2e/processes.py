"""The production topology as plain processes: gunicorn and a Celery worker, started and stopped.

Each process runs in its own session, writes its output to a log file, and is stopped with SIGTERM
then, past a deadline, SIGKILL for everything left in its process group. Waits are bounded and
give up early when the process being waited for has exited.
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


class ManagedProcess:
    """One subprocess whose output goes to `log_path`; use `stop()` in a `finally`."""

    def __init__(
        self, name: str, argv: list[str], *, env: Mapping[str, str], log_path: Path
    ) -> None:
        self.name = name
        self.argv = argv
        self.env = dict(env)
        self.log_path = log_path
        self.process: subprocess.Popen | None = None
        self.log_offset = 0

    def start(self) -> "ManagedProcess":
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        with self.log_path.open("ab") as log:
            # A restart appends to the same log; readiness looks only at what this run wrote.
            self.log_offset = log.tell()
            # A session of its own makes the process a group leader, so the whole tree (gunicorn's
            # workers, Celery's pool) can be killed without touching anything else.
            self.process = subprocess.Popen(
                self.argv,
                cwd=PROJECT_DIR,
                env=self.env,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
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

    def _exited_unreaped(self) -> bool:
        """True once the leader has exited; it stays a zombie, so its group id is not reused."""
        result = os.waitid(os.P_PID, self.pid, os.WEXITED | os.WNOHANG | os.WNOWAIT)
        return result is not None

    def is_running(self) -> bool:
        if self.process is None or self.process.returncode is not None:
            return False
        return not self._exited_unreaped()

    def ensure_running(self) -> None:
        if not self.is_running():
            raise ProcessFailed(f"{self.name} exited early; log:\n{self.log_tail(4000)}")

    def wait_until(
        self, condition: Callable[[], bool], *, timeout: float, what: str, interval: float = 0.1
    ) -> None:
        """Poll `condition` until it holds; fail after `timeout` seconds or if the process exits."""
        deadline = time.monotonic() + timeout
        while True:
            self.ensure_running()
            if condition():
                return
            if time.monotonic() >= deadline:
                raise ProcessFailed(
                    f"{self.name}: no {what} within {timeout:g} s; log:\n{self.log_tail(4000)}"
                )
            time.sleep(interval)

    def signal(self, signum: int) -> None:
        """Send `signum` to the leader only, as a process manager would."""
        if self.is_running():
            os.kill(self.pid, signum)

    def stop(self, *, grace: float = 10.0) -> int | None:
        """SIGTERM, wait up to `grace` seconds, then SIGKILL whatever is left in the group.

        Returns the exit status (negative for a signal), or None if the process never started.
        """
        if self.process is None:
            return None
        if self.process.returncode is None:
            if not self._exited_unreaped():
                os.kill(self.pid, signal.SIGTERM)
            deadline = time.monotonic() + grace
            while not self._exited_unreaped() and time.monotonic() < deadline:
                time.sleep(0.05)
            # The leader is not reaped yet, so its group id still names only processes started
            # here: children a graceful shutdown left behind, or the leader itself if it hung.
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.pid, signal.SIGKILL)
        return self.process.wait(timeout=grace)


def http_status(url: str, *, timeout: float = 2.0) -> int | None:
    """The status `url` answers with, or None if nothing answers (yet)."""
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            return response.status
    except urllib.error.HTTPError as exc:
        return exc.code
    except (OSError, urllib.error.URLError):
        return None


def manage(args: list[str], *, env: Mapping[str, str], timeout: float = 60.0) -> str:
    """Run a one-shot command (manage.py, celery purge); its output, or ProcessFailed."""
    result = subprocess.run(
        [sys.executable, *args],
        cwd=PROJECT_DIR,
        env=dict(env),
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    if result.returncode != 0:
        raise ProcessFailed(
            f"{' '.join(args)} exited {result.returncode}:\n{result.stdout}{result.stderr}"
        )
    return result.stdout + result.stderr


def start_gunicorn(
    *, env: Mapping[str, str], log_path: Path, workers: int = 2, timeout: float = 30.0
) -> tuple[ManagedProcess, str]:
    """Serve `catalog.wsgi:application` on a free local port; returns once /healthz answers 200."""
    port = free_port()
    base_url = f"http://127.0.0.1:{port}"
    gunicorn = ManagedProcess(
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
        ],
        env=env,
        log_path=log_path,
    ).start()
    try:
        gunicorn.wait_until(
            lambda: http_status(f"{base_url}/healthz") == 200,
            timeout=timeout,
            what="200 from /healthz",
            interval=0.2,
        )
    except BaseException:
        gunicorn.stop()
        raise
    return gunicorn, base_url


def start_worker(
    *, env: Mapping[str, str], log_path: Path, concurrency: int = 1, timeout: float = 30.0
) -> ManagedProcess:
    """Start `celery -A catalog worker`; returns once it logs that it is ready to consume."""
    node = f"e2e-{uuid.uuid4().hex[:8]}@%h"
    worker = ManagedProcess(
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
            "--hostname",
            node,
            # Neither is needed for one worker, and both wait on or talk to other nodes.
            "--without-mingle",
            "--without-gossip",
        ],
        env=env,
        log_path=log_path,
    ).start()
    try:
        worker.wait_until(
            lambda: " ready." in worker.log_since_start(),
            timeout=timeout,
            what="'ready.' line in the log",
        )
    except BaseException:
        worker.stop()
        raise
    return worker


def purge_queue(*, env: Mapping[str, str]) -> None:
    """Drop messages other runs left on the broker, so this run's worker sees only its own."""
    manage(["-m", "celery", "-A", "catalog", "purge", "-f"], env=env, timeout=30)
