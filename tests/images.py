"""Images made by Pillow in the test, so every case is explicit and nothing is downloaded."""

import io
import random

from PIL import Image


def image_bytes(
    width: int = 640,
    height: int = 480,
    *,
    format: str = "JPEG",
    color: tuple[int, ...] = (200, 40, 60),
    mode: str = "RGB",
    **save_options,
) -> bytes:
    output = io.BytesIO()
    Image.new(mode, (width, height), color).save(output, format=format, **save_options)
    return output.getvalue()


def jpeg_bytes(width: int = 640, height: int = 480, **kwargs) -> bytes:
    return image_bytes(width, height, format="JPEG", **kwargs)


def png_bytes(width: int = 640, height: int = 480, **kwargs) -> bytes:
    return image_bytes(width, height, format="PNG", **kwargs)


def smooth_noise(
    size: tuple[int, int], *, cell: int, mode: str = "RGB", seed: int = 0, **save
) -> bytes:
    """Random colours, one every `cell` pixels, blended smoothly in between: detail that costs
    real decoding, resizing and storage at any size, made quickly. `save` picks the format
    (`format="PNG", compress_level=1`)."""
    width, height = size
    cells = (-(-width // cell), -(-height // cell))
    noise = random.Random(seed).randbytes(cells[0] * cells[1] * len(mode))
    image = Image.frombytes(mode, cells, noise).resize(size, Image.Resampling.BILINEAR)
    output = io.BytesIO()
    image.save(output, **save)
    return output.getvalue()
