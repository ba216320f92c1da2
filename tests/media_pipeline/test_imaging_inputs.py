"""The pipeline on awkward inputs: orientations, colour spaces, odd modes and sizes, damaged files,
limits, metadata. Pure Pillow, no database; every image is made here."""

import base64
import struct
import time
from pathlib import Path

import pytest
from PIL import Image, ImageDraw, PngImagePlugin, features

from media_pipeline import imaging
from tests.image_cases import (
    RED,
    WHITE,
    XMP_PACKET,
    adobe_rgb_profile,
    blank_png,
    decode,
    encode,
    exif_bytes,
    png_header_only,
    press_cmyk_profile,
    press_cmyk_to_srgb,
    red_corner_card,
    stored_as_camera_would,
    without_jpeg_segment,
)

LIMITS = imaging.Limits()
DEBIAN_ADOBE_RGB = Path("/usr/share/color/icc/colord/AdobeRGB1998.icc")


def rendition(processed: imaging.ProcessedImage, name: str, format: str) -> imaging.EncodedImage:
    (match,) = [r for r in processed.renditions if r.name == name and r.format == format]
    return match


def assert_close(actual: tuple[int, ...], expected: tuple[float, ...], tolerance: float) -> None:
    assert len(actual) >= len(expected)
    differences = [abs(a - e) for a, e in zip(actual, expected, strict=False)]
    assert max(differences) <= tolerance, f"{actual} is not within {tolerance} of {expected}"


def assert_red_block_top_left(image: Image.Image) -> None:
    width, height = image.size
    assert_close(image.getpixel((3, 3)), RED, 40)
    for corner in [(width - 4, 3), (3, height - 4), (width - 4, height - 4)]:
        assert_close(image.getpixel(corner), WHITE, 40)


