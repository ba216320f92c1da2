"""Pure image functions, tested without a database on images made here."""

import io
import struct
import time
import zlib

import pytest
from PIL import Image

from media_pipeline import imaging
from tests.images import image_bytes, jpeg_bytes, png_bytes

LIMITS = imaging.Limits()


def png_header_only(width: int, height: int) -> bytes:
    """A tiny PNG that declares a huge canvas: the header is all a bomb needs."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IEND", b"")


@pytest.mark.parametrize("fmt", ["JPEG", "PNG", "GIF", "WEBP"])
def test_accepted_formats_are_identified_from_the_bytes(fmt):
    info = imaging.inspect_image(image_bytes(30, 20, format=fmt), LIMITS)
    assert (info.format, info.width, info.height) == (fmt, 30, 20)


@pytest.mark.parametrize(
    "data",
    [
        b"hello, I am text",
        b"<svg xmlns='http://www.w3.org/2000/svg'/>",
        image_bytes(5, 5, format="BMP"),
    ],
)
def test_other_bytes_are_refused_as_not_an_image(data):
    with pytest.raises(imaging.ImageRejected, match="not an image"):
        imaging.inspect_image(data, LIMITS)


def test_a_tiny_png_declaring_fifty_thousand_squared_is_refused_in_milliseconds():
    bomb = png_header_only(50_000, 50_000)
    assert len(bomb) < 80
    started = time.perf_counter()
    with pytest.raises(imaging.ImageRejected, match="larger than 50 megapixels"):
        imaging.inspect_image(bomb, LIMITS)
    assert time.perf_counter() - started < 0.5


def test_an_image_over_the_pixel_limit_is_refused_naming_its_format():
    with pytest.raises(imaging.ImageRejected, match=r"^PNG larger than 0\.01 megapixels$"):
        imaging.inspect_image(png_bytes(200, 100), imaging.Limits(max_pixels=10_000))


def test_a_file_over_the_byte_limit_is_refused_before_reading_it():
    with pytest.raises(imaging.ImageRejected, match=r"^file over 1 MB$"):
        imaging.inspect_image(b"\xff" * (1024 * 1024 + 1), imaging.Limits(max_bytes=1024 * 1024))


def test_exif_orientation_is_applied_to_the_pixels():
    # A landscape picture stored with orientation 6 ("rotate 90 clockwise") is shown upright.
    exif = Image.Exif()
    exif[0x0112] = 6
    data = jpeg_bytes(400, 200, exif=exif.tobytes())
    upright = imaging.decode_upright(data)
    assert upright.size == (200, 400)


def renditions(data: bytes) -> dict[tuple[str, str], imaging.EncodedImage]:
    return {(r.name, r.format): r for r in imaging.process_image(data).renditions}


def test_every_size_comes_in_jpeg_and_webp():
    made = renditions(jpeg_bytes(1600, 1200))
    assert set(made) == {
        (spec.name, fmt) for spec in imaging.RENDITIONS for fmt in ("JPEG", "WEBP")
    }
    for (name, fmt), rendition in made.items():
        decoded = Image.open(io.BytesIO(rendition.data))
        assert decoded.format == fmt
        assert decoded.size == (rendition.width, rendition.height), name


def test_widths_never_upscale_and_record_real_sizes():
    made = renditions(png_bytes(120, 300))
    assert (made["236x", "JPEG"].width, made["236x", "JPEG"].height) == (120, 300)
    assert (made["1200x", "WEBP"].width, made["1200x", "WEBP"].height) == (120, 300)


def test_widths_keep_the_aspect_ratio():
    made = renditions(jpeg_bytes(1000, 1500))
    assert (made["236x", "JPEG"].width, made["236x", "JPEG"].height) == (236, 354)
    assert (made["736x", "JPEG"].width, made["736x", "JPEG"].height) == (736, 1104)


def test_crops_are_exact_for_large_sources():
    made = renditions(jpeg_bytes(3000, 1000))
    assert (made["150x150", "JPEG"].width, made["150x150", "JPEG"].height) == (150, 150)
    assert (made["400x300", "WEBP"].width, made["400x300", "WEBP"].height) == (400, 300)
    assert made["1200x", "JPEG"].width == 1200


def test_renditions_carry_no_metadata():
    exif = Image.Exif()
    exif[0x010F] = "CameraMaker"
    exif[0x0112] = 1
    for rendition in imaging.process_image(
        jpeg_bytes(500, 400, exif=exif.tobytes(), comment=b"secret")
    ).renditions:
        output = Image.open(io.BytesIO(rendition.data))
        assert dict(output.getexif()) == {}
        assert not {"comment", "icc_profile", "exif", "xmp"} & set(output.info)
        assert b"CameraMaker" not in rendition.data and b"secret" not in rendition.data


def test_transparent_sources_get_png_and_webp_with_alpha():
    result = imaging.process_image(png_bytes(50, 50, mode="RGBA", color=(0, 0, 0, 0)))
    assert result.has_alpha
    assert {r.format for r in result.renditions} == {"PNG", "WEBP"}
    webp = next(r for r in result.renditions if r.format == "WEBP" and r.name == "236x")
    assert Image.open(io.BytesIO(webp.data)).convert("RGBA").getpixel((25, 25))[3] == 0


def test_processing_reports_facts_for_the_grid_and_discovery():
    result = imaging.process_image(jpeg_bytes(900, 600, color=(20, 120, 220)))
    assert (result.width, result.height, result.has_alpha) == (900, 600, False)
    assert result.placeholder.startswith("data:image/webp;base64,")
    assert 0 <= result.phash < 2**64
    red, green, blue = (int(result.dominant_color[i : i + 2], 16) for i in (1, 3, 5))
    assert abs(red - 20) < 10 and abs(green - 120) < 10 and abs(blue - 220) < 10


def test_dominant_color_is_the_main_colour_as_hex():
    image = Image.new("RGB", (100, 100), (20, 120, 220))
    image.paste((250, 250, 250), (0, 0, 20, 20))
    color = imaging.dominant_color(image)
    red, green, blue = (int(color[i : i + 2], 16) for i in (1, 3, 5))
    assert abs(red - 20) < 8 and abs(green - 120) < 8 and abs(blue - 220) < 8


def test_truncated_images_are_refused_when_decoded():
    data = jpeg_bytes(400, 400)
    with pytest.raises(imaging.ImageRejected, match="could not be decoded"):
        imaging.decode_upright(data[: len(data) // 2])
