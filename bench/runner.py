"""One method timed in its own process, pinned to one CPU: `python -m bench.runner METHOD`.

The driver (bench/pipeline.py) starts one of these per method and round, so that every method
starts from a fresh interpreter and its peak memory is its own. It prints one JSON line.
"""

import argparse
import base64
import json
import math
import os
import resource
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from bench.report import SSIM_SPEC

REPO = Path(__file__).resolve().parent.parent
METHOD_NAMES = ("ours", "naive", "pyvips", "pyvips-matched", "floor")


def _peak_rss_kb() -> int:
    """This process's own peak RSS (VmHWM).

    ru_maxrss is not used for this: Linux carries the parent's peak into a child across fork and
    exec, so a worker would report the benchmark driver's memory.
    """
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def _time_one(
    method: Any, data: bytes, min_seconds: float, max_reps: int
) -> tuple[float, float, int, list[Any]]:
    """Best wall time and best CPU time of repeated runs (at least one, more until
    `min_seconds`), the number of runs, and the outputs."""
    best, best_cpu, spent, reps = math.inf, math.inf, 0.0, 0
    while reps < max_reps and (reps == 0 or spent < min_seconds):
        started, started_cpu = time.perf_counter(), time.process_time()
        outputs = method(data)
        elapsed = time.perf_counter() - started
        best = min(best, elapsed)
        best_cpu = min(best_cpu, time.process_time() - started_cpu)
        spent, reps = spent + elapsed, reps + 1
    return best, best_cpu, reps, outputs


def _described(outputs: list[Any]) -> list[list[Any]]:
    """Name, format and size of every output, and the bytes of the one SSIM compares."""
    described = []
    for o in outputs:
        data = base64.b64encode(o.data).decode() if o.name == SSIM_SPEC else None
        described.append([o.name, o.format, o.width, o.height, data])
    return described


def work(args: argparse.Namespace) -> None:
    os.sched_setaffinity(0, {args.cpu})
    from bench import methods

    method = methods.METHODS[args.method]
    if args.method.startswith("pyvips"):
        import pyvips

        # The same buffer is thumbnailed again on every repeat: the cache would answer instead.
        pyvips.cache_set_max(0)
    result: dict[str, Any] = {"idle_rss_kb": _peak_rss_kb()}
    if args.warmup:
        method(Path(args.paths[0]).read_bytes())
    if args.stages:
        from bench.stages import timing_stages

        total = 0.0
        with timing_stages() as clock:
            for path in args.paths:
                data = Path(path).read_bytes()
                started = time.perf_counter()
                method(data)
                total += time.perf_counter() - started
        result |= {"total": total, "stages": dict(clock.seconds)}
    else:
        seconds, cpu_seconds, reps, described = [], [], [], []
        for path in args.paths:
            best, best_cpu, count, outputs = _time_one(
                method, Path(path).read_bytes(), args.min_seconds, args.max_reps
            )
            seconds.append(best)
            cpu_seconds.append(best_cpu)
            reps.append(count)
            if args.outputs:
                described.append(_described(outputs))
            del outputs
        result |= {"seconds": seconds, "cpu_seconds": cpu_seconds, "reps": reps}
        if args.outputs:
            result["outputs"] = described
    result["peak_rss_kb"] = _peak_rss_kb()
    result["ru_maxrss_kb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(json.dumps(result))


def run(method: str, paths: list[str], cpu: int, **options: Any) -> dict[str, Any] | None:
    """Run one method in a fresh process; None (with a printed note) if it failed."""
    command = [sys.executable, "-m", "bench.runner", method, "--cpu", str(cpu)]
    for key, value in options.items():
        flag = "--" + key.replace("_", "-")
        if value is True:
            command.append(flag)
        elif value is not False:
            command += [flag, str(value)]
    command += ["--paths", *paths]
    # libvips sizes its thread pool from the CPU count; say "one" outright.
    environment = {**os.environ, "VIPS_CONCURRENCY": "1"}
    done = subprocess.run(
        command, cwd=REPO, env=environment, capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        tail = done.stderr.strip().splitlines()[-1:] or ["no output"]
        print(f"  note: {method} failed, left out: {tail[0]}")
        return None
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("method", choices=METHOD_NAMES)
    parser.add_argument("--cpu", type=int, required=True)
    parser.add_argument("--paths", nargs="+", required=True)
    parser.add_argument("--min-seconds", type=float, default=0.0)
    parser.add_argument("--max-reps", type=int, default=1)
    parser.add_argument("--warmup", action="store_true", help="one untimed run first")
    parser.add_argument("--stages", action="store_true", help="time by stage, one pass")
    parser.add_argument("--outputs", action="store_true", help="report the outputs made")
    work(parser.parse_args())


if __name__ == "__main__":
    main()
