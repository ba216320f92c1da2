"""The few real image files every synthetic media record points at, and the media and rendition
rows that point at them, so generated pins render."""

import functools
import io
import random
from dataclasses import dataclass

import numpy as np

from catalog.synthetic.features import dominant_colours, hex_colours
from catalog.synthetic.writer import Table
from media_pipeline import imaging
from media_pipeline.colors import srgb_to_oklab
from media_pipeline.models import MediaRecord, Rendition
from media_pipeline.storage import (
    content_path,
    originals_storage,
    renditions_storage,
    save_immutable,
)

_ASSET_SHAPES = ((2, 3), (1, 1), (3, 4), (4, 5), (9, 16), (4, 3), (16, 9), (1, 2), (5, 7), (2, 3))


@dataclass(frozen=True)
class Asset:
    """One real image, processed once: every generated media record points at one of these."""

    original: str
    width: int
    height: int
    has_alpha: bool
    placeholder: str
    renditions: tuple[tuple[str, str, int, int, str, int], ...]  # name, format, w, h, file, bytes


@functools.cache
def _pictures() -> tuple[tuple[bytes, imaging.ProcessedImage], ...]:
    """The pictures and their renditions, made once per process: the pipeline is the slow part,
    writing the files (again, into whatever storage is current) is not. They are the same for
    every seed, so every catalog shares one set of files."""
    from pins.demo import demo_image

    pictures = []
    for number, shape in enumerate(_ASSET_SHAPES):
        picture = random.Random(number)  # noqa: S311 - pictures, not secrets
        data = _shaped(demo_image(picture, long_side=1400), shape)
        pictures.append((data, imaging.process_image(data)))
    return tuple(pictures)


def saved_assets() -> list[Asset]:
    assets = []
    for data, processed in _pictures():
        original = save_immutable(originals_storage(), content_path("o", data, "jpg"), data)
        storage = renditions_storage()
        renditions = tuple(
            (
                out.name,
                out.format,
                out.width,
                out.height,
                save_immutable(storage, content_path(out.name, out.data, out.extension), out.data),
                len(out.data),
            )
            for out in processed.renditions
        )
        assets.append(
            Asset(
                original=original,
                width=processed.width,
                height=processed.height,
                has_alpha=processed.has_alpha,
                placeholder=processed.placeholder,
                renditions=renditions,
            )
        )
    return assets


def _shaped(data: bytes, shape: tuple[int, int]) -> bytes:
    """The demo picture cropped to an exact aspect ratio, so the grid gets every shape."""
    from PIL import Image

    image = Image.open(io.BytesIO(data))
    ratio_w, ratio_h = shape
    width = min(image.width, image.height * ratio_w // ratio_h)
    height = width * ratio_h // ratio_w
    cropped = image.crop((0, 0, width, height))
    output = io.BytesIO()
    cropped.save(output, format="JPEG", quality=88)
    return output.getvalue()


def media_table(
    rng: np.random.Generator,
    assets: list[Asset],
    asset: np.ndarray,
    owner: np.ndarray,
    created: np.ndarray,
    ids: np.ndarray,
    phash: np.ndarray,
) -> Table:
    count = len(ids)
    rgb = dominant_colours(rng, count)
    lab = srgb_to_oklab(rgb)
    digests = rng.bytes(32 * count).hex()
    return Table(
        MediaRecord,
        count,
        {
            "id": ids,
            "owner_id": owner,
            "original": [assets[a].original for a in asset.tolist()],
            "sha256": [digests[i * 64 : (i + 1) * 64] for i in range(count)],
            "format": MediaRecord.Format.JPEG.value,
            "width": np.array([a.width for a in assets])[asset],
            "height": np.array([a.height for a in assets])[asset],
            "status": MediaRecord.Status.READY.value,
            "attempts": 1,
            "dominant_color": hex_colours(rgb),
            "placeholder": [assets[a].placeholder for a in asset.tolist()],
            "phash": phash,
            "color_l": lab[:, 0],
            "color_a": lab[:, 1],
            "color_b": lab[:, 2],
            "has_alpha": np.array([a.has_alpha for a in assets])[asset],
            "created_at": created,
            "updated_at": created,
        },
    )


def renditions_table(
    assets: list[Asset], asset: np.ndarray, media_ids: np.ndarray, base: int
) -> Table:
    per = len(assets[0].renditions)
    template = np.array([list(zip(*a.renditions, strict=True)) for a in assets], dtype=object)
    # template[asset, column, k]: name, format, width, height, file, bytes of rendition k.
    rows = template[asset]
    count = len(media_ids) * per
    return Table(
        Rendition,
        count,
        {
            "id": np.arange(base, base + count),
            "media_id": np.repeat(media_ids, per),
            "name": rows[:, 0].ravel().tolist(),
            "format": rows[:, 1].ravel().tolist(),
            "width": rows[:, 2].ravel().astype(np.int64),
            "height": rows[:, 3].ravel().astype(np.int64),
            "file": rows[:, 4].ravel().tolist(),
            "bytes": rows[:, 5].ravel().astype(np.int64),
        },
    )
