"""Pure image operations: bytes in, facts and encoded renditions out. No Django here.

Formats are identified from the bytes, never from a file name or a Content-Type, and limits are
checked from the header before any pixel is decoded.

Speed comes from doing the expensive work once, at the smallest size that serves every output:
JPEGs are decoded with DCT scaling (`draft`) straight to about the largest rendition, the image is
resized once with LANCZOS, turned upright and colour-managed at that size, and every smaller size
is chained from the previous one. WebP uses a faster encoder method, because encoding, not
decoding, dominates once decoding is scaled.
"""

import base64
import io
import math
import struct
import warnings
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from PIL import Image, ImageCms, ImageFile, ImageOps, UnidentifiedImageError

ALLOWED_FORMATS = ("JPEG", "PNG", "GIF", "WEBP")
MEGABYTE = 1024 * 1024

# A truncated file must be refused, never padded with grey.
ImageFile.LOAD_TRUNCATED_IMAGES = False

_DECODE_ERRORS = (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError, struct.error)

# EXIF orientation -> the transposition that makes the pixels upright.
_UPRIGHT = {
    2: Image.Transpose.FLIP_LEFT_RIGHT,
    3: Image.Transpose.ROTATE_180,
    4: Image.Transpose.FLIP_TOP_BOTTOM,
    5: Image.Transpose.TRANSPOSE,
    6: Image.Transpose.ROTATE_270,
    7: Image.Transpose.TRANSVERSE,
    8: Image.Transpose.ROTATE_90,
}
_SWAPS_AXES = {5, 6, 7, 8}
_EXIF_ORIENTATION = 0x0112

_SRGB = ImageCms.createProfile("sRGB")


class ImageRejected(ValueError):
    """The bytes are not an image we accept; the message is fit to show the uploader."""


class ImageTooLarge(ImageRejected):
    """Refused for its size in bytes alone (an API answers 413)."""


@dataclass(frozen=True)
class Limits:
    max_bytes: int = 20 * MEGABYTE
    max_pixels: int = 50_000_000
    max_side: int = 20_000
    max_frames: int = 1_000


@dataclass(frozen=True)
class ImageInfo:
    """What the header says, with width and height as the image will be shown (upright)."""

    format: str
    width: int
    height: int
    frames: int


@dataclass(frozen=True)
class RenditionSpec:
    """A width-constrained size (`height` None) or a centre crop of exactly width x height."""

    name: str
    width: int
    height: int | None = None

    @property
    def is_crop(self) -> bool:
        return self.height is not None


# Grid srcset widths, Pinterest API sizes, and the two API crops.
RENDITIONS: tuple[RenditionSpec, ...] = (
    RenditionSpec("236x", 236),
    RenditionSpec("474x", 474),
    RenditionSpec("736x", 736),
    RenditionSpec("600x", 600),
    RenditionSpec("1200x", 1200),
    RenditionSpec("150x150", 150, 150),
    RenditionSpec("400x300", 400, 300),
)

_EXTENSIONS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp", "AVIF": "avif", "GIF": "gif"}


@dataclass(frozen=True)
class EncodedImage:
    name: str
    format: str
    width: int
    height: int
    data: bytes

    @property
    def extension(self) -> str:
        return _EXTENSIONS[self.format]


@dataclass(frozen=True)
class ProcessedImage:
    width: int
    height: int
    has_alpha: bool
    renditions: list[EncodedImage]
    dominant_color: str
    placeholder: str
    phash: int


@dataclass(frozen=True)
class EncoderSettings:
    jpeg_quality: int = 85
    webp_quality: int = 80
    # method 2 instead of the default 4: about 2x faster for files a few percent larger.
    webp_method: int = 2
    avif_quality: int = 60
    avif_speed: int = 8


def extension_for(format: str) -> str:
    return _EXTENSIONS[format]


# --- Inspection (at upload, in the request) ---------------------------------------------------


