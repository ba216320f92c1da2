"""The methods timed against each other. Each takes the file's bytes and returns the 14 outputs.

Every method makes the same outputs as `process_image`: each spec of `imaging.RENDITIONS`, as JPEG
(PNG when the source has a transparent pixel) and as WebP. Pixel sizes follow the same rules:
width-only specs are capped at the source width with height = round(source height * width /
source width); crops scale to cover, then take the centre.
"""

import io
import math
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any, NamedTuple

from PIL import Image, ImageOps

from media_pipeline import imaging


class Output(NamedTuple):
    name: str
    format: str
    width: int
    height: int
    data: bytes


Method = Callable[[bytes], list[Output]]

# Stands for libvips' "no limit" on the height of a width-constrained thumbnail.
VIPS_MAX_COORD = 10_000_000


@dataclass(frozen=True)
class Encoders:
    jpeg_quality: int
    webp_quality: int
    webp_method: int
    jpeg_optimize: bool = True
    jpeg_progressive: bool = True
    png_compress_level: int = 6


def ours_encoders() -> Encoders:
    """The encoder settings `process_image` uses. The qualities and WebP method come from its
    `EncoderSettings`; the flags are fixed in its `_encode` (optimize and progressive JPEG, PNG
    at zlib level 6), as the defaults of `Encoders` are."""
    settings = imaging.EncoderSettings()
    return Encoders(settings.jpeg_quality, settings.webp_quality, settings.webp_method)


# What a Django thumbnail library does: quality 85 with optimize and progressive JPEG
# (sorl-thumbnail's defaults), Pillow's default WebP method (4) at quality 80.
NAIVE_ENCODERS = Encoders(jpeg_quality=85, webp_quality=80, webp_method=4)


def output_size(source: tuple[int, int], spec: imaging.RenditionSpec) -> tuple[int, int]:
    """The pixel size of one output, by the rules in the module docstring."""
    width, height = source
    if spec.height is None:
        target = min(spec.width, width)
        return target, max(1, round(height * target / width))
    if width >= spec.width and height >= spec.height:
        return spec.width, spec.height
    # Smaller than the crop: keep its aspect ratio at the source's own resolution.
    aspect = spec.width / spec.height
    return max(1, min(width, round(height * aspect))), max(1, min(height, round(width / aspect)))


def _centre_box(source: tuple[int, int], size: tuple[int, int]) -> tuple[float, ...]:
    """The centred source box with the aspect ratio of `size` (what ImageOps.fit crops)."""
    width, height = source
    aspect = size[0] / size[1]
    if width / height > aspect:
        box_width, box_height = height * aspect, height
    else:
        box_width, box_height = width, width / aspect
    left, top = (width - box_width) / 2, (height - box_height) / 2
    return left, top, left + box_width, top + box_height


def _upright_rgb(image: Image.Image) -> tuple[Image.Image, bool]:
    """RGB, or RGBA when a pixel is transparent (the output format depends on it)."""
    if image.mode in {"RGBA", "LA", "PA"} or "transparency" in image.info:
        rgba = image.convert("RGBA")
        if rgba.getchannel("A").getextrema()[0] < 255:
            return rgba, True
        return rgba.convert("RGB"), False
    return image.convert("RGB"), False


def encode(image: Image.Image, fmt: str, encoders: Encoders) -> bytes:
    output = io.BytesIO()
    if fmt == "JPEG":
        image.save(
            output,
            "JPEG",
            quality=encoders.jpeg_quality,
            optimize=encoders.jpeg_optimize,
            progressive=encoders.jpeg_progressive,
        )
    elif fmt == "PNG":
        image.save(output, "PNG", compress_level=encoders.png_compress_level)
    else:
        image.save(output, "WEBP", quality=encoders.webp_quality, method=encoders.webp_method)
    return output.getvalue()


def _encode_both(
    name: str, image: Image.Image, transparent: bool, encoders: Encoders
) -> list[Output]:
    primary = "PNG" if transparent else "JPEG"
    return [
        Output(name, fmt, image.width, image.height, encode(image, fmt, encoders))
        for fmt in (primary, "WEBP")
    ]


def ours(data: bytes) -> list[Output]:
    """`media_pipeline.imaging.process_image`, as the worker calls it (facts included)."""
    processed = imaging.process_image(data)
    return [Output(r.name, r.format, r.width, r.height, r.data) for r in processed.renditions]


def _naive_source(data: bytes) -> tuple[Image.Image, bool]:
    with Image.open(io.BytesIO(data)) as opened:
        opened.load()
        upright = ImageOps.exif_transpose(opened)
    return _upright_rgb(upright)


def _naive_resize(
    image: Image.Image, spec: imaging.RenditionSpec, size: tuple[int, int]
) -> Image.Image:
    if spec.height is not None:
        return ImageOps.fit(image, size, Image.Resampling.LANCZOS)
    if size == image.size:
        return image
    return image.resize(size, Image.Resampling.LANCZOS)


def naive(data: bytes) -> list[Output]:
    """Full decode, then every size with LANCZOS from the full image, as thumbnail libraries do."""
    image, transparent = _naive_source(data)
    outputs = []
    for spec in imaging.RENDITIONS:
        resized = _naive_resize(image, spec, output_size(image.size, spec))
        outputs += _encode_both(spec.name, resized, transparent, NAIVE_ENCODERS)
    return outputs


