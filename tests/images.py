"""Images made by Pillow in the test, so every case is explicit and nothing is downloaded."""

import io

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
