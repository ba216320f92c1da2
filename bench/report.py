"""Quality checks, summaries, target verdicts and the printed report of bench/pipeline.py."""

import base64
from pathlib import Path
from typing import Any

from bench import methods

SSIM_SPEC = "736x"
TARGET_VS_NAIVE = 2.5
TARGET_VS_PYVIPS = 1.5
TARGET_VS_FLOOR = 1.3
TARGET_RSS_MB = 150
TARGET_SSIM = 0.99
# Best runs whose wall time exceeds their CPU time by more than this were slowed by other load.
BUSY = 1.05


def _sizes(outputs: list[list[Any]]) -> dict[tuple[str, str], tuple[int, int]]:
    return {(o[0], o[1]): (o[2], o[3]) for o in outputs}


def _primary(outputs: list[list[Any]]) -> list[Any]:
    return next(o for o in outputs if o[0] == SSIM_SPEC and o[1] != "WEBP")


def check_quality(images: list[Any], made: dict[str, list[Any]], has_numpy: bool) -> dict[str, Any]:
    """Same formats and dimensions as naive for every output, and SSIM against naive at 736x.

    Sizes come from the outputs of the first timing round (each method in its own process:
    libvips brings the system's libjpeg and libwebp into a process, and Pillow would use them).
    SSIM compares pixels: ours' through `process_image` at JPEG quality 100, naive's before
    encoding (at ours' size if they differ, which the size check reports), so that quality 85
    does not hide or invent a difference. The delivered quality-85 files are compared too.
    """
    report: dict[str, Any] = {"mismatches": {}, "ssim": []}
    if "naive" not in made:
        return report
    for name in (n for n in made if n != "naive"):
        mismatches = []
        for image, want, have in zip(images, made["naive"], made[name], strict=True):
            expected, got = _sizes(want), _sizes(have)
            for key in sorted(set(expected) | set(got)):
                if expected.get(key) != got.get(key):
                    mismatches.append(
                        f"{image.label} {' '.join(key)}: {got.get(key)}, naive {expected.get(key)}"
                    )
        report["mismatches"][name] = mismatches
    if not has_numpy or "ours" not in made:
        return report
    # numpy may have been installed by this run, after this module was imported.
    from bench.ssim import luminance, ssim

    for image, want, have in zip(images, made["naive"], made["ours"], strict=True):
        data = Path(image.path).read_bytes()
        delivered_naive, delivered_ours = _primary(want), _primary(have)
        ours = luminance(methods.ours_pixels(data, SSIM_SPEC))
        reference = methods.naive_pixels(data, SSIM_SPEC, (ours.shape[1], ours.shape[0]))
        scores = {"pixels": ssim(ours, luminance(reference)), "delivered": None, "naive_own": None}
        if delivered_naive[2:4] == delivered_ours[2:4]:
            naive_file = luminance(base64.b64decode(delivered_naive[4]))
            scores["delivered"] = ssim(luminance(base64.b64decode(delivered_ours[4])), naive_file)
            scores["naive_own"] = ssim(naive_file, luminance(reference))
        report["ssim"].append(scores)
    return report


def summarise(runs: list[dict[str, Any]], megapixels: float) -> dict[str, Any]:
    """An image's time is its best over all rounds; the method's is the sum over the corpus."""
    count = len(runs[0]["seconds"])
    best = [min(run["seconds"][k] for run in runs) for k in range(count)]
    best_cpu = [min(run["cpu_seconds"][k] for run in runs) for k in range(count)]
    total = sum(best)
    return {
        "seconds": total,
        "cpu_seconds": sum(best_cpu),
        "images_per_second": count / total,
        "ms_per_megapixel": total * 1000 / megapixels,
        "peak_rss_mb": max(run["peak_rss_kb"] for run in runs) / 1024,
        "idle_rss_mb": min(run["idle_rss_kb"] for run in runs) / 1024,
        "per_image_seconds": best,
        "round_seconds": [sum(run["seconds"]) for run in runs],
    }


def _verdict(ok: bool | None) -> str:
    return {True: "PASS", False: "MISS", None: "SKIP"}[ok]


def _ratio(summary: dict[str, Any], slower: str, faster: str, key: str) -> float | None:
    if slower not in summary or faster not in summary:
        return None
    return summary[slower][key] / summary[faster][key]


def targets(
    summary: dict[str, Any],
    quality: dict[str, Any],
    rss_alone: dict[str, float],
    largest: Any,
) -> dict[str, dict[str, Any]]:
    """Each target's value and verdict. Speed is judged on wall time; the same ratio by CPU time
    is kept beside it, which is the fairer figure when other load shared the CPU."""
    speed = {
        f"ours >= {TARGET_VS_NAIVE}x naive": (
            ("naive", "ours"),
            lambda v: v >= TARGET_VS_NAIVE,
        ),
        f"ours >= {TARGET_VS_PYVIPS}x pyvips per size": (
            ("pyvips", "ours"),
            lambda v: v >= TARGET_VS_PYVIPS,
        ),
        f"ours within {TARGET_VS_FLOOR}x of the floor's time": (
            ("ours", "floor"),
            lambda v: v <= TARGET_VS_FLOOR,
        ),
    }
    verdicts = {}
    for label, ((slower, faster), test) in speed.items():
        value = _ratio(summary, slower, faster, "seconds")
        by_cpu = _ratio(summary, slower, faster, "cpu_seconds")
        verdicts[label] = {
            "value": value,
            "result": _verdict(None if value is None else test(value)),
            "by_cpu_time": by_cpu,
            "result_by_cpu_time": _verdict(None if by_cpu is None else test(by_cpu)),
        }
    pixels = [scores["pixels"] for scores in quality["ssim"]]
    mismatches = quality["mismatches"].get("ours")
    largest_label = f"{largest.megapixels:.1f} MP JPEG" if largest else "largest JPEG"
    others = {
        f"ours' peak RSS < {TARGET_RSS_MB} MB, {largest_label} alone": (
            rss_alone.get("ours"),
            lambda v: v < TARGET_RSS_MB,
        ),
        "outputs whose size differs from naive's": (
            None if mismatches is None else len(mismatches),
            lambda v: v == 0,
        ),
        f"lowest SSIM vs naive at {SSIM_SPEC} (pixels), target {TARGET_SSIM}": (
            min(pixels) if pixels else None,
            lambda v: v >= TARGET_SSIM,
        ),
    }
    for label, (value, test) in others.items():
        verdicts[label] = {
            "value": value,
            "result": _verdict(None if value is None else test(value)),
        }
    return verdicts


