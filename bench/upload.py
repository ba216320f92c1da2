"""`make bench-upload`: photos uploaded through the API into the production setup.

Each round starts what production runs, as plain processes, from nothing: a fresh PostgreSQL
database `catalog_bench_upload` (migrated), a flushed Redis database, gunicorn (gthread) and a
Celery worker, with 1 and then 2 worker processes. A user and a bearer token are made with
manage.py, a board through the API. N client threads then upload camera-like JPEGs with
`POST /api/v5/pins` (a base64 `media_source`), each sending its next photo as soon as the last is
answered, until each has sent its share; the round ends once the worker has finished every
accepted upload.

Per round: uploads accepted per second (201s at the API), the API's response time, the time from
sending an upload to its media turning `succeeded` (the record's `updated_at` when the worker
marks it ready, read from the database), the worker's time per task (from its log), renditions
made per second, the CPU time gunicorn and the worker spend per upload, errors, and the
peak memory of the worker and of gunicorn, from /proc.
Everything started is stopped, and the database dropped, at the end, on error and on Ctrl-C.
Results are printed and written to var/bench/upload.json; figures in BENCHMARKS.md.
"""

import argparse
import base64
import hashlib
import http.client
import io
import json
import math
import os
import platform
import re
import secrets
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable, Sequence
from contextlib import closing, suppress
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import numpy as np
from PIL import Image

REPO = Path(__file__).resolve().parent.parent
RESULTS = REPO / "var" / "bench" / "upload.json"
LOGS = REPO / "var" / "bench" / "upload"
DEFAULT_SERVER = "postgres://postgres@127.0.0.1:5432/postgres"
DEFAULT_REDIS = "redis://127.0.0.1:6379/14"
DATABASE = "catalog_bench_upload"
USERNAME = "bench-upload"
# High enough that the throttle never answers 429: the benchmark measures the server, not the
# limit. A pin upload counts against both the write and the upload rate.
UNTHROTTLED = "1000000/minute"
RATE_SETTINGS = ("API_RATE_WRITE", "API_RATE_UPLOAD")

# Camera sizes from 2 to 12 MP, 4:3 and 3:2.
GENERATED_SIZES = (
    (1632, 1224),
    (2048, 1536),
    (2400, 1600),
    (2592, 1944),
    (3000, 2000),
    (3264, 2448),
    (3648, 2736),
    (4000, 3000),
)
JPEG_QUALITY = 92  # what cameras and phones save at, with 4:2:0 chroma

TAG_MAKE = 0x010F
TAG_MODEL = 0x0110
TAG_ORIENTATION = 0x0112
EXIF_IFD = 0x8769
TAG_DATETIME_ORIGINAL = 0x9003
TAG_IMAGE_UNIQUE_ID = 0xA420
# Phones store a portrait photo as landscape pixels and say "rotate 90 degrees" here.
PORTRAIT = 6

SAMPLE_SECONDS = 0.1
POLL_SECONDS = 0.25
TASK_SUCCEEDED = re.compile(r"process_media_task\[[^\]]+\] succeeded in ([0-9.]+)s")


# --- Photos ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Photo:
    label: str
    data: bytes
    width: int
    height: int
    orientation: int

    @property
    def megapixels(self) -> float:
        return self.width * self.height / 1_000_000

    def describe(self) -> dict[str, Any]:
        return {
            "label": self.label,
            "width": self.width,
            "height": self.height,
            "megapixels": round(self.megapixels, 2),
            "bytes": len(self.data),
            "orientation": self.orientation,
        }


