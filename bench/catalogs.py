"""Synthetic catalogs in PostgreSQL for the benchmarks, made once per size and then reused.

A size such as `100k` names a database `catalog_bench_100k` on the benchmark server holding a
catalog from `manage.py generate_catalog`; the parameters it was generated with are recorded in
a one-row marker table, so a database that already holds that catalog is reused.
"""

import argparse
import json
import os
import platform
import re
import subprocess
import sys
import time
from contextlib import closing
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

REPO = Path(__file__).resolve().parent.parent
DEFAULT_SERVER = "postgres://postgres@127.0.0.1:5432/postgres"
MARKER = "bench_catalog"
SEED = 1


def parse_size(raw: str) -> int:
    match = re.fullmatch(r"(\d+)([km]?)", raw.strip().lower())
    if not match:
        raise argparse.ArgumentTypeError(f"{raw!r}: use a number of pins like 10k, 100k or 1m")
    number, unit = match.groups()
    pins = int(number) * {"": 1, "k": 1_000, "m": 1_000_000}[unit]
    if pins < 1_000:
        raise argparse.ArgumentTypeError(f"{raw!r}: at least 1k pins")
    return pins


def size_name(pins: int) -> str:
    if pins % 1_000_000 == 0:
        return f"{pins // 1_000_000}m"
    if pins % 1_000 == 0:
        return f"{pins // 1_000}k"
    return str(pins)


def catalog_parameters(pins: int) -> dict[str, int]:
    """Users and boards in proportion: a board holds 10 pins on average (median far fewer)."""
    return {"pins": pins, "users": max(10, pins // 20), "boards": max(20, pins // 10), "seed": SEED}


def database_url(server: str, name: str) -> str:
    parts = urlsplit(server)
    return urlunsplit(parts._replace(path=f"/{name}"))


def connect(url: str):
    """An autocommit connection (CREATE DATABASE runs outside a transaction); close it with
    contextlib.closing, since psycopg2's own `with` opens a transaction."""
    import psycopg2

    connection = psycopg2.connect(url)
    connection.autocommit = True
    return connection


def server_reachable(server: str) -> str | None:
    try:
        with closing(connect(server)) as connection, connection.cursor() as cursor:
            cursor.execute("SHOW server_version")
            return cursor.fetchone()[0]
    except Exception as exc:
        print(f"bench: cannot reach PostgreSQL at {server}: {exc}".strip())
        return None


def _marker(url: str) -> dict[str, Any] | None:
    """The parameters the database was generated with, or None when it holds no finished one."""
    try:
        connection = connect(url)
    except Exception:
        return None
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT to_regclass(%s)", [MARKER])
            if cursor.fetchone()[0] is None:
                return None
            cursor.execute(f"SELECT parameters, seconds FROM {MARKER}")  # noqa: S608
            row = cursor.fetchone()
            if row is None:
                return None
            cursor.execute("SELECT count(*) FROM pins_pin")
            return {**row[0], "seconds": row[1], "counted_pins": cursor.fetchone()[0]}
    finally:
        connection.close()


def _manage(url: str, *args: str) -> None:
    environment = {**os.environ, "DATABASE_URL": url}
    subprocess.run([sys.executable, "manage.py", *args], cwd=REPO, env=environment, check=True)


def ensure_catalog(server: str, pins: int) -> dict[str, Any]:
    """The catalog database for `pins`, made when missing or holding something else."""
    name = f"catalog_bench_{size_name(pins)}"
    url = database_url(server, name)
    wanted = catalog_parameters(pins)
    found = _marker(url)
    same = found is not None and all(found.get(key) == value for key, value in wanted.items())
    if same and found["counted_pins"] == pins:
        print(f"{name}: reusing the catalog generated earlier")
        # Migrations added since it was generated (new columns, indexes) apply to it as well.
        _manage(url, "migrate", "--verbosity", "0")
        return {"database": name, "url": url, "generated_s": found["seconds"], "reused": True}
    print(f"{name}: creating it and generating {pins:,} pins...")
    with closing(connect(server)) as connection, connection.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}"')
        cursor.execute(f'CREATE DATABASE "{name}"')
    _manage(url, "migrate", "--verbosity", "0")
    started = time.monotonic()
    _manage(
        url,
        "generate_catalog",
        f"--pins={wanted['pins']}",
        f"--users={wanted['users']}",
        f"--boards={wanted['boards']}",
        f"--seed={wanted['seed']}",
    )
    seconds = time.monotonic() - started
    with closing(connect(url)) as connection, connection.cursor() as cursor:
        cursor.execute(f"CREATE TABLE {MARKER} (parameters jsonb NOT NULL, seconds float NOT NULL)")
        cursor.execute(
            f"INSERT INTO {MARKER} VALUES (%s, %s)",  # noqa: S608
            [json.dumps(wanted), seconds],
        )
    return {"database": name, "url": url, "generated_s": seconds, "reused": False}


def machine(server_version: str) -> dict[str, str]:
    model = "unknown"
    try:
        with open("/proc/cpuinfo") as handle:
            model = next(
                (line.split(":", 1)[1].strip() for line in handle if line.startswith("model name")),
                "unknown",
            )
    except OSError:
        pass
    return {
        "cpu": model,
        "nproc": str(os.cpu_count()),
        "python": platform.python_version(),
        "postgresql": server_version,
    }