def naive_pixels(data: bytes, name: str, size: tuple[int, int] | None = None) -> Image.Image:
    """Naive's pixels for one spec before encoding, optionally at another size (for SSIM)."""
    image, _ = _naive_source(data)
    spec = next(spec for spec in imaging.RENDITIONS if spec.name == name)
    return _naive_resize(image, spec, size or output_size(image.size, spec))


def ours_pixels(data: bytes, name: str) -> bytes:
    """Ours' pixels for one spec, near-losslessly: `process_image` with JPEG quality 100 (a
    round trip at 100 keeps SSIM >= 0.998 on luminance), or its PNG when transparent."""
    settings = replace(imaging.EncoderSettings(), jpeg_quality=100)
    processed = imaging.process_image(data, settings=settings)
    return next(r.data for r in processed.renditions if r.name == name and r.format != "WEBP")


def _needed_scale(source: tuple[int, int]) -> float:
    """The largest scale any output takes from the source (never above 1)."""
    scales = []
    for spec in imaging.RENDITIONS:
        width, height = output_size(source, spec)
        if spec.height is None:
            scales.append(width / source[0])
        else:
            scales.append(max(width / source[0], height / source[1]))
    return min(1.0, max(scales))


def floor(data: bytes) -> list[Output]:
    """The least work that can make these outputs: decode at the reduced scale, encode.

    JPEGs are decoded with DCT scaling (`draft`) to the smallest scale that still covers the
    largest output; PNGs have to be decoded in full. Each output is then a NEAREST resize (crops:
    of the centre box) of that one decoded image, which costs next to nothing, and is encoded
    with exactly the encoder settings `process_image` uses. No LANCZOS, no colour management,
    no facts (dominant colour, placeholder, hash).
    """
    encoders = ours_encoders()
    with Image.open(io.BytesIO(data)) as opened:
        turned = opened.getexif().get(0x0112, 1) in {5, 6, 7, 8}
        source = opened.size[::-1] if turned else opened.size
        scale = _needed_scale(source)
        if opened.format == "JPEG":
            opened.draft(None, (math.ceil(opened.width * scale), math.ceil(opened.height * scale)))
        opened.load()
        upright = ImageOps.exif_transpose(opened)
    image, transparent = _upright_rgb(upright)
    ratio = image.width / source[0]
    outputs = []
    for spec in imaging.RENDITIONS:
        size = output_size(source, spec)
        box = _centre_box(source, size) if spec.height is not None else (0, 0, *source)
        box = tuple(edge * ratio for edge in box)
        resized = image.resize(size, Image.Resampling.NEAREST, box=box)
        outputs += _encode_both(spec.name, resized, transparent, encoders)
    return outputs


def _pyvips(data: bytes, save_options: dict[str, dict[str, Any]]) -> list[Output]:
    import pyvips  # optional: imported only when this method runs

    outputs: list[Output] = []
    transparent: bool | None = None
    # Largest first, so the transparency check runs on the most detailed thumbnail.
    specs = sorted(imaging.RENDITIONS, key=lambda s: (s.height is not None, -s.width))
    for spec in specs:
        if spec.height is None:
            thumb = pyvips.Image.thumbnail_buffer(
                data, spec.width, height=VIPS_MAX_COORD, size="down"
            )
        else:
            thumb = pyvips.Image.thumbnail_buffer(
                data, spec.width, height=spec.height, size="down", crop="centre"
            )
        # Render once: the thumbnail reads its source sequentially, and is saved twice.
        thumb = thumb.copy_memory()
        if transparent is None:
            transparent = bool(thumb.hasalpha() and thumb[thumb.bands - 1].min() < 255)
        if thumb.hasalpha() and not transparent:
            thumb = thumb.extract_band(0, n=thumb.bands - 1)
        primary = "PNG" if transparent else "JPEG"
        for fmt in (primary, "WEBP"):
            savers = {
                "JPEG": thumb.jpegsave_buffer,
                "PNG": thumb.pngsave_buffer,
                "WEBP": thumb.webpsave_buffer,
            }
            encoded = savers[fmt](strip=True, **save_options[fmt])
            outputs.append(Output(spec.name, fmt, thumb.width, thumb.height, encoded))
    return outputs


def pyvips_defaults(data: bytes) -> list[Output]:
    """libvips' `thumbnail` per size, saved with its defaults at our qualities."""
    return _pyvips(data, {"JPEG": {"Q": 85}, "WEBP": {"Q": 80}, "PNG": {"compression": 6}})


def pyvips_matched(data: bytes) -> list[Output]:
    """libvips' `thumbnail` per size, saved with the encoder settings `process_image` uses."""
    encoders = ours_encoders()
    return _pyvips(
        data,
        {
            "JPEG": {
                "Q": encoders.jpeg_quality,
                "optimize_coding": encoders.jpeg_optimize,
                "interlace": encoders.jpeg_progressive,
            },
            "WEBP": {"Q": encoders.webp_quality, "effort": encoders.webp_method},
            "PNG": {"compression": encoders.png_compress_level},
        },
    )


METHODS: dict[str, Method] = {
    "ours": ours,
    "naive": naive,
    "pyvips": pyvips_defaults,
    "pyvips-matched": pyvips_matched,
    "floor": floor,
}

DESCRIPTIONS = {
    "ours": "process_image",
    "naive": "naive Pillow",
    "pyvips": "pyvips thumbnail/size",
    "pyvips-matched": "pyvips, ours' encoders",
    "floor": "floor (decode+encode)",
}
