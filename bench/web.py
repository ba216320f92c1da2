"""`make bench-web`: the site under load, served as in production, at 10k, 100k and 1m pins.

For each size the driver makes or reuses the catalog database (bench/catalogs.py), starts gunicorn
with the production settings and `gunicorn.conf.py` (DEBUG off, PostgreSQL, Redis as the cache),
and drives each endpoint with `wrk` from 127.0.0.1 for a fixed time at a fixed number of
connections. Each endpoint cycles through many pins, boards or queries (bench/wrk_paths.lua), so
no cache is asked the same thing over and over.

In the same server it measures a floor: a minimal Django view returning a fixed 2 KB JSON document
(bench/web_urls.py). Each endpoint runs in a few slices, each right after a slice of the floor,
and is reported by its median slice as a fraction of the floor beside it (`measure_rounds`),
with its p50, p99, errors and SQL queries per request (counted by the server for one request,
when asked with a header), and checked against the targets: API endpoints at 40% of the floor
or more, HTML pages at 20% or more, p99 under 100 ms, no errors, and the largest catalog within
20% of the smallest. Results go to var/bench/web.json; method and figures are in BENCHMARKS.md.

Served as configured, anonymous pages and API reads are kept whole until the next write
(catalog/response_cache.py), so after each endpoint's first pass most requests are sent from the
cache; the SQL column counts the first request's render. `--render` keeps nothing and measures
rendering every request (written to var/bench/web-render.json).
"""

import argparse
import json
import os
import random
import re
import runpy
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import redis

from bench.catalogs import (
    DEFAULT_SERVER,
    SEED,
    ensure_catalog,
    machine,
    parse_size,
    server_reachable,
    size_name,
)

REPO = Path(__file__).resolve().parent.parent
RESULTS = REPO / "var" / "bench" / "web.json"
WORK_DIR = REPO / "var" / "bench" / "web"
DEFAULT_SIZES = ("10k", "100k", "1m")
DEFAULT_REDIS = "redis://127.0.0.1:6379/13"
PATHS_PER_ENDPOINT = 100

# What people type into the search box (the same mix as bench/discovery.py's).
SEARCH_QUERIES = ("ideas", "quince", "summer garden", "kitc", '"chocolate chip cookies"', "garden")

API_TARGET = 0.40
HTML_TARGET = 0.20
P99_TARGET_MS = 100.0
SCALE_TOLERANCE = 0.20


@dataclass(frozen=True)
class Endpoint:
    key: str
    label: str
    kind: str  # "floor", "html" or "api"


ENDPOINTS = (
    Endpoint("floor", "floor: fixed 2 KB JSON", "floor"),
    Endpoint("home", "HTML home, first page", "html"),
    Endpoint("home_deep", "HTML home, deep page", "html"),
    Endpoint("board", "HTML board page", "html"),
    Endpoint("pin", "HTML pin page", "html"),
    Endpoint("search", "HTML search", "html"),
    Endpoint("api_board_pins", "API boards/list_pins", "api"),
    Endpoint("api_board_pins_deep", "API boards/list_pins, deep", "api"),
    Endpoint("api_pin", "API pins/get", "api"),
    Endpoint("api_search", "API search/pins", "api"),
)


# --- Inside Django: the paths each endpoint cycles through ----------------------------------------


