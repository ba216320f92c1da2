"""Pure image operations: bytes or PIL images in, bytes or facts out. No Django here.

Formats are identified from the bytes, never from a file name or a Content-Type, and limits are
checked from the header before any pixel is decoded.
"""

import io
import warnings
from dataclasses import dataclass

from PIL import Image, ImageOps, UnidentifiedImageError

ALLOWED_FORMATS = ("JPEG", "PNG", "GIF", "WEBP")
JPEG_QUALITY = 85


class ImageRejected(ValueError):
    """The bytes are not an image we accept; the message is fit to show the uploader."""


@dataclass(frozen=True)
class ImageInfo:
    format: str
    width: int
    height: int


@dataclass(frozen=True)
class EncodedImage:
    data: bytes
    format: str
    width: int
    height: int

    @property
    def extension(self) -> str:
        return {"JPEG": "jpg", "PNG": "png", "WEBP": "webp"}[self.format]


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):g} MB"


def inspect_image(data: bytes, *, max_bytes: int, max_pixels: int) -> ImageInfo:
    """Identify the format and size from the header alone, refusing what we will not process."""
    if len(data) > max_bytes:
        raise ImageRejected(f"file over {_megabytes(max_bytes)}")
    if not data:
        raise ImageRejected("empty file: not an image")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data), formats=ALLOWED_FORMATS) as image:
                info = ImageInfo(format=image.format, width=image.width, height=image.height)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise ImageRejected(f"image larger than {max_pixels / 1_000_000:g} megapixels") from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        raise ImageRejected("not an image: upload a JPEG, PNG, GIF or WebP file") from None
    if info.width < 1 or info.height < 1:
        raise ImageRejected(f"{info.format} with no pixels")
    if info.width * info.height > max_pixels:
        raise ImageRejected(f"{info.format} larger than {max_pixels / 1_000_000:g} megapixels")
    return info


def decode_upright(data: bytes) -> Image.Image:
    """Decode the first frame, turned as its EXIF orientation says, in RGB or RGBA."""
    try:
        with Image.open(io.BytesIO(data), formats=ALLOWED_FORMATS) as image:
            image.seek(0)
            image.load()
            upright = ImageOps.exif_transpose(image)
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        raise ImageRejected(f"image could not be decoded: {exc}") from None
    has_alpha = upright.mode in {"RGBA", "LA", "PA"} or (
        upright.mode == "P" and "transparency" in upright.info
    )
    pixels = upright.convert("RGBA" if has_alpha else "RGB")
    # Encoders copy comments, EXIF and profiles from `info`: only the pixels may travel on.
    pixels.info = {}
    return pixels


def _flatten(image: Image.Image) -> Image.Image:
    if image.mode != "RGBA":
        return image
    background = Image.new("RGB", image.size, (255, 255, 255))
    background.paste(image, mask=image.getchannel("A"))
    return background


def render_width(image: Image.Image, width: int) -> EncodedImage:
    """Scale to `width` (never up) keeping the aspect ratio, and encode as metadata-free JPEG."""
    target_width = min(width, image.width)
    target_height = max(1, round(image.height * target_width / image.width))
    resized = image
    if target_width != image.width:
        resized = image.resize((target_width, target_height), Image.Resampling.LANCZOS)
    output = io.BytesIO()
    _flatten(resized).save(
        output, format="JPEG", quality=JPEG_QUALITY, optimize=True, progressive=True
    )
    return EncodedImage(output.getvalue(), "JPEG", target_width, target_height)


def dominant_color(image: Image.Image) -> str:
    """The most common colour of a small, quantised copy, as #rrggbb."""
    small = _flatten(image).resize((64, 64), Image.Resampling.BILINEAR)
    palette_image = small.quantize(colors=6, method=Image.Quantize.MEDIANCUT)
    counts = sorted(palette_image.getcolors() or [], reverse=True)
    palette = palette_image.getpalette() or [0, 0, 0]
    index = counts[0][1] if counts else 0
    red, green, blue = palette[index * 3 : index * 3 + 3]
    return f"#{red:02x}{green:02x}{blue:02x}"
