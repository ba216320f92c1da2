"""gunicorn's settings for the production image (Dockerfile, docker-compose.yml) and for
`make bench-web`, which measures them; `--bind` and the like on the command line override these.

Threads overlap the time a request waits on PostgreSQL or Redis; processes spread the Python work
over the cores. The counts were chosen by measurement on 2 cores (BENCHMARKS.md, "Web").
"""

import os


def _count(name: str, default: int, most: int = 64) -> int:
    raw = os.environ.get(name, "").strip() or str(default)
    if not raw.isdigit() or not 1 <= int(raw) <= most:
        raise SystemExit(f"{name} must be a whole number from 1 to {most}, not {raw!r}")
    return int(raw)


bind = f"0.0.0.0:{os.environ.get('PORT', '8000')}"
worker_class = "gthread"
# WEB_CONCURRENCY is the usual name for a web server's process count.
workers = _count("WEB_CONCURRENCY", 3)
threads = _count("WEB_THREADS", 4)
# Browsers and API clients reuse connections; a little longer than a typical proxy's idle time
# would be wasted, shorter makes scripts reconnect between calls.
keepalive = 5
# A connection is closed after this many requests (as nginx's keepalive_requests). The processes
# share one listening socket and a connection stays with the process that accepted it, so a few
# clients that connected at the same moment can all land on one process, which then runs them on
# one core while the others idle. Reconnecting now and then lets an idle process take them.
keepalive_requests = _count("WEB_KEEPALIVE_REQUESTS", 100, most=1_000_000)


def pre_request(worker, req):
    if req.req_number >= keepalive_requests:
        req.force_close()


timeout = 30
# On SIGTERM, requests in flight get this long to finish before their worker is stopped.
graceful_timeout = 30
# Recycling a process now and then bounds what a slow leak, or fragmentation, can grow to. Not
# often: a new process rebuilds the related-pins graph (3 s of CPU at a million pins) and its
# caches of rendered cards; at 20,000 a busy server replaced a process every few seconds.
max_requests = 1_000_000
max_requests_jitter = 100_000