def prepare(count: int) -> dict[str, Any]:
    """A reader's token and `count` paths per endpoint, drawn from the catalog with its skew:
    popular boards are visited more, deep pages start halfway down."""
    import django

    django.setup()
    from urllib.parse import quote, urlencode

    from django.db.models import Count, Max, Min

    from accounts.models import User
    from accounts.services import access_token_create
    from boards.models import Board
    from catalog.api.pagination import bookmark_after
    from pins.models import Pin

    draw = random.Random(SEED)  # noqa: S311 - sampling, not secrets
    # The API is read by the catalog's most prolific pinner: `search/pins` searches the caller's
    # own pins, so theirs is the largest search there is.
    reader = User.objects.get(
        pk=Pin.objects.values("owner").annotate(n=Count("pk")).order_by("-n")[0]["owner"]
    )
    token = access_token_create(
        user=reader, name="bench-web", scopes=["pins:read", "boards:read"]
    ).raw

    public_pins = Pin.objects.filter(board__privacy=Board.Privacy.PUBLIC)
    bounds = public_pins.aggregate(low=Min("pk"), high=Max("pk"))
    low, high = bounds["low"], bounds["high"]

    def public_pin_near(key: int) -> int:
        return public_pins.filter(pk__gte=key).order_by("pk").values_list("pk", flat=True)[0]

    pin_ids = [public_pin_near(draw.randint(low, high)) for _ in range(count)]
    # Deep into infinite scroll: somewhere in the middle half of everything.
    deep_keys = [
        draw.randint(low + (high - low) // 4, high - (high - low) // 4) for _ in range(count)
    ]

    boards = list(
        Board.objects.filter(privacy=Board.Privacy.PUBLIC, pin_count__gte=60)
        .order_by("-pin_count")
        .values_list("pk", "owner__username", "slug", "pin_count")[:count]
    )
    if not boards:
        raise SystemExit("bench-web: the catalog has no public board with 60 pins or more")
    # Popular boards are visited more: weight by pins, the way the generator skews saves.
    weights = [total for *_, total in boards]
    visited = draw.choices(boards, weights=weights, k=count)

    def middle_bookmark(board_id: int, total: int) -> str:
        middle = (
            Pin.objects.filter(board_id=board_id)
            .order_by("-pk")
            .values_list("pk", flat=True)[total // 2]
        )
        # The context names the list, as boards/api.py's BoardPinsView does.
        return bookmark_after(middle, context=f"boards/list_pins:{board_id}")

    deep_bookmarks = {pk: middle_bookmark(pk, total) for pk, _, _, total in set(visited)}
    queries = [SEARCH_QUERIES[n % len(SEARCH_QUERIES)] for n in range(count)]
    return {
        "token": token,
        "paths": {
            "floor": ["/bench/floor"],
            "home": ["/"],
            "home_deep": [f"/?before={key}" for key in deep_keys],
            "board": [f"/{quote(user)}/{quote(slug)}/" for _, user, slug, _ in visited],
            "pin": [f"/pin/{pk}/" for pk in pin_ids],
            "search": [f"/search/?{urlencode({'q': query})}" for query in queries],
            "api_board_pins": [f"/api/v5/boards/{pk}/pins" for pk, *_ in visited],
            "api_board_pins_deep": [
                f"/api/v5/boards/{pk}/pins?{urlencode({'bookmark': deep_bookmarks[pk]})}"
                for pk, *_ in visited
            ],
            "api_pin": [f"/api/v5/pins/{pk}" for pk in pin_ids],
            "api_search": [f"/api/v5/search/pins?{urlencode({'query': q})}" for q in queries],
        },
    }


# --- Driver ---------------------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _server_environment(database_url: str, args: argparse.Namespace, static_root: Path) -> dict:
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "bench.web_settings",
        "DATABASE_URL": database_url,
        "REDIS_URL": args.redis,
        "DEBUG": "false",
        "SECRET_KEY": args.secret_key,
        "ALLOWED_HOSTS": "127.0.0.1",
        "STATIC_ROOT": str(static_root),
        "VAR_DIR": str(WORK_DIR / "var"),
        "LOG_LEVEL": "WARNING",
        # The load comes from one address and one token: the per-client limits would answer
        # most of it with 429, which is their job but not what is measured here.
        "API_RATE_READ": "100000000/second",
        "WEB_CONCURRENCY": str(args.workers),
        "WEB_THREADS": str(args.threads),
        "PYTHONUNBUFFERED": "1",
        **({"RESPONSE_CACHE_SECONDS": "0"} if args.render else {}),
    }


def _collectstatic(environment: dict) -> None:
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
        cwd=REPO,
        env=environment,
        check=True,
    )