def _open(data: bytes) -> Image.Image:
    """Open from the header only. Our Limits, checked from the header, are the bomb guard:
    Pillow's warning (from 89.5 MP) is ignored, its error (from twice that) stays a backstop."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", Image.DecompressionBombWarning)
        return Image.open(io.BytesIO(data), formats=ALLOWED_FORMATS)


def _format(image: Image.Image) -> str:
    # Pillow names a JPEG that carries MPF images (a preview, an Ultra HDR gain map) "MPO".
    return "JPEG" if image.format == "MPO" else image.format


_SIGNATURES = {
    b"\xff\xd8\xff": "JPEG",
    b"\x89PNG\r\n\x1a\n": "PNG",
    b"GIF87a": "GIF",
    b"GIF89a": "GIF",
}


def _claimed_format(data: bytes) -> str | None:
    """The format the magic bytes claim, for files too damaged for Pillow to open."""
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "WEBP"
    return next((kind for magic, kind in _SIGNATURES.items() if data.startswith(magic)), None)


def _orientation(image: Image.Image) -> int:
    try:
        if image.format == "PNG":
            # Pillow's getexif() decodes a whole PNG to look for a late eXIf chunk; the header's
            # is enough here.
            raw = image.info.get("exif")
            if not raw:
                return 1
            exif = Image.Exif()
            exif.load(raw)
            value = exif.get(_EXIF_ORIENTATION, 1)
        else:
            value = image.getexif().get(_EXIF_ORIENTATION, 1)
    except _DECODE_ERRORS:
        return 1
    return value if value in _UPRIGHT else 1


def _png_is_complete(data: bytes) -> bool:
    """Walk the chunk chain (no decompression) and require it to reach IEND."""
    position = 8
    has_pixels = False
    while position + 8 <= len(data):
        (length,) = struct.unpack(">I", data[position : position + 4])
        kind = data[position + 4 : position + 8]
        position += 12 + length
        if position > len(data):
            return False
        has_pixels = has_pixels or kind == b"IDAT"
        if kind == b"IEND":
            return has_pixels
    return False


def _gif_is_complete(data: bytes) -> bool:
    """Walk the block chain (no decompression) and require it to reach the trailer."""
    if len(data) < 13:
        return False
    flags = data[10]
    position = 13 + (3 << ((flags & 7) + 1) if flags & 0x80 else 0)
    while position < len(data):
        block = data[position]
        if block == 0x3B:  # trailer
            return True
        if block == 0x21:  # extension: label, then sub-blocks
            position += 2
        elif block == 0x2C:  # image descriptor, optional local colour table, LZW code size
            if position + 10 > len(data):
                return False
            local = data[position + 9]
            position += 10 + (3 << ((local & 7) + 1) if local & 0x80 else 0) + 1
        else:
            return False
        while position < len(data) and data[position]:
            position += data[position] + 1
        position += 1  # the zero-length terminator
    return False


def _webp_is_complete(data: bytes) -> bool:
    (riff_size,) = struct.unpack("<I", data[4:8])
    return len(data) >= riff_size + 8


def _decodes_fully(image: Image.Image) -> bool:
    try:
        if _format(image) == "JPEG":
            # DCT scaling to 1/8 still reads every entropy-coded byte, at a fraction of the cost.
            image.draft(None, (max(1, image.width // 8), max(1, image.height // 8)))
        image.load()
    except _DECODE_ERRORS:
        return False
    return True


def _is_complete(image: Image.Image, data: bytes) -> bool:
    if image.format == "PNG":
        return _png_is_complete(data)
    if image.format == "WEBP":
        return _webp_is_complete(data)
    if image.format == "GIF":
        return _gif_is_complete(data) and _decodes_fully(image)
    return _decodes_fully(image)


def inspect_image(data: bytes, limits: Limits) -> ImageInfo:
    """Identify the format and size, refusing what we will not process, before any full decode."""
    if len(data) > limits.max_bytes:
        raise ImageTooLarge(f"file over {limits.max_bytes / MEGABYTE:g} MB")
    if not data:
        raise ImageRejected("empty file: not an image")
    megapixels = f"{limits.max_pixels / 1_000_000:g} megapixels"
    try:
        image = _open(data)
    except Image.DecompressionBombError:
        raise ImageRejected(f"image larger than {megapixels}") from None
    except _DECODE_ERRORS:
        claimed = _claimed_format(data)
        if claimed is not None:
            raise ImageRejected(f"{claimed} file is damaged or incomplete") from None
        raise ImageRejected("not an image: upload a JPEG, PNG, GIF or WebP file") from None
    with image:
        kind, width, height = _format(image), image.width, image.height
        if width < 1 or height < 1:
            raise ImageRejected(f"{kind} with no pixels")
        if width * height > limits.max_pixels:
            raise ImageRejected(f"{kind} larger than {megapixels}")
        if max(width, height) > limits.max_side:
            raise ImageRejected(f"{kind} longer than {limits.max_side} pixels on a side")
        try:
            # An MPO's extra images are previews or gain maps, not frames that are shown.
            frames = 1 if kind == "JPEG" else getattr(image, "n_frames", 1)
        except _DECODE_ERRORS:
            raise ImageRejected(f"{kind} file is damaged or incomplete") from None
        if frames > limits.max_frames:
            raise ImageRejected(f"{kind} with more than {limits.max_frames} frames")
        orientation = _orientation(image)
        image.seek(0)
        if not _is_complete(image, data):
            raise ImageRejected(f"{kind} file is damaged or incomplete")
    if orientation in _SWAPS_AXES:
        width, height = height, width
    return ImageInfo(format=kind, width=width, height=height, frames=frames)


# --- Decoding ---------------------------------------------------------------------------------


def _scale_to_cover(source: tuple[int, int], spec: RenditionSpec) -> float:
    """The scale a spec applies to an upright source (never above 1: no upscaling)."""
    width, height = source
    if spec.height is None:
        return min(1.0, spec.width / width)
    return min(1.0, max(spec.width / width, spec.height / height))


def _needed_size(source: tuple[int, int], specs: Iterable[RenditionSpec]) -> tuple[int, int]:
    scale = max(_scale_to_cover(source, spec) for spec in specs)
    return max(1, math.ceil(source[0] * scale)), max(1, math.ceil(source[1] * scale))


def _sixteen_bit_to_eight(image: Image.Image) -> Image.Image:
    # A plain convert("L") clips 16-bit values above 255 to white: scale them instead.
    return image.convert("I").point(lambda value: value * (1 / 257)).convert("L")


def _working_mode(image: Image.Image) -> Image.Image:
    """Bring any decoded mode to L, RGB, RGBA or CMYK (the last is colour-managed later)."""
    mode = image.mode
    if mode in {"L", "RGB"} and "transparency" in image.info:
        return image.convert("RGBA")  # a tRNS colour key: that one colour is transparent
    if mode in {"L", "RGB", "RGBA", "CMYK"}:
        return image
    if mode.startswith("I;16") or mode == "I":
        return _sixteen_bit_to_eight(image)
    if mode == "F":
        return image.point(lambda value: min(max(value, 0.0), 255.0)).convert("L")
    if mode in {"P", "PA"}:
        # Convert a palette with a transparent index to RGBA first, or it turns black.
        transparent = mode == "PA" or "transparency" in image.info
        return image.convert("RGBA" if transparent else "RGB")
    if mode in {"LA", "La", "RGBa"}:
        return image.convert("RGBA")
    return image.convert("RGB")


def _to_srgb(image: Image.Image, icc_profile: bytes | None) -> Image.Image:
    """Convert through the embedded ICC profile to sRGB; without one, convert plainly."""
    target_mode = "RGBA" if image.mode == "RGBA" else "RGB"
    if icc_profile:
        try:
            source = ImageCms.ImageCmsProfile(io.BytesIO(icc_profile))
            converted = ImageCms.profileToProfile(
                image,
                source,
                _SRGB,
                renderingIntent=ImageCms.Intent.PERCEPTUAL,
                outputMode=target_mode,
            )
            if converted is not None:
                return converted
        except (ImageCms.PyCMSError, OSError, ValueError):
            pass  # a broken or mismatched profile: the pixels are still usable without it
    if image.mode == target_mode:
        return image
    return image.convert(target_mode)


def decode_upright(data: bytes, *, at_least: tuple[int, int] | None = None) -> Image.Image:
    """Decode the first frame upright, in sRGB, as RGB or RGBA, with no metadata.

    With `at_least` (upright width, height), the result is scaled down to about that size, using
    DCT scaling for JPEGs so the full-size image is never held in memory.
    """
    try:
        with _open(data) as image:
            orientation = _orientation(image)
            icc_profile = image.info.get("icc_profile")
            if at_least is not None and _format(image) == "JPEG":
                want = at_least[::-1] if orientation in _SWAPS_AXES else at_least
                image.draft(None, want)
            image.load()
            working = _working_mode(image)
            if at_least is not None:
                want = at_least[::-1] if orientation in _SWAPS_AXES else at_least
                if working.width > want[0] * 1.01 or working.height > want[1] * 1.01:
                    # reducing_gap 2: a cheap box reduction first whenever the image is more than
                    # twice the target; indistinguishable here (SSIM 0.9993 against 0.9994).
                    working = working.resize(want, Image.Resampling.LANCZOS, reducing_gap=2.0)
            if working is image:
                working = image.copy()
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise ImageRejected("image too large to decode") from None
    except _DECODE_ERRORS as exc:
        raise ImageRejected(f"image could not be decoded: {exc}") from None
    if orientation in _UPRIGHT:
        working = working.transpose(_UPRIGHT[orientation])
    pixels = _to_srgb(working, icc_profile)
    # Encoders copy comments, EXIF and profiles from `info`: only the pixels may travel on.
    pixels.info = {}
    return pixels


# --- Renditions -------------------------------------------------------------------------------


def _has_transparency(image: Image.Image) -> bool:
    return image.mode == "RGBA" and image.getchannel("A").getextrema()[0] < 255


def _fit_width(
    image: Image.Image, width: int, source: tuple[int, int] | None = None
) -> Image.Image:
    """Scale to `width` (never up); the height follows the source's proportions, not the
    previous step's, whose rounding (and the decoder's rounding up) would otherwise add up."""
    reference = source or image.size
    target_width = min(width, image.width)
    target_height = max(1, round(reference[1] * target_width / reference[0]))
    if (target_width, target_height) == image.size:
        return image
    return image.resize((target_width, target_height), Image.Resampling.LANCZOS)


def _crop(image: Image.Image, spec: RenditionSpec, source: tuple[int, int]) -> Image.Image:
    """Centre crop to the spec's aspect; when the source is too small, the crop keeps the aspect
    at the source's own resolution rather than upscaling."""
    if spec.height is None:
        raise ValueError(f"{spec.name} is not a crop")
    scale = _scale_to_cover(source, spec)
    if scale >= 1.0 and (source[0] < spec.width or source[1] < spec.height):
        aspect = spec.width / spec.height
        width = min(image.width, round(image.height * aspect))
        height = min(image.height, round(image.width / aspect))
        return ImageOps.fit(image, (max(1, width), max(1, height)), Image.Resampling.LANCZOS)
    return ImageOps.fit(image, (spec.width, spec.height), Image.Resampling.LANCZOS)