def structured_picture(kind: str, size: tuple[int, int] = (640, 480)) -> Image.Image:
    """Two pictures with shapes and gradients that share nothing but their size.

    Neither is mirror-symmetric: a symmetric picture zeroes half of the hash's frequencies, and
    bits compared against a median of zeros flip at the slightest re-encoding."""
    width, height = size
    image = Image.new("RGB", size)
    draw = ImageDraw.Draw(image)
    if kind == "sunset":
        for y in range(height):
            draw.line([(0, y), (width, y)], fill=(255, 120 + y * 100 // height, y * 200 // height))
        draw.ellipse((width // 8, height // 4, width // 3, height // 2), fill=(250, 230, 40))
        hill = [(0, height), (width // 2, height * 2 // 3), (width, height)]
        draw.polygon(hill, fill=(40, 60, 30))
    else:
        for x in range(width):
            draw.line([(x, 0), (x, height)], fill=(20, x * 200 // width, 120))
        tower = (width // 10, height // 8, width // 3, height * 7 // 8)
        draw.rectangle(tower, fill=(240, 240, 240))
        draw.rectangle((width * 2 // 3, 0, width, height // 3), fill=(10, 10, 10))
    return image


@pytest.fixture(scope="module")
def large_processed() -> imaging.ProcessedImage:
    return imaging.process_image(encode(structured_picture("sunset", (3000, 2000)), "JPEG"))


# --- Orientation ------------------------------------------------------------------------------


@pytest.mark.parametrize("orientation", range(1, 9))
def test_every_exif_orientation_is_inspected_at_its_upright_size(orientation):
    stored = stored_as_camera_would(red_corner_card(60, 40), orientation)
    data = encode(stored, "JPEG", exif=exif_bytes(orientation=orientation))
    info = imaging.inspect_image(data, LIMITS)
    assert (info.width, info.height) == (60, 40)


@pytest.mark.parametrize("orientation", range(1, 9))
def test_every_exif_orientation_comes_out_upright_in_the_renditions(orientation):
    stored = stored_as_camera_would(red_corner_card(60, 40), orientation)
    data = encode(
        stored, "JPEG", quality=95, subsampling=0, exif=exif_bytes(orientation=orientation)
    )
    processed = imaging.process_image(data)
    assert (processed.width, processed.height) == (60, 40)
    for format in ("JPEG", "WEBP"):
        output = rendition(processed, "236x", format)
        shown = decode(output.data).convert("RGB")
        assert shown.size == (output.width, output.height) == (60, 40)
        assert_red_block_top_left(shown)


@pytest.mark.parametrize("format", ["PNG", "WEBP"])
def test_exif_orientation_in_png_and_webp_is_honoured_too(format):
    stored = stored_as_camera_would(red_corner_card(60, 40), 6)
    data = encode(stored, format, exif=exif_bytes(orientation=6), lossless=True)
    processed = imaging.process_image(data)
    assert (processed.width, processed.height) == (60, 40)
    assert_red_block_top_left(decode(rendition(processed, "236x", "WEBP").data).convert("RGB"))


@pytest.mark.parametrize("orientation", [6, 8])
def test_a_large_rotated_photo_is_scaled_while_decoding_and_still_comes_out_upright(orientation):
    stored = stored_as_camera_would(red_corner_card(3000, 2000), orientation)
    data = encode(stored, "JPEG", exif=exif_bytes(orientation=orientation))
    processed = imaging.process_image(data)
    output = rendition(processed, "1200x", "JPEG")
    shown = decode(output.data)
    assert shown.size == (output.width, output.height) == (1200, 800)
    assert_red_block_top_left(shown)


# --- Colour -----------------------------------------------------------------------------------

CYAN, MID_GREY, PAPER = (255, 0, 0, 0), (0, 0, 0, 128), (0, 0, 0, 0)


def cmyk_swatches(side: int = 80) -> Image.Image:
    """Three square swatches side by side: press cyan, 50% black, bare paper."""
    image = Image.new("CMYK", (3 * side, side))
    for index, color in enumerate([CYAN, MID_GREY, PAPER]):
        image.paste(color, (index * side, 0, index * side + side, side))
    return image


def swatch_colors(image: Image.Image) -> list[tuple[int, ...]]:
    width, height = image.size
    return [image.convert("RGB").getpixel((width * i // 6, height // 2)) for i in (1, 3, 5)]


def test_pillow_writes_cmyk_jpegs_with_an_adobe_marker():
    data = encode(cmyk_swatches(), "JPEG")
    assert b"\xff\xee\x00\x0eAdobe" in data[:64]
    assert decode(data).info["adobe_transform"] == 0


@pytest.mark.parametrize(
    ("adobe_marker", "side"),
    [(True, 80), (False, 80), (True, 1000)],
    ids=["adobe-app14", "no-app14", "scaled-while-decoding"],
)
def test_cmyk_jpeg_colours_come_out_through_the_embedded_profile(adobe_marker, side):
    data = encode(cmyk_swatches(side), "JPEG", quality=95, icc_profile=press_cmyk_profile())
    if not adobe_marker:
        # Browsers read a marker-less CMYK JPEG as inverted too (Adobe's convention).
        data = without_jpeg_segment(data, b"\xff\xee")
    processed = imaging.process_image(data)
    for format in ("JPEG", "WEBP"):
        cyan, grey, paper = swatch_colors(decode(rendition(processed, "236x", format).data))
        # A press cyan is a clear cyan-blue (0, 158, 224), not (0, 255, 255) nor inverted red.
        assert_close(cyan, press_cmyk_to_srgb(CYAN), 12)
        assert_close(grey, press_cmyk_to_srgb(MID_GREY), 10)
        assert max(grey) - min(grey) <= 6
        assert_close(paper, WHITE, 6)


def test_cmyk_jpeg_without_a_profile_is_not_inverted():
    processed = imaging.process_image(encode(cmyk_swatches(), "JPEG", quality=95))
    cyan, grey, paper = swatch_colors(decode(rendition(processed, "236x", "JPEG").data))
    assert cyan[0] < 40 and min(cyan[1:]) > 200
    assert 100 < grey[0] < 160 and max(grey) - min(grey) <= 6
    assert_close(paper, WHITE, 6)


def adobe_rgb_sources() -> list:
    missing = not DEBIAN_ADOBE_RGB.exists()
    reason = f"{DEBIAN_ADOBE_RGB} is absent (Debian package colord-data)"
    return [
        pytest.param(adobe_rgb_profile, id="built-here"),
        pytest.param(
            DEBIAN_ADOBE_RGB.read_bytes,
            id="colord-data",
            marks=pytest.mark.skipif(missing, reason=reason),
        ),
    ]


@pytest.mark.parametrize("profile", adobe_rgb_sources())
def test_an_adobe_rgb_jpeg_is_converted_to_srgb(profile):
    # Adobe RGB (200, 60, 60) is sRGB (231, 57, 57): shown unconverted it would look dull.
    data = encode(
        Image.new("RGB", (120, 80), (200, 60, 60)), "JPEG", quality=95, icc_profile=profile()
    )
    processed = imaging.process_image(data)
    for format in ("JPEG", "WEBP"):
        shown = decode(rendition(processed, "236x", format).data)
        assert_close(shown.getpixel((60, 40)), (231, 57, 57), 6)
        assert "icc_profile" not in shown.info


def test_a_transparent_png_keeps_its_alpha_through_its_colour_profile():
    image = Image.new("RGBA", (80, 40), (200, 60, 60, 255))
    image.paste((0, 0, 0, 0), (0, 0, 40, 40))
    processed = imaging.process_image(encode(image, "PNG", icc_profile=adobe_rgb_profile()))
    assert processed.has_alpha
    shown = decode(rendition(processed, "236x", "PNG").data)
    assert shown.getpixel((10, 20))[3] == 0
    assert_close(shown.getpixel((60, 20)), (231, 57, 57, 255), 3)


def test_no_colour_profile_is_left_in_any_output():
    data = encode(cmyk_swatches(), "JPEG", icc_profile=press_cmyk_profile())
    for output in imaging.process_image(data).renditions:
        assert "icc_profile" not in decode(output.data).info
        assert b"ICC_PROFILE" not in output.data and b"iCCP" not in output.data


def test_a_broken_embedded_profile_is_ignored_rather_than_refusing_the_picture():
    data = encode(Image.new("RGB", (60, 40), (200, 60, 60)), "JPEG", icc_profile=b"not icc" * 20)
    shown = decode(rendition(imaging.process_image(data), "236x", "JPEG").data)
    assert_close(shown.getpixel((30, 20)), (200, 60, 60), 6)


# --- Modes ------------------------------------------------------------------------------------


def test_a_sixteen_bit_grey_png_keeps_its_greys_instead_of_turning_white():
    # Three 30-pixel columns, 0, 32768 and 65535, as little-endian 16-bit samples.
    row = b"".join(struct.pack("<H", level) * 30 for level in (0, 32768, 65535))
    data = encode(Image.frombytes("I;16", (90, 30), row * 30), "PNG")
    assert decode(data).mode == "I;16"
    shown = decode(rendition(imaging.process_image(data), "236x", "JPEG").data).convert("L")
    black, grey, white = (shown.getpixel((15 + 30 * i, 15)) for i in range(3))
    assert black <= 3 and abs(grey - 128) <= 3 and white >= 252


@pytest.mark.parametrize("format", ["PNG", "GIF"])
def test_a_palette_image_with_a_transparent_index_stays_transparent(format):
    image = Image.new("P", (60, 40), 0)
    image.putpalette([0, 0, 0, 30, 90, 200])
    image.paste(1, (30, 0, 60, 40))
    processed = imaging.process_image(encode(image, format, transparency=0))
    assert processed.has_alpha
    assert {r.format for r in processed.renditions} == {"PNG", "WEBP"}
    for output_format in ("PNG", "WEBP"):
        shown = decode(rendition(processed, "236x", output_format).data).convert("RGBA")
        assert shown.getpixel((10, 20))[3] == 0
        assert_close(shown.getpixel((50, 20)), (30, 90, 200, 255), 8)


@pytest.mark.parametrize(
    ("mode", "key", "fill"),
    [("RGB", (0, 0, 0), (30, 90, 200)), ("L", 0, 120)],
    ids=["rgb", "grey"],
)
def test_a_png_with_a_transparent_colour_key_stays_transparent(mode, key, fill):
    # Optimisers (oxipng, pngcrush) store one-colour transparency as a tRNS key, not as alpha.
    image = Image.new(mode, (60, 40), key)
    image.paste(fill, (30, 0, 60, 40))
    processed = imaging.process_image(encode(image, "PNG", transparency=key))
    assert processed.has_alpha
    assert {r.format for r in processed.renditions} == {"PNG", "WEBP"}
    shown = decode(rendition(processed, "236x", "WEBP").data).convert("RGBA")
    assert shown.getpixel((10, 20))[3] == 0
    assert shown.getpixel((50, 20))[3] == 255


def test_a_grey_png_with_alpha_keeps_its_transparency():
    image = Image.new("LA", (60, 40), (120, 0))
    image.paste((120, 255), (30, 0, 60, 40))
    processed = imaging.process_image(encode(image, "PNG"))
    assert processed.has_alpha
    for output_format in ("PNG", "WEBP"):
        shown = decode(rendition(processed, "236x", output_format).data).convert("RGBA")
        assert shown.getpixel((10, 20))[3] == 0
        assert_close(shown.getpixel((50, 20)), (120, 120, 120, 255), 4)


def test_an_opaque_rgba_png_is_served_as_jpeg_and_webp():
    processed = imaging.process_image(
        encode(Image.new("RGBA", (60, 40), (30, 90, 200, 255)), "PNG")
    )
    assert not processed.has_alpha
    assert {r.format for r in processed.renditions} == {"JPEG", "WEBP"}
    assert decode(rendition(processed, "236x", "WEBP").data).mode == "RGB"


def test_a_progressive_jpeg_is_processed_like_any_other():
    data = encode(red_corner_card(60, 40), "JPEG", quality=95, subsampling=0, progressive=True)
    assert imaging.inspect_image(data, LIMITS) == imaging.ImageInfo("JPEG", 60, 40, 1)
    shown = decode(rendition(imaging.process_image(data), "236x", "JPEG").data)
    assert_red_block_top_left(shown)


def test_a_jpeg_carrying_extra_mpf_images_is_inspected_as_a_plain_jpeg():
    # Phones write MPF (multi-picture) JPEGs: an Ultra HDR gain map, a preview. Pillow opens them
    # as "MPO", a format the pipeline has no extension for.
    second = Image.new("RGB", (30, 20), (0, 0, 220))
    data = encode(red_corner_card(60, 40), "MPO", save_all=True, append_images=[second])
    info = imaging.inspect_image(data, LIMITS)
    assert info == imaging.ImageInfo("JPEG", 60, 40, 1)
    assert imaging.extension_for(info.format) == "jpg"
    assert_red_block_top_left(decode(rendition(imaging.process_image(data), "236x", "JPEG").data))


@pytest.mark.parametrize("format", ["GIF", "WEBP"])
def test_an_animation_is_shown_by_its_first_frame(format):
    frames = [Image.new("RGB", (60, 40), color) for color in [RED, (0, 200, 0), (0, 0, 220)]]
    data = encode(frames[0], format, save_all=True, append_images=frames[1:], duration=100)
    assert imaging.inspect_image(data, LIMITS).frames == 3
    processed = imaging.process_image(data)
    for output in processed.renditions:
        assert_close(decode(output.data).convert("RGB").getpixel((10, 10)), RED, 12)


# --- Sizes ------------------------------------------------------------------------------------


def assert_recorded_sizes_are_real_and_not_upscaled(processed: imaging.ProcessedImage) -> None:
    for output in processed.renditions:
        shown = decode(output.data)
        assert shown.size == (output.width, output.height), output.name
        assert 1 <= output.width <= processed.width, output.name
        assert 1 <= output.height <= processed.height, output.name


def test_a_one_pixel_image_is_never_upscaled():
    processed = imaging.process_image(encode(Image.new("RGB", (1, 1), RED), "PNG"))
    assert_recorded_sizes_are_real_and_not_upscaled(processed)
    assert {(r.width, r.height) for r in processed.renditions} == {(1, 1)}


def test_a_twenty_by_four_thousand_strip_is_never_upscaled_and_its_crops_keep_their_aspect():
    processed = imaging.process_image(encode(Image.new("RGB", (20, 4000), RED), "PNG"))
    assert_recorded_sizes_are_real_and_not_upscaled(processed)
    sizes = {(r.name, r.format): (r.width, r.height) for r in processed.renditions}
    for name in ("236x", "474x", "736x", "600x", "1200x"):
        assert sizes[(name, "JPEG")] == sizes[(name, "WEBP")] == (20, 4000)
    assert sizes[("150x150", "JPEG")] == sizes[("150x150", "WEBP")] == (20, 20)
    assert sizes[("400x300", "JPEG")] == sizes[("400x300", "WEBP")] == (20, 15)


def test_a_3000_pixel_photo_gets_exact_widths_and_exact_crops(large_processed):
    sizes = {r.name: (r.width, r.height) for r in large_processed.renditions}
    assert sizes == {
        "236x": (236, 157),
        "474x": (474, 316),
        "736x": (736, 491),
        "600x": (600, 400),
        "1200x": (1200, 800),
        "150x150": (150, 150),
        "400x300": (400, 300),
    }
    assert_recorded_sizes_are_real_and_not_upscaled(large_processed)


@pytest.mark.parametrize("size", [(500, 200), (200, 500), (900, 120), (300, 300)])
def test_every_rendition_records_the_size_it_really_has(size):
    processed = imaging.process_image(encode(structured_picture("city", size), "JPEG"))
    assert_recorded_sizes_are_real_and_not_upscaled(processed)
    for output in processed.renditions:
        if output.name in {"150x150", "400x300"}:
            wanted = 1 if output.name == "150x150" else 4 / 3
            # A crop too big for its source keeps its shape at the source's own resolution.
            assert abs(output.width / output.height - wanted) < 0.02, (output.name, size)


# --- Damaged files ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("format", "options"),
    [
        ("JPEG", {}),
        ("PNG", {}),
        ("GIF", {}),
        ("WEBP", {}),
        ("WEBP", {"lossless": True}),
    ],
    ids=["jpeg", "png", "gif", "webp", "webp-lossless"],
)
def test_a_file_cut_in_half_is_refused_as_damaged(format, options):
    data = encode(structured_picture("city", (300, 200)), format, **options)
    with pytest.raises(imaging.ImageRejected, match=f"^{format} file is damaged or incomplete$"):
        imaging.inspect_image(data[: len(data) // 2], LIMITS)


def test_a_png_with_no_image_data_is_refused_as_damaged():
    with pytest.raises(imaging.ImageRejected, match=r"^PNG file is damaged or incomplete$"):
        imaging.inspect_image(png_header_only(100, 100), LIMITS)


def test_an_animated_gif_cut_inside_a_later_frame_is_refused_as_damaged():
    frames = [structured_picture(kind, (120, 80)) for kind in ("sunset", "city", "sunset")]
    data = encode(frames[0], "GIF", save_all=True, append_images=frames[1:])
    with pytest.raises(imaging.ImageRejected, match=r"^GIF file is damaged or incomplete$"):
        imaging.inspect_image(data[: len(data) - 200], LIMITS)


def test_bytes_after_a_complete_jpeg_are_accepted_and_left_behind():
    data = encode(red_corner_card(60, 40), "JPEG") + b"TRAILING-JUNK" * 100
    assert imaging.inspect_image(data, LIMITS).format == "JPEG"
    for output in imaging.process_image(data).renditions:
        assert b"TRAILING-JUNK" not in output.data
        if output.format == "JPEG":
            assert output.data.endswith(b"\xff\xd9")


# --- Limits -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "limits", "message"),
    [
        (
            encode(Image.new("RGB", (101, 10)), "PNG"),
            imaging.Limits(max_side=100),
            r"^PNG longer than 100 pixels on a side$",
        ),
        (
            encode(
                Image.new("RGB", (10, 10)),
                "GIF",
                save_all=True,
                append_images=[Image.new("RGB", (10, 10), c) for c in (RED, WHITE)],
            ),
            imaging.Limits(max_frames=2),
            r"^GIF with more than 2 frames$",
        ),
        (
            encode(Image.new("RGB", (10, 10)), "PNG") + b"\0" * imaging.MEGABYTE,
            imaging.Limits(max_bytes=imaging.MEGABYTE),
            r"^file over 1 MB$",
        ),
        (
            encode(Image.new("RGB", (200, 100)), "WEBP"),
            imaging.Limits(max_pixels=10_000),
            r"^WEBP larger than 0\.01 megapixels$",
        ),
    ],
    ids=["longest-side", "frames", "bytes", "megapixels"],
)
def test_each_limit_is_refused_with_its_own_message(data, limits, message):
    with pytest.raises(imaging.ImageRejected, match=message):
        imaging.inspect_image(data, limits)


def test_a_tiny_png_declaring_fifty_thousand_squared_is_refused_in_milliseconds():
    bomb = png_header_only(50_000, 50_000)
    assert len(bomb) <= 70
    started = time.perf_counter()
    with pytest.raises(imaging.ImageRejected, match="larger than 50 megapixels"):
        imaging.inspect_image(bomb, LIMITS)
    assert time.perf_counter() - started < 0.1


def test_a_pixel_limit_set_above_pillows_own_bomb_threshold_is_the_one_enforced():
    # Pillow warns from 89.5 megapixels; MEDIA_MAX_PIXELS may be set higher than that.
    assert Image.MAX_IMAGE_PIXELS < 10_000 * 10_000
    limits = imaging.Limits(max_pixels=150_000_000)
    info = imaging.inspect_image(blank_png(10_000, 10_000), limits)
    assert (info.format, info.width, info.height) == ("PNG", 10_000, 10_000)


# --- Metadata ---------------------------------------------------------------------------------


def metadata_rich_inputs() -> dict[str, bytes]:
    picture = structured_picture("city", (300, 200))
    exif = exif_bytes(orientation=1, gps=True)
    icc = adobe_rgb_profile()
    png_text = PngImagePlugin.PngInfo()
    png_text.add_text("Comment", "secret")
    png_text.add_itxt("XML:com.adobe.xmp", XMP_PACKET.decode())
    png_text.add_text("Author", "secret", zip=True)
    transparent = picture.convert("RGBA")
    transparent.paste((0, 0, 0, 0), (0, 0, 50, 50))
    return {
        "jpeg": encode(
            picture, "JPEG", exif=exif, xmp=XMP_PACKET, comment=b"secret comment", icc_profile=icc
        ),
        "png": encode(transparent, "PNG", exif=exif, pnginfo=png_text, icc_profile=icc),
        "webp": encode(picture, "WEBP", exif=exif, xmp=XMP_PACKET, icc_profile=icc),
    }


@pytest.mark.parametrize("kind", ["jpeg", "png", "webp"])
def test_no_metadata_survives_into_any_rendition(kind):
    data = metadata_rich_inputs()[kind]
    assert decode(data).getexif().get_ifd(0x8825)  # the input does carry a GPS position
    assert b"http://ns.adobe.com/xap" in data
    for output in imaging.process_image(data).renditions:
        shown = decode(output.data)
        assert dict(shown.getexif()) == {}, output.name
        leaked = {"exif", "xmp", "icc_profile", "comment", "XML:com.adobe.xmp", "Comment", "Author"}
        assert leaked.isdisjoint(shown.info), (output.name, output.format, shown.info.keys())
        for marker in (b"Exif", b"GPS", b"http://ns.adobe.com/xap", b"tEXt", b"iTXt", b"zTXt"):
            assert marker not in output.data, (output.name, output.format, marker)
        for marker in (b"ICC_PROFILE", b"iCCP", b"ICCP"):
            assert marker not in output.data, (output.name, output.format, marker)
        assert b"secret" not in output.data and b"CameraMaker" not in output.data


# --- Hash, placeholder, AVIF ------------------------------------------------------------------


def test_the_same_picture_reencoded_smaller_hashes_within_a_few_bits():
    picture = structured_picture("sunset", (800, 600))
    original = imaging.process_image(encode(picture, "JPEG", quality=95))
    smaller = encode(picture.resize((400, 300), Image.Resampling.BICUBIC), "JPEG", quality=40)
    assert imaging.hamming_distance(original.phash, imaging.process_image(smaller).phash) <= 6


def test_different_pictures_hash_far_apart():
    sunset = imaging.process_image(encode(structured_picture("sunset"), "JPEG"))
    city = imaging.process_image(encode(structured_picture("city"), "JPEG"))
    assert imaging.hamming_distance(sunset.phash, city.phash) >= 16


def test_the_placeholder_is_a_tiny_webp_with_the_source_aspect(large_processed):
    prefix = "data:image/webp;base64,"
    assert large_processed.placeholder.startswith(prefix)
    tiny = decode(base64.b64decode(large_processed.placeholder.removeprefix(prefix)))
    assert tiny.format == "WEBP"
    assert tiny.width <= 16
    assert abs(tiny.width / tiny.height - 3000 / 2000) < 0.2


@pytest.mark.skipif(not features.check("avif"), reason="this Pillow was built without AVIF")
def test_encode_avif_gives_one_decodable_avif_per_spec():
    outputs = imaging.encode_avif(encode(structured_picture("sunset", (800, 600)), "JPEG"))
    assert [output.name for output in outputs] == [spec.name for spec in imaging.RENDITIONS]
    for output in outputs:
        shown = decode(output.data)
        assert (output.format, output.extension, shown.format) == ("AVIF", "avif", "AVIF")
        assert shown.size == (output.width, output.height)
        assert output.width <= 800 and output.height <= 600