def _prepared(environment: dict, count: int) -> dict[str, Any]:
    done = subprocess.run(
        [sys.executable, "-m", "bench.web", "--prepare", f"--paths={count}"],
        cwd=REPO,
        env=environment,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        print(done.stderr[-3000:], file=sys.stderr)
        raise SystemExit("bench-web: preparing the paths failed")
    return json.loads(done.stdout.strip().splitlines()[-1])


class Server:
    """gunicorn in a session of its own, stopped with its workers whatever happens."""

    def __init__(self, environment: dict, port: int, log_path: Path) -> None:
        self.port = port
        self.log_path = log_path
        log_path.parent.mkdir(parents=True, exist_ok=True)
        with log_path.open("wb") as log:
            self.process = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "gunicorn",
                    "catalog.wsgi:application",
                    "--config",
                    str(REPO / "gunicorn.conf.py"),
                    "--bind",
                    f"127.0.0.1:{port}",
                    "--no-control-socket",
                ],
                cwd=REPO,
                env=environment,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    def wait_ready(self, timeout: float = 60.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise SystemExit(f"bench-web: gunicorn exited; see {self.log_path}")
            if _get(f"http://127.0.0.1:{self.port}/healthz")[0] == 200:
                return
            time.sleep(0.2)
        raise SystemExit(f"bench-web: gunicorn did not answer /healthz; see {self.log_path}")

    def cpu_seconds(self) -> float:
        """CPU time used so far by gunicorn and its workers (its process group)."""
        ticks = 0
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                stat = (entry / "stat").read_text()
            except OSError:  # ended while we looked
                continue
            fields = stat[stat.rindex(")") + 2 :].split()
            if int(fields[2]) == self.process.pid:  # the process group
                ticks += int(fields[11]) + int(fields[12])  # utime, stime
                if int(entry.name) == self.process.pid:
                    # The master's reaped children: workers that were replaced count too.
                    ticks += int(fields[13]) + int(fields[14])
        return ticks / os.sysconf("SC_CLK_TCK")

    def wait_until_idle(self, timeout: float = 120.0) -> None:
        """Wait for the workers to finish starting: each builds the related-pins graph in the
        background (seconds at a million pins), which would otherwise be measured as load."""
        deadline = time.monotonic() + timeout
        used = self.cpu_seconds()
        while time.monotonic() < deadline:
            time.sleep(1.0)
            now = self.cpu_seconds()
            if now - used < 0.05:
                return
            used = now

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()


def _get(url: str, headers: dict | None = None) -> tuple[int | None, dict]:
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            response.read()
            return response.status, dict(response.headers)
    except urllib.error.HTTPError as exc:
        return exc.code, dict(exc.headers)
    except OSError:
        return None, {}


def _headers(endpoint: Endpoint, token: str) -> dict[str, str]:
    if endpoint.kind == "api":
        return {"Authorization": f"Bearer {token}"}
    if endpoint.kind == "floor":
        # The floor is the view itself, every time: with a cookie (as a signed-in visitor has),
        # its response is neither looked up among the kept ones nor kept.
        return {"Cookie": "bench=floor"}
    return {}


def check_paths(base: str, endpoint: Endpoint, paths: list[str], token: str) -> dict[str, Any]:
    """Every path answered once (which also warms the server), the SQL count of rendering the
    first, and whether it is then sent from the kept responses (catalog/response_cache.py)."""
    headers = _headers(endpoint, token)
    _, rendered = _get(base + paths[0], {**headers, "X-Bench-Queries": "1"})
    failures = []
    for path in paths:
        status, _ = _get(base + path, headers)
        if status != 200:
            failures.append(f"{status} {path}")
    _, again = _get(base + paths[0], {**headers, "X-Bench-Queries": "1"})
    queries = rendered.get("X-Bench-Queries")
    return {
        "failures": failures,
        "queries": int(queries) if queries else None,
        "kept": again.get("X-Cache") == "hit",
        "kept_queries": int(again.get("X-Bench-Queries") or 0),
    }


_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0}


def _milliseconds(raw: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s)", raw).groups()
    return float(number) * _UNITS[unit]


def parse_wrk(output: str) -> dict[str, Any]:
    """Requests/s, latency percentiles and errors from `wrk --latency` output."""
    figures: dict[str, Any] = {
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1)),
        "requests": int(re.search(r"(\d+) requests in", output).group(1)),
    }
    for percentile in ("50", "75", "90", "99"):
        match = re.search(rf"^\s+{percentile}(?:\.000)?%\s+([\d.]+(?:us|ms|s))\s*$", output, re.M)
        figures[f"p{percentile}_ms"] = _milliseconds(match.group(1)) if match else None
    non_2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", output)
    socket_errors = re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output
    )
    figures["errors"] = (int(non_2xx.group(1)) if non_2xx else 0) + (
        sum(int(n) for n in socket_errors.groups()) if socket_errors else 0
    )
    return figures


