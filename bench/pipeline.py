"""`make bench-pipeline`: the media pipeline against naive Pillow, libvips and the floor.

Every method makes the same 14 outputs per image (see bench/methods.py). Each runs in a fresh
process pinned to one CPU (bench/runner.py), over the same corpus of real wallpaper photos and
PNGs (bench/corpus.py), in several rounds in rotating order; an image's time is the best of all
its runs. Results are printed and written to var/bench/pipeline.json. Figures and method notes:
BENCHMARKS.md.
"""

import argparse
import json
import os
import platform
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from bench import corpus, report, runner
from bench.prerequisites import apt_install, ensure_python_package, missing_debian_packages

REPO = runner.REPO
RESULTS = REPO / "var" / "bench" / "pipeline.json"
BREAKDOWN_METHODS = ("ours", "floor")
RSS_METHODS = ("ours", "naive", "pyvips", "floor")


def _setup() -> tuple[bool, bool]:
    """Install the corpus, libvips + pyvips and numpy when missing; say what is unavailable."""
    print("Setting up (installs only what is missing)...")
    corpus.ensure_installed()
    vips_missing = apt_install(missing_debian_packages(("libvips42",)))
    has_pyvips = not vips_missing and ensure_python_package("pyvips", "pyvips")
    if not has_pyvips:
        print("  note: no pyvips: the libvips comparison is skipped")
    has_numpy = ensure_python_package("numpy", "numpy")
    if not has_numpy:
        print("  note: no numpy: the SSIM check is skipped")
    return has_pyvips, has_numpy


def _read_first(path: str, prefix: str) -> str:
    try:
        with open(path) as handle:
            for line in handle:
                if line.startswith(prefix):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return "unknown"


def _debian_version(package: str) -> str:
    done = subprocess.run(
        ["dpkg-query", "-W", "-f=${Version}", package], capture_output=True, text=True, check=False
    )
    return done.stdout.strip() or "not installed"


def _probe(code: str) -> dict[str, str]:
    """Versions as a fresh interpreter sees them (importing pyvips here would change them)."""
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=False, cwd=REPO
    )
    return json.loads(done.stdout) if done.returncode == 0 else {}


PILLOW_VERSIONS = """
import json, PIL
from PIL import features
print(json.dumps({
    "pillow": PIL.__version__,
    "pillow libjpeg-turbo": features.version("libjpeg_turbo"),
    "pillow libwebp": features.version("webp"),
    "pillow zlib-ng": features.version("zlib_ng"),
}))
"""

VIPS_VERSIONS = """
import json, pyvips
print(json.dumps({
    "pyvips": pyvips.__version__,
    "libvips": ".".join(str(pyvips.version(i)) for i in range(3)),
}))
"""


def machine(has_pyvips: bool) -> dict[str, str]:
    info = {
        "cpus": f"{os.cpu_count()} (nproc {len(os.sched_getaffinity(0))})",
        "cpu model": _read_first("/proc/cpuinfo", "model name"),
        "memory": _read_first("/proc/meminfo", "MemTotal"),
        "os": f"Debian {Path('/etc/debian_version').read_text().strip()}, "
        f"Linux {platform.release()}",
        "python": platform.python_version(),
        **_probe(PILLOW_VERSIONS),
    }
    if has_pyvips:
        info |= {
            **_probe(VIPS_VERSIONS),
            "libvips libjpeg-turbo": _debian_version("libjpeg62-turbo"),
            "libvips libwebp": _debian_version("libwebp7"),
        }
    return info


def _measure(
    names: list[str], paths: list[str], cpu: int, args: argparse.Namespace
) -> dict[str, list[dict[str, Any]]]:
    """Every method over the corpus, once per round, each round in a rotated order."""
    runs: dict[str, list[dict[str, Any]]] = {name: [] for name in names}
    for index in range(args.rounds):
        order = names[index % len(names) :] + names[: index % len(names)]
        print(f"Timing, round {index + 1}/{args.rounds}: {', '.join(order)}")
        for name in order:
            result = runner.run(
                name,
                paths,
                cpu,
                min_seconds=args.min_seconds,
                max_reps=args.max_reps,
                warmup=True,
                outputs=index == 0,
            )
            if result is not None:
                runs[name].append(result)
    return {name: results for name, results in runs.items() if results}