def _encode(image: Image.Image, name: str, format: str, settings: EncoderSettings) -> EncodedImage:
    output = io.BytesIO()
    if format == "JPEG":
        image.save(output, "JPEG", quality=settings.jpeg_quality, optimize=True, progressive=True)
    elif format == "PNG":
        image.save(output, "PNG", optimize=False, compress_level=6)
    elif format == "WEBP":
        image.save(output, "WEBP", quality=settings.webp_quality, method=settings.webp_method)
    elif format == "AVIF":
        image.save(output, "AVIF", quality=settings.avif_quality, speed=settings.avif_speed)
    else:
        raise ValueError(f"no encoder for {format}")
    return EncodedImage(name, format, image.width, image.height, output.getvalue())


def _flatten(image: Image.Image) -> Image.Image:
    if image.mode != "RGBA":
        return image
    background = Image.new("RGB", image.size, (255, 255, 255))
    background.paste(image, mask=image.getchannel("A"))
    return background


def _resized_for(
    base: Image.Image, specs: Sequence[RenditionSpec], source: tuple[int, int]
) -> dict[str, Image.Image]:
    """Every spec's pixels: widths chained largest to smallest, crops from the nearest larger."""
    ready: dict[str, Image.Image] = {}
    chain: list[Image.Image] = [base]
    widths = sorted((s for s in specs if not s.is_crop), key=lambda s: s.width, reverse=True)
    for spec in widths:
        target = min(spec.width, source[0])
        resized = _fit_width(chain[-1], target, source)
        ready[spec.name] = resized
        chain.append(resized)
    for spec in (s for s in specs if s.is_crop):
        scale = _scale_to_cover(source, spec)
        needed_width = source[0] * scale
        # The smallest prepared image that still covers the crop keeps the resampling cheap.
        covering = [image for image in chain if image.width >= needed_width - 0.5]
        ready[spec.name] = _crop(covering[-1] if covering else base, spec, source)
    return ready