def run_wrk(
    base: str, endpoint: Endpoint, paths: list[str], token: str, args: argparse.Namespace
) -> dict[str, Any]:
    with tempfile.NamedTemporaryFile("w", suffix=".paths", delete=False) as listing:
        listing.write("\n".join(paths) + "\n")
    command = [
        "wrk",
        f"--threads={args.wrk_threads}",
        f"--connections={args.connections}",
        f"--duration={args.duration}s",
        "--timeout=10s",
        "--latency",
        f"--script={REPO / 'bench' / 'wrk_paths.lua'}",
    ]
    for name, value in _headers(endpoint, token).items():
        command += ["--header", f"{name}: {value}"]
    try:
        done = subprocess.run(
            [*command, base],
            env={**os.environ, "WRK_PATHS": listing.name},
            capture_output=True,
            text=True,
            check=True,
        )
    finally:
        os.unlink(listing.name)
    return parse_wrk(done.stdout)


def measure_size(
    pins: int, server: str, args: argparse.Namespace, static_root: Path
) -> dict[str, Any]:
    catalog = ensure_catalog(server, pins)
    environment = _server_environment(catalog["url"], args, static_root)
    # Each size starts with empty caches: nothing warmed by another catalog's run.
    redis.Redis.from_url(args.redis).flushdb()
    prepared = _prepared(environment, args.paths)
    port = _free_port()
    server_process = Server(environment, port, WORK_DIR / f"gunicorn-{size_name(pins)}.log")
    results: dict[str, Any] = {"catalog": catalog, "endpoints": {}}
    try:
        server_process.wait_ready()
        server_process.wait_until_idle()
        base = f"http://127.0.0.1:{port}"
        # The floor is measured first and again last; the endpoints are judged against the mean,
        # so a machine that slows down or speeds up during the run does not skew one end.
        for endpoint in [*_chosen(args), ENDPOINTS[0]]:
            paths = prepared["paths"][endpoint.key]
            checked = check_paths(base, endpoint, paths, prepared["token"])
            # A short unmeasured run: caches, connections and the related-pins graph warm up.
            warm = argparse.Namespace(**{**vars(args), "duration": args.warmup})
            run_wrk(base, endpoint, paths, prepared["token"], warm)
            if endpoint.kind == "floor":
                whole = argparse.Namespace(
                    **{**vars(args), "duration": args.duration * args.rounds}
                )
                used = server_process.cpu_seconds()
                figures = run_wrk(base, endpoint, paths, prepared["token"], whole)
                figures["cpu_ms"] = (
                    (server_process.cpu_seconds() - used) * 1000 / figures["requests"]
                )
            else:
                figures = measure_rounds(server_process, base, endpoint, prepared, args)
            figures["queries"] = checked["queries"]
            figures["kept"] = checked["kept"]
            figures["kept_queries"] = checked["kept_queries"]
            figures["errors"] += len(checked["failures"])
            figures["failures"] = checked["failures"][:5]
            earlier = results["endpoints"].get(endpoint.key)
            if earlier is not None:  # the floor's second measure
                figures = _mean_floor(earlier, figures)
            results["endpoints"][endpoint.key] = figures
            print(
                f"  {size_name(pins):>5} {endpoint.label:<30} {figures['rps']:8.0f} req/s"
                f"  p50 {figures['p50_ms']:6.1f} ms  p99 {figures['p99_ms']:6.1f} ms"
                f"  errors {figures['errors']}  queries {figures['queries']}"
                f"{' (kept: ' + str(figures['kept_queries']) + ')' if figures['kept'] else ''}"
                f"  gunicorn CPU {figures['cpu_ms']:.2f} ms/request"
                + (
                    f"  (floor beside it: {figures['floor_rps']:.0f} req/s)"
                    if "floor_rps" in figures
                    else ""
                ),
                flush=True,
            )
    finally:
        server_process.stop()
    return results


