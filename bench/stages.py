"""Where a Pillow-based method spends its time: decode, resample, colour, encode per format.

Pillow's entry points are wrapped with timers while a method runs. The outermost wrapped call
owns the time (a resize inside `dominant_color` counts as "facts", the decode that a `resize`
might trigger counts as "resample"), so the stages add up to at most the total.
"""

import contextlib
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from typing import Any

from PIL import Image, ImageCms, ImageFile

from media_pipeline import imaging


class StageClock:
    def __init__(self) -> None:
        self.seconds: dict[str, float] = defaultdict(float)
        self._depth = 0

    def wrap(self, function: Callable[..., Any], stage: Callable[..., str]) -> Callable[..., Any]:
        def timed(*args: Any, **kwargs: Any) -> Any:
            if self._depth:
                return function(*args, **kwargs)
            self._depth += 1
            started = time.perf_counter()
            try:
                return function(*args, **kwargs)
            finally:
                self.seconds[stage(*args, **kwargs)] += time.perf_counter() - started
                self._depth -= 1

        return timed


def _save_stage(image: Image.Image, fp: Any, format: str | None = None, **_: Any) -> str:
    return f"encode {(format or 'other').upper()}"


def _fixed(name: str) -> Callable[..., str]:
    return lambda *args, **kwargs: name


@contextlib.contextmanager
def timing_stages() -> Iterator[StageClock]:
    clock = StageClock()
    patches: list[tuple[Any, str, Callable[..., str]]] = [
        (ImageFile.ImageFile, "load", _fixed("decode")),
        (Image.Image, "resize", _fixed("resample")),
        (Image.Image, "reduce", _fixed("resample")),
        (Image.Image, "transpose", _fixed("resample")),
        (Image.Image, "convert", _fixed("colour/convert")),
        (ImageCms, "profileToProfile", _fixed("colour/convert")),
        (Image.Image, "save", _save_stage),
        (imaging, "dominant_color", _fixed("facts")),
        (imaging, "placeholder_data_uri", _fixed("facts")),
        (imaging, "perceptual_hash", _fixed("facts")),
    ]
    originals = []
    for owner, name, stage in patches:
        original = getattr(owner, name, None)
        if original is None:
            continue
        originals.append((owner, name, original))
        setattr(owner, name, clock.wrap(original, stage))
    try:
        yield clock
    finally:
        for owner, name, original in reversed(originals):
            setattr(owner, name, original)
