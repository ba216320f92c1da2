"""`make bench-web` (bench/web.py): wrk really spreads the load over the paths, its output is read
right, and the targets are judged as the issue states them."""

import argparse
import http.server
import shutil
import threading
from types import SimpleNamespace

import pytest

from bench import web


class _PathRecorder(http.server.BaseHTTPRequestHandler):
    seen: list[str] = []

    def do_GET(self):
        self.seen.append(self.path)
        status = 404 if self.path.startswith("/missing") else 200
        self.send_response(status)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"ok")

    def log_message(self, *args):
        pass


@pytest.fixture
def recording_server():
    _PathRecorder.seen = []
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _PathRecorder)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def _args(**changes) -> argparse.Namespace:
    return argparse.Namespace(**{"wrk_threads": 2, "connections": 4, "duration": 1, **changes})


@pytest.mark.skipif(
    shutil.which("wrk") is None, reason="wrk is not installed (apt-get install wrk)"
)
def test_wrk_cycles_through_every_path_and_counts_what_failed(recording_server):
    paths = [f"/pin/{n}/" for n in range(20)] + ["/missing/1"]
    endpoint = web.Endpoint("pin", "HTML pin page", "html")
    figures = web.run_wrk(recording_server, endpoint, paths, "unused", _args())
    assert set(_PathRecorder.seen) == set(paths)
    assert figures["requests"] >= len(paths)
    assert figures["rps"] > 0
    assert figures["p50_ms"] <= figures["p99_ms"]
    # One path in 21 answers 404: about that share of the requests are errors.
    assert figures["errors"] == pytest.approx(figures["requests"] / 21, rel=0.3, abs=2)


WRK_OUTPUT = """Running 8s test @ http://127.0.0.1:40000
  2 threads and 32 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency    12.06ms   10.01ms 150.35ms   85.12%
    Req/Sec     1.40k   200.12     2.70k    70.00%
  Latency Distribution
     50%  850.00us
     75%    8.10ms
     90%   11.20ms
     99%    1.20s
  22400 requests in 8.00s, 50.12MB read
  Socket errors: connect 0, read 2, write 0, timeout 1
  Non-2xx or 3xx responses: 3
Requests/sec:   2800.50
Transfer/sec:     10.02MB
"""


def test_wrk_output_is_read_in_milliseconds_with_every_kind_of_error():
    figures = web.parse_wrk(WRK_OUTPUT)
    assert figures["rps"] == 2800.50
    assert figures["requests"] == 22400
    assert figures["p50_ms"] == pytest.approx(0.85)
    assert figures["p99_ms"] == pytest.approx(1200.0)
    assert figures["errors"] == 6


def _figures(rps: float, p99: float = 20.0, errors: int = 0) -> dict:
    return {"rps": rps, "p99_ms": p99, "errors": errors}


def test_targets_are_shares_of_the_floor_and_the_largest_catalog_is_held_to_the_smallest():
    results = {
        "10k": {
            "endpoints": {"floor": _figures(1000), "home": _figures(250), "api_pin": _figures(450)}
        },
        "1m": {
            "endpoints": {
                "floor": _figures(500),  # a busier machine: shares are compared, not rates
                "home": _figures(99, p99=120.0),
                "api_pin": _figures(200, errors=1),
            }
        },
    }
    verdicts = {label: holds for label, holds, _ in web.verdicts(results)}
    assert verdicts["10k HTML home, first page: >= 20% of the floor"]
    assert verdicts["10k API pins/get: >= 40% of the floor"]
    assert not verdicts["1m HTML home, first page: >= 20% of the floor"]  # 19.8%
    assert not verdicts["1m HTML home, first page: p99 < 100 ms"]
    assert not verdicts["1m API pins/get: no errors"]
    assert verdicts["API pins/get: 1m within 20% of 10k"]  # 40% of its floor vs 45%: 89%
    assert not verdicts["HTML home, first page: 1m within 20% of 10k"]  # 19.8% vs 25%: 79%


def test_an_endpoint_is_judged_against_the_floor_measured_just_before_it():
    # The size's floor (first and last) was 1000; just before the home page the machine was busy.
    home = {**_figures(150), "floor_rps": 600}
    results = {"10k": {"endpoints": {"floor": _figures(1000), "home": home}}}
    verdicts = {label: figure for label, _, figure in web.verdicts(results)}
    assert verdicts["10k HTML home, first page: >= 20% of the floor"] == "25%"


def test_an_endpoint_reports_its_median_slice_against_the_floor_beside_it(monkeypatch):
    # Floor and endpoint slices alternate; in the second round the machine was slow for both.
    answers = iter(
        [
            {"rps": 2000.0, "requests": 2000, "errors": 0, "p99_ms": 40.0},
            {"rps": 1000.0, "requests": 1000, "errors": 0, "p99_ms": 50.0},
            {"rps": 800.0, "requests": 800, "errors": 0, "p99_ms": 90.0},
            {"rps": 500.0, "requests": 500, "errors": 1, "p99_ms": 150.0},
            {"rps": 2000.0, "requests": 2000, "errors": 0, "p99_ms": 40.0},
            {"rps": 1300.0, "requests": 1300, "errors": 0, "p99_ms": 60.0},
        ]
    )
    monkeypatch.setattr(web, "run_wrk", lambda *args: dict(next(answers)))
    cpu = iter([0.0, 1.0, 1.0, 1.6, 1.6, 2.8])
    server = SimpleNamespace(cpu_seconds=lambda: next(cpu))
    args = SimpleNamespace(rounds=3, duration=5, floor_seconds=5)
    prepared = {"token": "t", "paths": {"floor": ["/bench/floor"], "home": ["/"]}}

    figures = web.measure_rounds(server, "http://x", web.ENDPOINTS[1], prepared, args)

    assert figures["shares"] == [0.5, 0.625, 0.65]
    assert (figures["rps"], figures["floor_rps"], figures["p99_ms"]) == (500.0, 800.0, 150.0)
    assert figures["errors"] == 1
    assert figures["cpu_ms"] == pytest.approx(2.8 * 1000 / 2800)


def test_a_malformed_process_count_stops_the_benchmark_with_one_line(monkeypatch):
    monkeypatch.setenv("WEB_CONCURRENCY", "three")
    monkeypatch.setattr("sys.argv", ["bench.web", "--sizes", "10k"])
    monkeypatch.setattr(web, "server_reachable", lambda server: "17")
    monkeypatch.setattr(web.shutil, "which", lambda name: "/usr/bin/wrk")
    with pytest.raises(SystemExit, match="WEB_CONCURRENCY must be a whole number from 1 to 64"):
        web.main()