def upright_size(data: bytes) -> tuple[int, int]:
    with _open(data) as image:
        width, height = image.size
        return (height, width) if _orientation(image) in _SWAPS_AXES else (width, height)


def process_image(
    data: bytes,
    specs: Sequence[RenditionSpec] = RENDITIONS,
    settings: EncoderSettings = EncoderSettings(),
) -> ProcessedImage:
    """Decode once at the scale the largest output needs, then make every rendition.

    Opaque images get JPEG and WebP; images with transparency get PNG and WebP (with alpha).
    """
    try:
        source = upright_size(data)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise ImageRejected("image too large to decode") from None
    except _DECODE_ERRORS:
        raise ImageRejected("not an image: upload a JPEG, PNG, GIF or WebP file") from None
    base = decode_upright(data, at_least=_needed_size(source, specs))
    has_alpha = _has_transparency(base)
    if base.mode == "RGBA" and not has_alpha:
        base = base.convert("RGB")
    primary = "PNG" if has_alpha else "JPEG"
    images = _resized_for(base, specs, source)
    renditions = []
    for spec in specs:
        image = images[spec.name]
        renditions.append(_encode(image, spec.name, primary, settings))
        renditions.append(_encode(image, spec.name, "WEBP", settings))
    smallest = min(images.values(), key=lambda image: image.width * image.height)
    preview = images.get("236x", smallest)
    return ProcessedImage(
        width=source[0],
        height=source[1],
        has_alpha=has_alpha,
        renditions=renditions,
        dominant_color=dominant_color(preview),
        placeholder=placeholder_data_uri(preview),
        phash=perceptual_hash(preview),
    )