def generated_photo(width: int, height: int, seed: int) -> bytes:
    """A camera-like JPEG: broad smooth colour fields, finer mid-scale detail and per-pixel sensor
    noise, saved as a camera would. The same arguments give the same bytes."""
    draw = np.random.default_rng(seed)
    scene = Image.fromarray(draw.integers(0, 256, (4, 6, 3), dtype=np.uint8))
    detail = Image.fromarray(
        draw.integers(0, 256, (max(2, height // 48), max(2, width // 48)), dtype=np.uint8)
    )
    pixels = np.asarray(scene.resize((width, height), Image.Resampling.BICUBIC), dtype=np.int16)
    texture = np.asarray(detail.resize((width, height), Image.Resampling.BILINEAR), np.int16)
    pixels += (texture[..., None] - 128) // 6
    pixels += draw.normal(0.0, 6.0, (height, width, 1)).astype(np.int16)
    np.clip(pixels, 0, 255, out=pixels)
    out = io.BytesIO()
    Image.fromarray(pixels.astype(np.uint8)).save(
        out, "JPEG", quality=JPEG_QUALITY, subsampling="4:2:0"
    )
    return out.getvalue()


def _jpeg_segments(jpeg: bytes) -> tuple[list[bytes], bytes]:
    """The marker segments between SOI and the first scan, and everything from that scan on."""
    if jpeg[:2] != b"\xff\xd8":
        raise ValueError("not a JPEG: no SOI marker")
    segments = []
    position = 2
    while position + 4 <= len(jpeg) and jpeg[position] == 0xFF:
        if jpeg[position + 1] == 0xDA:  # start of scan: entropy-coded data follows
            return segments, jpeg[position:]
        (length,) = struct.unpack(">H", jpeg[position + 2 : position + 4])
        segments.append(jpeg[position : position + 2 + length])
        position += 2 + length
    raise ValueError("not a JPEG: no scan found")


def with_camera_exif(jpeg: bytes, *, unique_id: str, orientation: int = 1) -> bytes:
    """The JPEG with a camera's EXIF block instead of any it had: make, model, orientation, time
    taken and ImageUniqueID. Pixels are untouched; another id gives other bytes, so the app does
    not take an upload for a repeat of an earlier one (same owner, same SHA-256)."""
    exif = Image.Exif()
    exif[TAG_MAKE] = "Generic"
    exif[TAG_MODEL] = "Camera"
    exif[TAG_ORIENTATION] = orientation
    details = exif.get_ifd(EXIF_IFD)
    details[TAG_DATETIME_ORIGINAL] = "2024:06:01 12:00:00"
    details[TAG_IMAGE_UNIQUE_ID] = unique_id
    payload = exif.tobytes()
    app1 = b"\xff\xe1" + struct.pack(">H", len(payload) + 2) + payload
    segments, scan = _jpeg_segments(jpeg)
    kept = [s for s in segments if not (s[1] == 0xE1 and s[4:10] == b"Exif\x00\x00")]
    # JFIF wants its APP0 first; readers find the EXIF block right after it.
    head = 1 if kept and kept[0][1] == 0xE0 else 0
    return b"\xff\xd8" + b"".join([*kept[:head], app1, *kept[head:]]) + scan


def upload_id(round_number: int, client: int, index: int) -> str:
    """32 hex digits, as EXIF's ImageUniqueID wants, unique per upload of a run."""
    return hashlib.sha256(f"{round_number}:{client}:{index}".encode()).hexdigest()[:32]


def generated_photos() -> list[Photo]:
    photos = []
    for seed, (width, height) in enumerate(GENERATED_SIZES, start=1):
        label = f"generated-{width}x{height}.jpg"
        orientation = PORTRAIT if seed % 2 else 1
        photos.append(
            Photo(label, generated_photo(width, height, seed), width, height, orientation)
        )
    return photos


def upload_plan(photos: Sequence[Photo], clients: int, per_client: int) -> list[list[int]]:
    """Which photo each client sends, in order: every client goes through all of them, each
    starting at a different one, so that small and large photos are in flight at once."""
    return [[(client + n) % len(photos) for n in range(per_client)] for client in range(clients)]


# --- Figures -----------------------------------------------------------------------------------


@dataclass
class UploadResult:
    client: int
    photo: str
    started_at: float  # seconds since the epoch, comparable with the database's timestamps
    seconds: float
    status: int | None  # None: no answer
    pin_id: int | None = None
    error: str = ""

    @property
    def answered_at(self) -> float:
        return self.started_at + self.seconds


@dataclass(frozen=True)
class MediaOutcome:
    status: str  # queued, processing, ready or failed (the record's own names)
    finished_at: float | None
    renditions: int


def percentile(values: Sequence[float], fraction: float) -> float | None:
    """Linear interpolation between the closest ranks (numpy's default); None without values."""
    if not values:
        return None
    ordered = sorted(values)
    position = (len(ordered) - 1) * fraction
    low = math.floor(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def summarise_round(
    uploads: Sequence[UploadResult],
    outcomes: dict[int, MediaOutcome],
    task_seconds: Sequence[float],
    *,
    planned: int,
) -> dict[str, Any]:
    """The round's figures. Rates count from the first upload sent: accepted/s up to the last
    201 answered, renditions/s up to the last media finished."""
    accepted = [u for u in uploads if u.status == 201 and u.pin_id is not None]
    errors: Counter[str] = Counter()
    if len(uploads) < planned:
        errors["not sent in time"] = planned - len(uploads)
    for upload in uploads:
        if upload.status is None:
            errors["no answer"] += 1
        elif upload.status != 201:
            errors[f"HTTP {upload.status}"] += 1
    to_ready, finished, renditions = [], [], 0
    for upload in accepted:
        outcome = outcomes.get(upload.pin_id)
        if outcome is None or outcome.status not in {"ready", "failed"}:
            errors["not finished"] += 1
        elif outcome.status == "failed":
            errors["media failed"] += 1
        else:
            to_ready.append(outcome.finished_at - upload.started_at)
            finished.append(outcome.finished_at)
            renditions += outcome.renditions
    first = min((u.started_at for u in uploads), default=0.0)
    last_answer = max((u.answered_at for u in accepted), default=first)
    last_finished = max(finished, default=first)
    accepting, processing = last_answer - first, last_finished - first
    api = [u.seconds for u in accepted]
    return {
        "uploads": planned,
        "accepted": len(accepted),
        "accepted_per_second": len(accepted) / accepting if accepting > 0 else None,
        "api_p50_s": percentile(api, 0.50),
        "api_p99_s": percentile(api, 0.99),
        "to_succeeded_p50_s": percentile(to_ready, 0.50),
        "to_succeeded_p99_s": percentile(to_ready, 0.99),
        "task_p50_s": percentile(task_seconds, 0.50),
        "task_p99_s": percentile(task_seconds, 0.99),
        "succeeded": len(to_ready),
        "renditions": renditions,
        "renditions_per_second": renditions / processing if processing > 0 else None,
        "media_per_second": len(to_ready) / processing if processing > 0 else None,
        # How long the worker went on after the last upload was answered.
        "drain_s": last_finished - last_answer if finished else None,
        "errors": dict(errors),
    }


def _figure(value: float | None, scale: float = 1.0, digits: int = 0, unit: str = "") -> str:
    return "n/a" if value is None else f"{value * scale:,.{digits}f}{unit}"


def _errors(errors: dict[str, int]) -> str:
    if not errors:
        return "0"
    return ", ".join(f"{count} {kind}" for kind, count in sorted(errors.items()))


def markdown_table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> list[str]:
    """A GitHub table, padded to read as text too; columns after the first hold figures and are
    right-aligned."""
    widths = [max(3, *(len(row[k]) for row in [header, *rows])) for k in range(len(header))]

    def line(cells: Sequence[str]) -> str:
        padded = [
            cell.ljust(width) if k == 0 else cell.rjust(width)
            for k, (cell, width) in enumerate(zip(cells, widths, strict=True))
        ]
        return "| " + " | ".join(padded) + " |"

    rule = ["-" * widths[0], *("-" * (width - 1) + ":" for width in widths[1:])]
    return [line(header), line(rule), *(line(row) for row in rows)]


TABLE_HEADER = (
    "worker processes",
    "uploads",
    "accepted/s",
    "API p50",
    "API p99",
    "to succeeded p50",
    "to succeeded p99",
    "task p50",
    "renditions/s",
    "CPU per upload (gunicorn / worker)",
    "errors",
    "worker peak RSS (sum / max child)",
    "gunicorn peak RSS",
)


def _per(total: float, count: int) -> float | None:
    return total / count if count else None


def table_rows(rounds: Sequence[dict[str, Any]]) -> list[list[str]]:
    rows = []
    for result in rounds:
        figures, usage = result["figures"], result["usage"]
        web, worker = usage["web"], usage["worker"]
        rows.append(
            [
                str(result["concurrency"]),
                f"{figures['accepted']}/{figures['uploads']}",
                _figure(figures["accepted_per_second"], digits=1),
                _figure(figures["api_p50_s"], 1000, unit=" ms"),
                _figure(figures["api_p99_s"], 1000, unit=" ms"),
                _figure(figures["to_succeeded_p50_s"], digits=1, unit=" s"),
                _figure(figures["to_succeeded_p99_s"], digits=1, unit=" s"),
                _figure(figures["task_p50_s"], 1000, unit=" ms"),
                _figure(figures["renditions_per_second"], digits=1),
                f"{_figure(_per(web['cpu_s'], figures['accepted']), 1000)} / "
                f"{_figure(_per(worker['cpu_s'], figures['succeeded']), 1000, unit=' ms')}",
                _errors(figures["errors"]),
                f"{_figure(worker['sum_mb'])} / {_figure(worker['max_child_mb'], unit=' MB')}",
                _figure(web["sum_mb"], unit=" MB"),
            ]
        )
    return rows


# --- Processes ---------------------------------------------------------------------------------


class Service:
    """A long-running process in a session of its own (so its whole tree can be ended at once,
    and Ctrl-C in the terminal reaches only the benchmark, which stops it in order)."""

    def __init__(self, name: str, argv: list[str], env: dict[str, str], log_path: Path) -> None:
        self.name = name
        self.argv = argv
        self.env = env
        self.log_path = log_path
        self.process: subprocess.Popen | None = None

    @property
    def pid(self) -> int:
        assert self.process is not None
        return self.process.pid

    def log(self) -> str:
        try:
            return self.log_path.read_text(errors="replace")
        except FileNotFoundError:
            return ""

    def _exited(self) -> bool:
        """Whether the leader has exited, without reaping it: until it is reaped, its pid, and so
        its process group's id, cannot go to another process."""
        if self.process is None or self.process.returncode is not None:
            return True
        return os.waitid(os.P_PID, self.pid, os.WEXITED | os.WNOHANG | os.WNOWAIT) is not None

    def start(self, ready: Callable[[], bool], *, timeout: float = 60.0) -> "Service":
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        with self.log_path.open("wb") as log:
            self.process = subprocess.Popen(
                self.argv,
                cwd=REPO,
                env=self.env,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        deadline = time.monotonic() + timeout
        while not ready():
            if self._exited() or time.monotonic() > deadline:
                tail = self.log()[-3000:]
                self.stop()
                raise RuntimeError(f"{self.name} did not start; {self.log_path}:\n{tail}")
            time.sleep(0.2)
        return self

    def stop(self, *, grace: float = 15.0) -> None:
        """SIGTERM to the leader (a graceful stop), then SIGKILL to what is left of its group."""
        if self.process is None or self.process.returncode is not None:
            return
        with suppress(ProcessLookupError):
            os.kill(self.pid, signal.SIGTERM)
        deadline = time.monotonic() + grace
        while not self._exited() and time.monotonic() < deadline:
            time.sleep(0.05)
        with suppress(ProcessLookupError):
            os.killpg(self.pid, signal.SIGKILL)
        self.process.wait()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _process_tree(root: int) -> list[int]:
    """`root` and its descendants, from /proc/PID/task/TID/children."""
    found, pending = [], [root]
    while pending:
        pid = pending.pop()
        found.append(pid)
        for task in Path(f"/proc/{pid}/task").glob("*"):
            with suppress(OSError, ValueError):
                pending += [int(child) for child in (task / "children").read_text().split()]
    return found


def _memory_kb(pid: int) -> tuple[int, int]:
    """VmRSS and VmHWM (its peak) of one process, 0 when it has gone."""
    rss = peak = 0
    with suppress(OSError):
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                rss = int(line.split()[1])
            elif line.startswith("VmHWM:"):
                peak = int(line.split()[1])
    return rss, peak


def _cpu_seconds(pid: int) -> float:
    """CPU time of a process and of its children that have ended, 0 when it has gone."""
    try:
        # Fields after the command name, which is in parentheses and may hold spaces.
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    utime, stime, cutime, cstime = (int(value) for value in fields[11:15])
    return (utime + stime + cutime + cstime) / os.sysconf("SC_CLK_TCK")


def tree_cpu_seconds(root: int) -> float:
    # A child that ends is counted in its parent's total from then on, so nothing is lost.
    return sum(_cpu_seconds(pid) for pid in _process_tree(root))


class ProcessSampler(threading.Thread):
    """What process trees use while the round runs: the CPU time they take, and their peak RSS,
    sampled every SAMPLE_SECONDS, as the peak of the sum over a tree (pages shared since a fork
    count in every process, as RSS does) and the largest peak of one child, from the kernel's
    own high-water mark, which no sampling can miss."""

    def __init__(self, roots: dict[str, int]) -> None:
        super().__init__(daemon=True)
        self.roots = roots
        self.peaks = {name: {"sum_kb": 0, "max_child_kb": 0} for name in roots}
        self.cpu_before = {name: tree_cpu_seconds(root) for name, root in roots.items()}
        self.finished = threading.Event()

    def run(self) -> None:
        while not self.finished.is_set():
            for name, root in self.roots.items():
                pids = _process_tree(root)
                sizes = {pid: _memory_kb(pid) for pid in pids}
                peaks = self.peaks[name]
                peaks["sum_kb"] = max(peaks["sum_kb"], sum(rss for rss, _ in sizes.values()))
                children = [peak for pid, (_, peak) in sizes.items() if pid != root]
                peaks["max_child_kb"] = max([peaks["max_child_kb"], *children])
            self.finished.wait(SAMPLE_SECONDS)

    def stop(self) -> dict[str, dict[str, float]]:
        self.finished.set()
        self.join()
        return {
            name: {
                "sum_mb": peaks["sum_kb"] / 1024,
                "max_child_mb": peaks["max_child_kb"] / 1024,
                "cpu_s": tree_cpu_seconds(self.roots[name]) - self.cpu_before[name],
            }
            for name, peaks in self.peaks.items()
        }


# --- Database, broker, settings ------------------------------------------------------------------


def database_url(server: str, name: str) -> str:
    return urlunsplit(urlsplit(server)._replace(path=f"/{name}"))


def _connect(url: str):
    """An autocommit connection (CREATE and DROP DATABASE run outside a transaction)."""
    import psycopg2

    connection = psycopg2.connect(url)
    connection.autocommit = True
    return connection


def drop_database(server: str) -> None:
    with closing(_connect(server)) as connection, connection.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)')


def fresh_database(server: str, env: dict[str, str]) -> None:
    drop_database(server)
    with closing(_connect(server)) as connection, connection.cursor() as cursor:
        cursor.execute(f'CREATE DATABASE "{DATABASE}"')
    manage(env, "migrate", "--noinput", "--verbosity", "0")


def flush_redis(url: str) -> None:
    import redis

    redis.Redis.from_url(url).flushdb()


def documented_settings() -> set[str]:
    """Every variable the app reads, as `.env.example` lists them."""
    text = (REPO / ".env.example").read_text()
    return set(re.findall(r"^#?\s*([A-Z][A-Z0-9_]*)=", text, flags=re.MULTILINE))


def service_env(*, database: str, redis_url: str, var_dir: Path, secret_key: str) -> dict[str, str]:
    """The app's defaults with production's switches; nothing inherited from the shell changes
    what is measured."""
    inherited = {k: v for k, v in os.environ.items() if k not in documented_settings()}
    return {
        **inherited,
        "DJANGO_SETTINGS_MODULE": "catalog.settings",
        "PYTHONUNBUFFERED": "1",
        "DEBUG": "false",
        "SECRET_KEY": secret_key,
        "ALLOWED_HOSTS": "127.0.0.1",
        "DATABASE_URL": database,
        "REDIS_URL": redis_url,
        "VAR_DIR": str(var_dir),
        "MEDIA_ROOT": str(var_dir / "media"),
        "ORIGINALS_ROOT": str(var_dir / "originals"),
        "STATIC_ROOT": str(var_dir / "static"),
        **dict.fromkeys(RATE_SETTINGS, UNTHROTTLED),
    }


def manage(env: dict[str, str], *args: str) -> str:
    done = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    if done.returncode != 0:
        raise RuntimeError(f"manage.py {' '.join(args)} failed:\n{done.stdout}{done.stderr}")
    return done.stdout


def create_user_and_token(env: dict[str, str]) -> str:
    """A user without a password (it signs in with its token only), and its token."""
    manage(
        env,
        "shell",
        "-c",
        f"from accounts.models import User; User.objects.create_user(username={USERNAME!r})",
    )
    output = manage(env, "create_access_token", USERNAME, "--name", "upload benchmark")
    return output.strip().splitlines()[-1]


def media_outcomes(url: str, pin_ids: Sequence[int]) -> dict[int, MediaOutcome]:
    """Each pin's media: its status, when it finished (`updated_at` once ready or failed) and
    how many renditions it has."""
    with closing(_connect(url)) as connection, connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT p.id, m.status, extract(epoch FROM m.updated_at),
                   (SELECT count(*) FROM media_pipeline_rendition r WHERE r.media_id = m.id)
            FROM pins_pin p JOIN media_pipeline_mediarecord m ON m.id = p.media_id
            WHERE p.id = ANY(%s)
            """,
            [list(pin_ids)],
        )
        return {
            pin: MediaOutcome(status, float(at) if status in {"ready", "failed"} else None, count)
            for pin, status, at, count in cursor.fetchall()
        }


# --- Clients -----------------------------------------------------------------------------------


@dataclass
class Api:
    port: int
    token: str
    timeout: float = 120.0

    def request(self, method: str, path: str, body: dict | None = None) -> tuple[int, dict]:
        return self.send(method, path, json.dumps(body).encode() if body is not None else None)

    def send(self, method: str, path: str, payload: bytes | None) -> tuple[int, dict]:
        headers = {"Authorization": f"Bearer {self.token}", "Content-Type": "application/json"}
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=self.timeout)
        try:
            connection.request(method, path, body=payload, headers=headers)
            response = connection.getresponse()
            data = response.read()
        finally:
            connection.close()
        try:
            return response.status, json.loads(data)
        except ValueError:
            return response.status, {"body": data[:200].decode(errors="replace")}


def client_uploads(
    api: Api,
    board_id: str,
    photos: Sequence[Photo],
    plan: Sequence[int],
    *,
    client: int,
    round_number: int,
    start_together: threading.Barrier,
    results: list[UploadResult],
) -> None:
    """One client: its photos one after another, each sent as soon as the last is answered."""
    # Warm: authentication, and a database connection in the thread that answers.
    with suppress(OSError, http.client.HTTPException):
        api.request("GET", f"/api/v5/boards/{board_id}")
    start_together.wait()
    for index, photo_index in enumerate(plan):
        photo = photos[photo_index]
        data = with_camera_exif(
            photo.data,
            unique_id=upload_id(round_number, client, index),
            orientation=photo.orientation,
        )
        body = {
            "board_id": board_id,
            "title": f"{photo.label} #{index}",
            "media_source": {
                "source_type": "image_base64",
                "content_type": "image/jpeg",
                "data": base64.b64encode(data).decode(),
            },
        }
        # Made before the clock starts: the time is the server's and the network's, not ours.
        payload = json.dumps(body).encode()
        started_at, started = time.time(), time.perf_counter()
        try:
            status, answer = api.send("POST", "/api/v5/pins", payload)
        except (OSError, http.client.HTTPException) as exc:
            seconds = time.perf_counter() - started
            error = f"{type(exc).__name__}: {exc}"
            results.append(
                UploadResult(client, photo.label, started_at, seconds, None, None, error)
            )
            continue
        seconds = time.perf_counter() - started
        if status == 201:
            pin_id, error = int(answer["id"]), ""
        else:
            pin_id, error = None, json.dumps(answer)[:300]
        results.append(
            UploadResult(client, photo.label, started_at, seconds, status, pin_id, error)
        )


# --- A round -----------------------------------------------------------------------------------


def gunicorn_argv(port: int, workers: int, threads: int) -> list[str]:
    """Production's server and worker class (Dockerfile); settings not given here come from
    gunicorn.conf.py when there is one, as in production."""
    options = (
        f"--bind 127.0.0.1:{port} --worker-class gthread --workers {workers} --threads {threads} "
        # The control socket's default path is shared by every gunicorn of the user.
        "--access-logfile - --error-logfile - --no-control-socket"
    )
    return [sys.executable, "-m", "gunicorn", "catalog.wsgi:application", *options.split()]


def worker_argv(concurrency: int) -> list[str]:
    # Mingle and gossip only matter between several workers; without them it starts sooner.
    options = (
        f"--loglevel INFO --concurrency {concurrency} --queues celery,media_low "
        f"--hostname bench-upload-{concurrency}@%h --without-mingle --without-gossip"
    )
    return [sys.executable, "-m", "celery", "-A", "catalog", "worker", *options.split()]


def _healthy(port: int) -> bool:
    with suppress(OSError, http.client.HTTPException):
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
        try:
            connection.request("GET", "/healthz")
            return connection.getresponse().status == 200
        finally:
            connection.close()
    return False


def wait_for_media(url: str, pin_ids: list[int], deadline: float) -> dict[int, MediaOutcome]:
    while True:
        outcomes = media_outcomes(url, pin_ids)
        done = sum(o.status in {"ready", "failed"} for o in outcomes.values())
        if done == len(pin_ids) or time.monotonic() > deadline:
            return outcomes
        time.sleep(POLL_SECONDS)


def _start_clients(
    api: Api, board_id: str, photos: Sequence[Photo], args: argparse.Namespace, round_number: int
) -> tuple[list[threading.Thread], list[list[UploadResult]]]:
    plan = upload_plan(photos, args.clients, args.uploads_per_client)
    together = threading.Barrier(args.clients)
    results: list[list[UploadResult]] = [[] for _ in range(args.clients)]
    clients = [
        threading.Thread(
            target=client_uploads,
            args=(api, board_id, photos, plan[n]),
            kwargs={
                "client": n,
                "round_number": round_number,
                "start_together": together,
                "results": results[n],
            },
            daemon=True,
        )
        for n in range(args.clients)
    ]
    for client in clients:
        client.start()
    return clients, results


def run_round(
    args: argparse.Namespace,
    concurrency: int,
    round_number: int,
    photos: Sequence[Photo],
    secret_key: str,
) -> dict[str, Any]:
    """One round from nothing: database, broker, media directories, gunicorn and the worker are
    all new, and all stopped or dropped before it returns, whatever happens."""
    load = os.getloadavg()[0]
    print(f"\nWorker with {concurrency} process(es) (load average {load:.2f}):")
    url = database_url(args.server, DATABASE)
    var_dir = Path(tempfile.mkdtemp(prefix=f"bench-upload-{concurrency}-"))
    env = service_env(
        database=url, redis_url=args.redis_url, var_dir=var_dir, secret_key=secret_key
    )
    port = _free_port()
    web = Service(
        "gunicorn",
        gunicorn_argv(port, args.web_workers, args.threads),
        env,
        LOGS / f"gunicorn-{concurrency}.log",
    )
    worker = Service(
        "celery worker", worker_argv(concurrency), env, LOGS / f"worker-{concurrency}.log"
    )
    try:
        print("  fresh database, broker and media directories; user and token...")
        fresh_database(args.server, env)
        flush_redis(args.redis_url)
        api = Api(port, create_user_and_token(env))
        web.start(lambda: _healthy(port))
        status, board = api.request("POST", "/api/v5/boards", {"name": "Uploads"})
        if status != 201:
            raise RuntimeError(f"could not create the board: {status} {board}")
        worker.start(lambda: " ready." in worker.log())

        sampler = ProcessSampler({"worker": worker.pid, "web": web.pid})
        sampler.start()
        total = args.clients * args.uploads_per_client
        print(f"  {args.clients} clients uploading {total} photos...")
        round_started = time.monotonic()
        deadline = round_started + args.round_timeout
        clients, results = _start_clients(api, board["id"], photos, args, round_number)
        for client in clients:
            client.join(max(0.0, deadline - time.monotonic()))
        uploads = [result for client_results in results for result in client_results]
        pin_ids = [u.pin_id for u in uploads if u.pin_id is not None]
        print(f"  {len(pin_ids)} accepted; waiting for the worker to finish them...")
        outcomes = wait_for_media(url, pin_ids, deadline)
        usage = sampler.stop()
        wall = time.monotonic() - round_started
        tasks = [float(seconds) for seconds in TASK_SUCCEEDED.findall(worker.log())]
    finally:
        worker.stop()
        web.stop()
        with suppress(Exception):  # the driver tries again; the first error is the one to see
            drop_database(args.server)
        shutil.rmtree(var_dir, ignore_errors=True)
    for upload in [u for u in uploads if u.error][:3]:
        print(f"  error: {upload.status} {upload.error}")
    return {
        "concurrency": concurrency,
        "load_average_before": load,
        "figures": summarise_round(
            uploads, outcomes, tasks, planned=args.clients * args.uploads_per_client
        ),
        "usage": usage,
        "wall_s": wall,
        "uploads": [
            {**asdict(u), "media": asdict(outcomes[u.pin_id]) if u.pin_id in outcomes else None}
            for u in uploads
        ],
    }


# --- Driver ------------------------------------------------------------------------------------


def _machine() -> dict[str, str]:
    model = "unknown"
    with suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    return {
        "cpu": model,
        "nproc": str(os.cpu_count()),
        "python": platform.python_version(),
        "kernel": platform.release(),
    }


def _interrupt(signum: int, frame: Any) -> None:
    raise KeyboardInterrupt


def round_notes(rounds: Sequence[dict[str, Any]], cpus: int) -> list[str]:
    """What the table has no room for: how long each worker went on after the uploads ended,
    and how much of the machine the round's processes had (the rest went to other load, the
    clients and the database)."""
    notes = []
    for result in rounds:
        figures, usage = result["figures"], result["usage"]
        share = (usage["web"]["cpu_s"] + usage["worker"]["cpu_s"]) / (result["wall_s"] * cpus)
        notes.append(
            f"  {result['concurrency']} process(es): {figures['succeeded']} media ready, "
            f"{_figure(figures['media_per_second'], digits=2)}/s; the worker went on "
            f"{_figure(figures['drain_s'], digits=1, unit=' s')} after the last upload was "
            f"answered; task p99 {_figure(figures['task_p99_s'], 1000, unit=' ms')}; gunicorn "
            f"and the worker used {share:.0%} of the {cpus} CPUs over the round's "
            f"{result['wall_s']:.0f} s; load average before {result['load_average_before']:.2f}"
        )
    return notes


def unreachable(args: argparse.Namespace) -> str | None:
    """Why PostgreSQL or Redis cannot be used, or None."""
    try:
        with closing(_connect(args.server)):
            pass
    except Exception as exc:
        return f"cannot reach PostgreSQL at {args.server}: {exc}".strip()
    try:
        import redis

        redis.Redis.from_url(args.redis_url, socket_connect_timeout=2).ping()
    except Exception as exc:
        return f"cannot reach Redis at {args.redis_url}: {exc}"
    return None


def drive(args: argparse.Namespace) -> int:
    problem = unreachable(args)
    if problem:
        print(f"bench-upload: {problem}")
        return 2
    started_at = time.monotonic()
    machine = _machine()
    print(f"{machine['nproc']} CPUs ({machine['cpu']}); generating photos...")
    photos = generated_photos()
    if args.quick:
        photos = sorted(photos, key=lambda p: p.megapixels)[:3]
    megapixels = [p.megapixels for p in photos]
    mean_megabytes = sum(len(p.data) for p in photos) / len(photos) / 1e6
    print(
        f"  {len(photos)} JPEGs of {min(megapixels):.1f}-{max(megapixels):.1f} MP "
        f"(mean {sum(megapixels) / len(megapixels):.1f} MP, {mean_megabytes:.1f} MB); each upload "
        "carries camera EXIF with its own ImageUniqueID"
    )
    print(
        f"  {' and '.join(RATE_SETTINGS)} set to {UNTHROTTLED}, so that the throttle "
        "does not cap the benchmark"
    )
    # A plain `kill` unwinds like Ctrl-C, through the `finally` that stops everything.
    signal.signal(signal.SIGTERM, _interrupt)
    secret_key = secrets.token_urlsafe(50)
    rounds = []
    try:
        for number, concurrency in enumerate(args.worker_processes, start=1):
            rounds.append(run_round(args, concurrency, number, photos, secret_key))
    except KeyboardInterrupt:
        print("\nInterrupted: everything started is stopped and the database dropped.")
        return 130
    except RuntimeError as exc:  # a process that would not start, a command that failed
        print(f"bench-upload: {exc}")
        return 1
    finally:
        with suppress(Exception):
            drop_database(args.server)
            flush_redis(args.redis_url)

    elapsed = time.monotonic() - started_at
    settings = {
        "clients": args.clients,
        "uploads_per_client": args.uploads_per_client,
        "gunicorn": f"gthread, {args.web_workers} workers x {args.threads} threads",
        "endpoint": "POST /api/v5/pins, media_source image_base64",
        "throttle": dict.fromkeys(RATE_SETTINGS, UNTHROTTLED),
    }
    lines = [
        "",
        f"{args.clients} clients x {args.uploads_per_client} uploads, gunicorn "
        f"{settings['gunicorn']}, {len(photos)} photos of {min(megapixels):.0f}-"
        f"{max(megapixels):.0f} MP:",
        "",
        *markdown_table(TABLE_HEADER, table_rows(rounds)),
        "",
        *round_notes(rounds, os.cpu_count() or 1),
        "",
        "accepted/s: 201s from the first upload sent to the last answered. API: response time "
        "of the 201s. To succeeded: from sending an upload to its media marked ready. Task: the "
        "worker's time per image (its log). Renditions/s: from the first upload sent to the "
        "last media ready. CPU per upload: CPU time of gunicorn's processes per 201, and of the "
        "worker's per media ready (/proc), the figure least moved by other load.",
        f"Done in {elapsed:.0f} s (load average after: {os.getloadavg()[0]:.2f}). "
        f"Results in {RESULTS.relative_to(REPO)}, logs in {LOGS.relative_to(REPO)}/",
    ]
    print("\n".join(lines))
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    document = {
        "machine": machine,
        "settings": settings,
        "photos": [p.describe() for p in photos],
        "rounds": rounds,
        "elapsed_seconds": elapsed,
    }
    RESULTS.write_text(json.dumps(document, indent=2) + "\n")
    return 1 if any(r["figures"]["errors"] for r in rounds) else 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=8, help="concurrent uploaders (default 8)")
    parser.add_argument(
        "--uploads-per-client", type=int, default=16, help="photos each client sends (default 16)"
    )
    parser.add_argument(
        "--worker-processes",
        type=int,
        nargs="+",
        default=[1, 2],
        help="Celery --concurrency of each round (default: 1 2)",
    )
    parser.add_argument("--web-workers", type=int, default=2, help="gunicorn workers (default 2)")
    parser.add_argument("--threads", type=int, default=4, help="threads per gunicorn worker")
    parser.add_argument(
        "--round-timeout",
        type=float,
        default=150.0,
        help="seconds a round may take to upload and process everything (default 150)",
    )
    parser.add_argument(
        "--server",
        default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_SERVER),
        help=f"PostgreSQL server to create {DATABASE} on "
        "(default: $BENCH_DATABASE_URL or postgres://postgres@127.0.0.1:5432/postgres)",
    )
    parser.add_argument(
        "--redis-url",
        default=os.environ.get("BENCH_REDIS_URL", DEFAULT_REDIS),
        help="a Redis database of the benchmark's own, flushed (default: $BENCH_REDIS_URL or "
        f"{DEFAULT_REDIS})",
    )
    parser.add_argument(
        "--quick",
        action="store_true",
        help="a smoke run: 4 clients, 2 uploads each, the 3 smallest photos",
    )
    args = parser.parse_args()
    if args.quick:
        args.clients, args.uploads_per_client = 4, 2
    return drive(args)


if __name__ == "__main__":
    sys.exit(main())
