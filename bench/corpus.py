"""The corpus: real photos and PNGs from Debian's wallpaper packages, sampled deterministically."""

import hashlib
import math
from dataclasses import asdict, dataclass
from pathlib import Path

from PIL import Image

from bench.prerequisites import apt_install, missing_debian_packages

WALLPAPER_PACKAGES = ("mate-backgrounds", "plasma-workspace-wallpapers", "lomiri-wallpapers")
SEARCH_ROOTS = (Path("/usr/share/backgrounds"), Path("/usr/share/wallpapers"))
SUFFIXES = {".jpg", ".jpeg", ".png"}
# "1-20 MP": the upper bound lets in the 20.4 MP JPEG, which is the memory test.
MIN_MEGAPIXELS = 1.0
MAX_MEGAPIXELS = 21.0
JPEG_COUNT = 20


@dataclass(frozen=True)
class CorpusImage:
    path: str
    format: str
    mode: str
    width: int
    height: int
    bytes: int
    transparent: bool

    @property
    def megapixels(self) -> float:
        return self.width * self.height / 1_000_000

    @property
    def label(self) -> str:
        path = Path(self.path)
        if path.parent.name.startswith("images"):  # plasma: NAME/contents/images[_dark]/WxH.jpg
            return f"{path.parents[2].name}{path.parent.name[6:]}/{path.name}"
        return path.name

    def as_dict(self) -> dict[str, object]:
        return {**asdict(self), "megapixels": round(self.megapixels, 2), "label": self.label}


def ensure_installed() -> None:
    missing = missing_debian_packages(WALLPAPER_PACKAGES)
    still_missing = apt_install(missing)
    if still_missing:
        print(f"  note: corpus without {', '.join(still_missing)}: using what is installed")


def _picture_key(path: Path) -> str:
    """Plasma ships one picture at several resolutions in one folder: count it once."""
    return str(path.parent) if path.parent.name.startswith("images") else str(path)


def _has_transparent_pixel(path: Path) -> bool:
    with Image.open(path) as image:
        if image.mode in {"RGBA", "LA", "PA"} or "transparency" in image.info:
            return image.convert("RGBA").getchannel("A").getextrema()[0] < 255
    return False


def find_images(roots: tuple[Path, ...] = SEARCH_ROOTS) -> list[CorpusImage]:
    """Every distinct JPEG or PNG of 1-21 MP under the roots, in path order."""
    seen: set[str] = set()
    found = []
    for root in roots:
        for path in sorted(root.rglob("*")) if root.is_dir() else []:
            if path.suffix.lower() not in SUFFIXES or path.is_symlink() or not path.is_file():
                continue
            try:
                with Image.open(path) as image:
                    kind, mode, (width, height) = image.format, image.mode, image.size
            except OSError:
                continue
            if kind not in {"JPEG", "PNG"}:
                continue
            if not MIN_MEGAPIXELS <= width * height / 1_000_000 <= MAX_MEGAPIXELS:
                continue
            digest = hashlib.sha256(path.read_bytes()).hexdigest()
            if digest in seen:
                continue
            seen.add(digest)
            transparent = kind == "PNG" and _has_transparent_pixel(path)
            size = path.stat().st_size
            found.append(CorpusImage(str(path), kind, mode, width, height, size, transparent))
    return found


def _nearest(candidates: list[CorpusImage], megapixels: float) -> CorpusImage:
    return min(candidates, key=lambda i: (abs(math.log(i.megapixels / megapixels)), i.path))


def _spread(candidates: list[CorpusImage], count: int, taken: list[CorpusImage]) -> None:
    """Add `count` pictures whose sizes are spaced evenly on a log scale over the candidates'."""
    used = {_picture_key(Path(image.path)) for image in taken}
    pool = [i for i in candidates if _picture_key(Path(i.path)) not in used]
    if not pool or count < 1:
        return
    low = min(i.megapixels for i in pool)
    high = max(i.megapixels for i in pool)
    for step in range(count):
        target = low * (high / low) ** (step / max(1, count - 1))
        pool = [i for i in pool if _picture_key(Path(i.path)) not in used]
        if not pool:
            return
        pick = _nearest(pool, target)
        taken.append(pick)
        used.add(_picture_key(Path(pick.path)))


def select_sample(images: list[CorpusImage]) -> list[CorpusImage]:
    """About 24 images: JPEGs spanning 1-20 MP (the largest always in), and PNGs at both ends of
    their size range with and without transparency. The same installed files give the same list."""
    jpegs = [i for i in images if i.format == "JPEG"]
    chosen: list[CorpusImage] = []
    if jpegs:
        chosen.append(max(jpegs, key=lambda i: (i.megapixels, i.path)))
    _spread(jpegs, JPEG_COUNT - len(chosen), chosen)
    for transparent in (True, False):
        pngs = [i for i in images if i.format == "PNG" and i.transparent == transparent]
        _spread(pngs, 2, chosen)
    return sorted(chosen, key=lambda i: (i.megapixels, i.path))


def largest_jpeg(images: list[CorpusImage]) -> CorpusImage | None:
    jpegs = [i for i in images if i.format == "JPEG"]
    return max(jpegs, key=lambda i: (i.megapixels, i.path)) if jpegs else None