def _stage_lines(stages: dict[str, Any], images: int) -> list[str]:
    lines = []
    for name, result in stages.items():
        total = result["total"]
        parts = dict(sorted(result["stages"].items(), key=lambda item: -item[1]))
        parts["other (Python, copies, checks)"] = total - sum(parts.values())
        lines.append(f"  {name}: {total * 1000 / images:.1f} ms/image")
        lines += [
            f"    {stage:32} {seconds * 1000 / images:7.1f} ms/image {seconds / total:6.1%}"
            for stage, seconds in parts.items()
        ]
    return lines


def _score(value: float | None) -> str:
    return "   n/a" if value is None else f"{value:.4f}"


def render(
    images: list[Any],
    summary: dict[str, Any],
    quality: dict[str, Any],
    rss_alone: dict[str, float],
    stages: dict[str, Any],
    verdicts: dict[str, dict[str, Any]],
    rounds: int,
) -> list[str]:
    names = list(summary)
    megapixels = sum(image.megapixels for image in images)
    width = max(len(methods.DESCRIPTIONS[name]) for name in names)
    naive = summary.get("naive")
    lines = [
        "",
        f"{len(images)} images, {megapixels:.0f} MP, one core, best of {rounds} rounds:",
        f"{'method':{width}}  images/s/core   ms/MP  peak RSS  vs naive  each round (s)",
    ]
    for name in names:
        row = summary[name]
        ratio = f"{naive['seconds'] / row['seconds']:7.2f}x" if naive else "    n/a"
        spread = f"{min(row['round_seconds']):.1f}-{max(row['round_seconds']):.1f}"
        lines.append(
            f"{methods.DESCRIPTIONS[name]:{width}}  {row['images_per_second']:13.2f}  "
            f"{row['ms_per_megapixel']:6.1f}  {row['peak_rss_mb']:5.0f} MB  {ratio}  {spread:>13}"
        )
    ours = summary.get("ours")
    lines.append("")
    for name, label in (("pyvips", "pyvips"), ("pyvips-matched", "pyvips, ours' encoders")):
        if ours and name in summary:
            ratio = summary[name]["seconds"] / ours["seconds"]
            lines.append(f"ours vs {label}: {ratio:.2f}x faster")
    if ours and "floor" in summary:
        lines.append(
            f"ours vs floor: {ours['seconds'] / summary['floor']['seconds']:.2f}x its time"
        )
    wall = sum(row["seconds"] for row in summary.values())
    cpu = sum(row["cpu_seconds"] for row in summary.values())
    lines.append(f"wall/CPU time of the best runs: {wall / cpu:.3f} (1.000 = no interference)")
    busy = wall / cpu > BUSY
    if ours and busy:
        by_cpu = ", ".join(
            f"{name} {row['cpu_seconds'] / ours['cpu_seconds']:.2f}x"
            for name, row in summary.items()
            if name != "ours"
        )
        lines.append(f"  the CPU was shared by other load; ours' speedup by CPU time: {by_cpu}")
    if rss_alone:
        alone = ", ".join(f"{name} {mb:.0f} MB" for name, mb in rss_alone.items())
        lines.append(f"peak RSS, largest JPEG alone: {alone}")
    lines += ["", "Time by stage (one pass, instrumented):", *_stage_lines(stages, len(images))]
    header = "  ".join(f"{name[:8]:>8}" for name in names)
    lines += [
        "",
        f"Per image, best ms; SSIM of ours vs naive at {SSIM_SPEC}: pixels, delivered q85 files,",
        "and naive's own q85 file vs its pixels (* = transparent PNG):",
        f"  {'image':38} {'kind':5} {'MP':>5}  {header}  SSIM px   q85  naive",
    ]
    for k, image in enumerate(images):
        times = "  ".join(f"{summary[n]['per_image_seconds'][k] * 1000:8.1f}" for n in names)
        scores = quality["ssim"][k] if k < len(quality["ssim"]) else {}
        ssims = " ".join(_score(scores.get(key)) for key in ("pixels", "delivered", "naive_own"))
        kind = "PNG*" if image.transparent else image.format
        lines.append(f"  {image.label[:38]:38} {kind:5} {image.megapixels:5.1f}  {times}  {ssims}")
    for name, mismatches in quality["mismatches"].items():
        lines += [f"  size differs, {name}: {m}" for m in mismatches[:6]]
        if len(mismatches) > 6:
            lines.append(f"  size differs, {name}: ... {len(mismatches)} outputs in all")
    lines += ["", "Targets:"]
    for label, target in verdicts.items():
        value = "n/a" if target["value"] is None else f"{target['value']:.4g}"
        line = f"  {target['result']}  {label}: {value}"
        if busy and target.get("by_cpu_time") is not None:
            line += f" (by CPU time {target['by_cpu_time']:.4g}: {target['result_by_cpu_time']})"
        lines.append(line)
    return lines