def encode_avif(
    data: bytes,
    specs: Sequence[RenditionSpec] = RENDITIONS,
    settings: EncoderSettings = EncoderSettings(),
) -> list[EncodedImage]:
    """AVIF for every spec: smaller files at about ten times the WebP encode cost."""
    source = upright_size(data)
    base = decode_upright(data, at_least=_needed_size(source, specs))
    if base.mode == "RGBA" and not _has_transparency(base):
        base = base.convert("RGB")
    images = _resized_for(base, specs, source)
    return [_encode(images[spec.name], spec.name, "AVIF", settings) for spec in specs]


# --- Facts for the grid and discovery ---------------------------------------------------------


def dominant_color(image: Image.Image) -> str:
    """The most common colour of a small, quantised copy, as #rrggbb."""
    small = _flatten(image).convert("RGB").resize((64, 64), Image.Resampling.BILINEAR)
    palette_image = small.quantize(colors=6, method=Image.Quantize.MEDIANCUT)
    counts = sorted(palette_image.getcolors() or [], reverse=True)
    palette = palette_image.getpalette() or [0, 0, 0]
    index = counts[0][1] if counts else 0
    red, green, blue = palette[index * 3 : index * 3 + 3]
    return f"#{red:02x}{green:02x}{blue:02x}"