def drive(args: argparse.Namespace) -> int:
    started = time.perf_counter()
    load_before = os.getloadavg()
    has_pyvips, has_numpy = _setup()
    found = corpus.find_images()
    images = corpus.select_sample(found)[: args.images]
    if not images:
        print("No JPEG or PNG found under /usr/share/backgrounds or /usr/share/wallpapers.")
        return 1
    largest = corpus.largest_jpeg(images)
    names = [m for m in args.methods if has_pyvips or not m.startswith("pyvips")]
    cpu = args.cpu if args.cpu is not None else max(os.sched_getaffinity(0))
    info = machine(has_pyvips)
    megapixels = sum(image.megapixels for image in images)
    print("\nMachine:")
    print("\n".join(f"  {key}: {value}" for key, value in info.items()))
    print(f"  load average before: {load_before[0]:.2f}")
    print(
        f"\nCorpus: {len(images)} images, {megapixels:.1f} MP, from {len(found)} candidates "
        f"({sum(i.format == 'PNG' for i in images)} PNG, "
        f"{sum(i.transparent for i in images)} with transparency); pinned to CPU {cpu}"
    )

    paths = [image.path for image in images]
    runs = _measure(names, paths, cpu, args)
    print("Checking outputs against naive (sizes, formats, SSIM at 736x)...")
    made = {
        name: results[0].pop("outputs") for name, results in runs.items() if "outputs" in results[0]
    }
    quality = report.check_quality(images, made, has_numpy)
    rss_alone: dict[str, float] = {}
    if largest is not None:
        print(f"Peak RSS with {largest.label} ({largest.megapixels:.1f} MP) alone...")
        for name in (n for n in RSS_METHODS if n in runs):
            result = runner.run(name, [largest.path], cpu, min_seconds=0, max_reps=1)
            if result is not None:
                rss_alone[name] = result["peak_rss_kb"] / 1024
    print("Time by stage...")
    stages = {}
    for name in (n for n in BREAKDOWN_METHODS if n in runs):
        result = runner.run(name, paths, cpu, stages=True, warmup=True)
        if result is not None:
            stages[name] = result

    summary = {name: report.summarise(results, megapixels) for name, results in runs.items()}
    targets = report.targets(summary, quality, rss_alone, largest)
    lines = report.render(images, summary, quality, rss_alone, stages, targets, args.rounds)
    elapsed = time.perf_counter() - started
    load_after = os.getloadavg()
    lines.append(f"\nDone in {elapsed:.0f} s (load average after: {load_after[0]:.2f}).")
    lines.append(f"Results in {RESULTS.relative_to(REPO)}")
    print("\n".join(lines))

    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    results = {
        "machine": info,
        "load_average": {"before": load_before, "after": load_after},
        "cpu_pinned": cpu,
        "settings": {
            "rounds": args.rounds,
            "min_seconds": args.min_seconds,
            "max_reps": args.max_reps,
        },
        "corpus": [image.as_dict() for image in images],
        "summary": summary,
        "targets": targets,
        "peak_rss_mb_largest_jpeg_alone": rss_alone,
        "largest_jpeg": largest.as_dict() if largest else None,
        "stages": stages,
        "quality": quality,
        "runs": runs,
        "elapsed_seconds": elapsed,
    }
    RESULTS.write_text(json.dumps(results, indent=2) + "\n")
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=2, help="fresh processes per method")
    parser.add_argument(
        "--min-seconds", type=float, default=0.2, help="repeat an image until this much time"
    )
    parser.add_argument("--max-reps", type=int, default=10, help="repeats per image per round")
    parser.add_argument("--images", type=int, default=None, help="only the N smallest images")
    parser.add_argument("--cpu", type=int, default=None, help="CPU to pin to (default: last)")
    parser.add_argument(
        "--methods", nargs="+", default=list(runner.METHOD_NAMES), choices=runner.METHOD_NAMES
    )
    return drive(parser.parse_args())


if __name__ == "__main__":
    sys.exit(main())