def measure_rounds(
    server_process: "Server",
    base: str,
    endpoint: Endpoint,
    prepared: dict[str, Any],
    args: argparse.Namespace,
) -> dict[str, Any]:
    """The endpoint measured in `args.rounds` slices of `args.duration` seconds, each right after
    a slice of the floor. The figures are those of the slice with the median share of its floor:
    on a shared VM the machine slows down by half or more for tens of seconds at a time (the
    floor too), and one such stretch then moves neither side of the verdicts. Errors count over
    every slice, and the CPU per request over every slice of the endpoint."""
    floor_slice = argparse.Namespace(**{**vars(args), "duration": args.floor_seconds})
    slices, cpu_seconds = [], 0.0
    for _ in range(args.rounds):
        floor = run_wrk(
            base, ENDPOINTS[0], prepared["paths"]["floor"], prepared["token"], floor_slice
        )
        used = server_process.cpu_seconds()
        measured = run_wrk(base, endpoint, prepared["paths"][endpoint.key], prepared["token"], args)
        cpu_seconds += server_process.cpu_seconds() - used
        slices.append({**measured, "floor_rps": floor["rps"]})
    slices.sort(key=lambda figures: figures["rps"] / figures["floor_rps"])
    median = slices[len(slices) // 2]
    requests = sum(figures["requests"] for figures in slices)
    return {
        **median,
        "errors": sum(figures["errors"] for figures in slices),
        "requests": requests,
        "cpu_ms": cpu_seconds * 1000 / requests,
        "shares": [round(figures["rps"] / figures["floor_rps"], 3) for figures in slices],
    }


def _mean_floor(first: dict[str, Any], last: dict[str, Any]) -> dict[str, Any]:
    mean = {
        key: (first[key] + last[key]) / 2 for key in ("rps", "p50_ms", "p75_ms", "p90_ms", "p99_ms")
    }
    return {
        **last,
        **mean,
        "p99_ms": max(first["p99_ms"], last["p99_ms"]),
        "errors": first["errors"] + last["errors"],
        "requests": first["requests"] + last["requests"],
        "cpu_ms": (first["cpu_ms"] + last["cpu_ms"]) / 2,
        "rps_first_last": [first["rps"], last["rps"]],
    }


def _chosen(args: argparse.Namespace) -> list[Endpoint]:
    if not args.only:
        return list(ENDPOINTS)
    wanted = {"floor", *args.only}
    return [endpoint for endpoint in ENDPOINTS if endpoint.key in wanted]


def share_of_floor(figures: dict[str, Any], endpoints: dict[str, Any]) -> float:
    """An endpoint's req/s over the floor measured just before it (or, in results written before
    that was measured, the size's floor)."""
    return figures["rps"] / (figures.get("floor_rps") or endpoints["floor"]["rps"])


def verdicts(results: dict[str, dict[str, Any]]) -> list[tuple[str, bool, str]]:
    """Each target, whether it holds, and the figure it was judged on."""
    checks = []
    sizes = list(results)
    for size in sizes:
        endpoints = results[size]["endpoints"]
        for endpoint in ENDPOINTS:
            figures = endpoints.get(endpoint.key)
            if figures is None:
                continue
            if endpoint.kind != "floor":
                target = API_TARGET if endpoint.kind == "api" else HTML_TARGET
                share = share_of_floor(figures, endpoints)
                checks.append(
                    (
                        f"{size} {endpoint.label}: >= {target:.0%} of the floor",
                        share >= target,
                        f"{share:.0%}",
                    )
                )
            checks.append(
                (
                    f"{size} {endpoint.label}: p99 < {P99_TARGET_MS:.0f} ms",
                    figures["p99_ms"] < P99_TARGET_MS,
                    f"{figures['p99_ms']:.1f} ms",
                )
            )
            checks.append((f"{size} {endpoint.label}: no errors", figures["errors"] == 0, ""))
    if len(sizes) > 1:
        smallest, largest = sizes[0], sizes[-1]
        for endpoint in ENDPOINTS:
            small = results[smallest]["endpoints"].get(endpoint.key)
            large = results[largest]["endpoints"].get(endpoint.key)
            if endpoint.kind == "floor" or small is None or large is None:
                continue
            # Compared as shares of the floor, so a busier machine during one run does not pass
            # for the catalog's size.
            ratio = share_of_floor(large, results[largest]["endpoints"]) / share_of_floor(
                small, results[smallest]["endpoints"]
            )
            checks.append(
                (
                    f"{endpoint.label}: {largest} within {SCALE_TOLERANCE:.0%} of {smallest}",
                    ratio >= 1 - SCALE_TOLERANCE,
                    f"{ratio:.0%}",
                )
            )
    return checks


def print_report(results: dict[str, dict[str, Any]]) -> None:
    sizes = list(results)
    print()
    header = "| endpoint | " + " | ".join(
        f"{size} req/s | % floor | p50 ms | p99 ms | err | SQL | CPU ms" for size in sizes
    )
    print(header + " |")
    print("| --- " + "| ---: " * (7 * len(sizes)) + "|")
    for endpoint in ENDPOINTS:
        cells = []
        for size in sizes:
            figures = results[size]["endpoints"].get(endpoint.key)
            if figures is None:
                cells += ["-"] * 7
                continue
            cells += [
                f"{figures['rps']:.0f}",
                f"{share_of_floor(figures, results[size]['endpoints']):.0%}",
                f"{figures['p50_ms']:.1f}",
                f"{figures['p99_ms']:.1f}",
                str(figures["errors"]),
                "-" if figures["queries"] is None else str(figures["queries"]),
                f"{figures['cpu_ms']:.2f}",
            ]
        print(f"| {endpoint.label} | " + " | ".join(cells) + " |")
    print()
    for size in sizes:
        first_last = results[size]["endpoints"]["floor"].get("rps_first_last")
        if first_last:
            print(f"floor at {size}: {first_last[0]:.0f} req/s first, {first_last[1]:.0f} last")
    failed = 0
    for label, holds, figure in verdicts(results):
        if not holds:
            failed += 1
        print(f"  {'ok  ' if holds else 'MISS'} {label} {figure}".rstrip())
    print(f"\n{failed} target(s) missed" if failed else "\nAll targets met.")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", nargs="+", type=parse_size, default=None)
    parser.add_argument("--server", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_SERVER))
    parser.add_argument("--redis", default=os.environ.get("BENCH_REDIS_URL", DEFAULT_REDIS))
    parser.add_argument(
        "--duration", type=int, default=5, help="seconds per slice of an endpoint (and the floor)"
    )
    parser.add_argument("--rounds", type=int, default=3, help="slices per endpoint")
    parser.add_argument("--warmup", type=int, default=3, help="unmeasured seconds first")
    parser.add_argument(
        "--floor-seconds", type=int, default=5, help="the floor's slice before each endpoint slice"
    )
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--wrk-threads", type=int, default=2)
    parser.add_argument("--workers", type=int, default=None, help="gunicorn processes")
    parser.add_argument("--threads", type=int, default=None, help="threads per process")
    parser.add_argument("--paths", type=int, default=PATHS_PER_ENDPOINT)
    parser.add_argument("--only", nargs="+", choices=[e.key for e in ENDPOINTS if e.key != "floor"])
    parser.add_argument(
        "--render",
        action="store_true",
        help="keep no whole responses (RESPONSE_CACHE_SECONDS=0): every request is rendered",
    )
    parser.add_argument("--prepare", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.prepare:
        print(json.dumps(prepare(args.paths)))
        return
    if shutil.which("wrk") is None:
        raise SystemExit("bench-web: wrk is not installed (Debian: apt-get install wrk)")
    version = server_reachable(args.server)
    if version is None:
        raise SystemExit(1)
    # The counts the server will run with, read (and checked) by gunicorn.conf.py itself.
    configured = runpy.run_path(str(REPO / "gunicorn.conf.py"))
    args.workers = args.workers or configured["workers"]
    args.threads = args.threads or configured["threads"]
    args.secret_key = secrets.token_urlsafe(50)
    sizes = args.sizes or [parse_size(size) for size in DEFAULT_SIZES]

    WORK_DIR.mkdir(parents=True, exist_ok=True)
    static_root = WORK_DIR / "static"
    _collectstatic(_server_environment(DEFAULT_SERVER, args, static_root))
    print(
        f"gunicorn gthread {args.workers} processes x {args.threads} threads; wrk "
        f"{args.connections} connections; per endpoint {args.rounds} slices of {args.duration} s,"
        f" each after {args.floor_seconds} s of the floor, after {args.warmup} s unmeasured; "
        + ("every response rendered (--render)" if args.render else "whole responses kept")
    )
    results = {}
    for pins in sizes:
        results[size_name(pins)] = measure_size(pins, args.server, args, static_root)
    print_report(results)
    written = RESULTS.with_name("web-render.json") if args.render else RESULTS
    written.parent.mkdir(parents=True, exist_ok=True)
    settings = {
        key: getattr(args, key)
        for key in (
            "duration",
            "rounds",
            "warmup",
            "floor_seconds",
            "connections",
            "wrk_threads",
            "workers",
            "threads",
            "render",
        )
    }
    written.write_text(
        json.dumps(
            {"machine": machine(version), "settings": settings, "results": results}, indent=2
        )
        + "\n"
    )
    print(f"\nWritten to {written.relative_to(REPO)}")


if __name__ == "__main__":
    main()