PLACEHOLDER_WIDTH = 16


def placeholder_data_uri(image: Image.Image) -> str:
    """A ~16 px WebP preview as a data: URI, shown blurred while the real image loads."""
    tiny = image.copy()
    # Capped in height too, so a very tall image does not get a long placeholder.
    tiny.thumbnail((PLACEHOLDER_WIDTH, PLACEHOLDER_WIDTH * 2), Image.Resampling.BILINEAR)
    if tiny.mode not in {"RGB", "RGBA"}:
        tiny = tiny.convert("RGB")
    output = io.BytesIO()
    tiny.save(output, "WEBP", quality=40, method=4)
    return "data:image/webp;base64," + base64.b64encode(output.getvalue()).decode("ascii")


_HASH_SIZE = 32
_HASH_BITS = 8
_COSINES = [
    [math.cos((2 * x + 1) * u * math.pi / (2 * _HASH_SIZE)) for x in range(_HASH_SIZE)]
    for u in range(_HASH_BITS)
]


def perceptual_hash(image: Image.Image) -> int:
    """A 64-bit DCT hash (pHash): near-identical pictures differ in a few bits.

    The 8x8 lowest frequencies of a 32x32 greyscale copy are compared with their median.
    """
    gray = _flatten(image).convert("L").resize((_HASH_SIZE, _HASH_SIZE), Image.Resampling.LANCZOS)
    values = list(gray.tobytes())
    rows = [values[y * _HASH_SIZE : (y + 1) * _HASH_SIZE] for y in range(_HASH_SIZE)]
    by_row = [
        [sum(p * c for p, c in zip(row, cos, strict=True)) for cos in _COSINES] for row in rows
    ]
    coefficients = [
        sum(by_row[y][u] * _COSINES[v][y] for y in range(_HASH_SIZE))
        for v in range(_HASH_BITS)
        for u in range(_HASH_BITS)
    ]
    # The DC term only says how bright the picture is; leave it out of the threshold.
    median = sorted(coefficients[1:])[len(coefficients[1:]) // 2]
    bits = 0
    for coefficient in coefficients:
        bits = (bits << 1) | (coefficient > median)
    return bits


# --- Facts at upload (in the request) ---------------------------------------------------------

# The smallest side decoded for upload-time facts: the hash looks at a 32x32 copy and the dominant
# colour at a 64x64 one, so 64 px serve both, and DCT scaling reaches that from a 12 MP JPEG by
# decoding at 1/8 (a few milliseconds rather than a full decode).
UPLOAD_FACTS_SIDE = 64


@dataclass(frozen=True)
class UploadFacts:
    dominant_color: str
    phash: int


def upload_facts(data: bytes) -> UploadFacts:
    """The dominant colour and perceptual hash from a small, cheap decode, while the upload
    request still holds the bytes; the worker computes both again from its renditions."""
    try:
        width, height = upright_size(data)
    except _DECODE_ERRORS:
        raise ImageRejected("image could not be decoded") from None
    scale = min(1.0, max(UPLOAD_FACTS_SIDE / width, UPLOAD_FACTS_SIDE / height))
    small = decode_upright(
        data, at_least=(max(1, math.ceil(width * scale)), max(1, math.ceil(height * scale)))
    )
    return UploadFacts(dominant_color=dominant_color(small), phash=perceptual_hash(small))


def hamming_distance(first: int, second: int) -> int:
    return ((first ^ second) & (2**64 - 1)).bit_count()
