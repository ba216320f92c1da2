"""Every file the pipeline publishes carries pixels only: no EXIF (so no GPS position), no XMP, no
colour profile, no comment, and nothing after the format's end marker.

Uploads carry all of that, plus bytes hidden after the image's end, and go through the real
pipeline (upload, processing task, AVIF task, storage). The files written under MEDIA_ROOT are
then parsed structure by structure, not just searched for strings.
"""

import base64
import struct
from dataclasses import dataclass
from pathlib import Path

import pytest
from PIL import Image, PngImagePlugin, features

from media_pipeline.services import media_create
from tests.image_cases import XMP_PACKET, adobe_rgb_profile, decode, encode, exif_bytes

pytestmark = pytest.mark.django_db

TRAILER = b"HIDDEN-AFTER-THE-END" * 40
# Text that only the metadata of the uploads contains.
SECRETS = (b"CameraMaker", b"secret", b"Secret", b"http://ns.adobe.com/xap", b"HIDDEN-AFTER")


def picture(mode: str = "RGB") -> Image.Image:
    image = Image.new("RGB", (320, 240), (30, 120, 200))
    image.paste((240, 200, 40), (40, 40, 200, 160))
    if mode == "RGBA":
        image = image.convert("RGBA")
        image.paste((0, 0, 0, 0), (0, 0, 60, 60))
    return image


def uploads() -> dict[str, bytes]:
    exif = exif_bytes(orientation=1, gps=True)
    icc = adobe_rgb_profile()
    png_text = PngImagePlugin.PngInfo()
    png_text.add_text("Comment", "secret comment")
    png_text.add_itxt("XML:com.adobe.xmp", XMP_PACKET.decode())
    png_text.add_text("Author", "secret author", zip=True)
    return {
        "jpeg-with-bytes-after-eoi": encode(
            picture(), "JPEG", exif=exif, xmp=XMP_PACKET, comment=b"secret", icc_profile=icc
        )
        + TRAILER,
        "png-with-bytes-after-iend": encode(
            picture("RGBA"), "PNG", exif=exif, pnginfo=png_text, icc_profile=icc
        )
        + TRAILER,
        "webp": encode(picture(), "WEBP", exif=exif, xmp=XMP_PACKET, icc_profile=icc),
    }


# --- What each format's structure says ------------------------------------------------------


@dataclass
class Structure:
    parts: list[bytes]  # JPEG markers, PNG chunk types, WebP chunk ids, ISOBMFF item types
    end: int  # where the format says the image ends
    metadata_flags: int = 0  # WebP VP8X flags for ICC, EXIF and XMP


def jpeg_structure(data: bytes) -> Structure:
    assert data[:2] == b"\xff\xd8"
    markers, position = [], 2
    while True:
        assert data[position] == 0xFF, f"no marker at {position}"
        marker = data[position + 1]
        position += 2
        if marker == 0xFF:  # a fill byte before the marker
            position -= 1
            continue
        if marker == 0xD9:  # EOI
            return Structure([bytes([marker]) for marker in markers], position)
        markers.append(marker)
        if 0xD0 <= marker <= 0xD7:  # restart markers have no length
            continue
        (length,) = struct.unpack(">H", data[position : position + 2])
        position += length
        if marker == 0xDA:  # entropy-coded data runs to the next real marker
            while not (
                data[position] == 0xFF and data[position + 1] not in {0, *range(0xD0, 0xD8)}
            ):
                position += 1


def png_structure(data: bytes) -> Structure:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    kinds, position = [], 8
    while True:
        length, kind = struct.unpack(">I4s", data[position : position + 8])
        kinds.append(kind)
        position += 12 + length
        if kind == b"IEND":
            return Structure(kinds, position)


def webp_structure(data: bytes) -> Structure:
    riff, size, webp = struct.unpack("<4sI4s", data[:12])
    assert (riff, webp) == (b"RIFF", b"WEBP")
    kinds, position, flags = [], 12, 0
    while position < 8 + size:
        kind, length = struct.unpack("<4sI", data[position : position + 8])
        kinds.append(kind)
        if kind == b"VP8X":
            flags = data[position + 8] & 0b0010_1100  # ICC, EXIF, XMP
        position += 8 + length + (length & 1)
    assert position == 8 + size
    return Structure(kinds, 8 + size, flags)


def _boxes(data: bytes, start: int, end: int):
    while start < end:
        size, kind = struct.unpack(">I4s", data[start : start + 8])
        header = 8
        if size == 1:
            (size,) = struct.unpack(">Q", data[start + 8 : start + 16])
            header = 16
        elif size == 0:
            size = end - start
        yield kind, start + header, start + size
        start += size


def avif_structure(data: bytes) -> Structure:
    """Top-level boxes must fill the file. The parts are those boxes, the item types (Exif, and
    mime for XMP, are metadata) and the colour boxes (prof and rICC embed an ICC profile)."""
    top = list(_boxes(data, 0, len(data)))
    assert top[0][0] == b"ftyp"
    parts = [b"box:" + kind for kind, _, _ in top]
    for kind, body, end in top:
        if kind != b"meta":
            continue
        for child, child_body, child_end in _boxes(data, body + 4, end):  # meta is a full box
            if child == b"iinf":
                count_size = 2 if data[child_body] == 0 else 4
                entries = _boxes(data, child_body + 4 + count_size, child_end)
                for _, entry, _ in entries:  # infe, version 2 or 3
                    id_size = 2 if data[entry] == 2 else 4
                    type_at = entry + 4 + id_size + 2
                    parts.append(data[type_at : type_at + 4])
            if child == b"iprp":
                for container, container_body, container_end in _boxes(data, child_body, child_end):
                    if container != b"ipco":
                        continue
                    for prop, prop_body, _ in _boxes(data, container_body, container_end):
                        if prop == b"colr":
                            parts.append(b"colr:" + data[prop_body : prop_body + 4])
    return Structure(parts, top[-1][2])


STRUCTURES = {
    ".jpg": jpeg_structure,
    ".png": png_structure,
    ".webp": webp_structure,
    ".avif": avif_structure,
}
# What a file may hold besides pixels: JFIF (APP0) and the coding tables in a JPEG, the image
# chunks in a PNG and WebP, the image boxes and items and coded colour spaces (nclx) in an AVIF.
JPEG_CODING = (0xDB, 0xC4, 0xDD, 0xDA, *range(0xC0, 0xD0), *range(0xD0, 0xD8))
ALLOWED = {
    ".jpg": {bytes([marker]) for marker in (0xE0, *JPEG_CODING)},
    ".png": {b"IHDR", b"PLTE", b"tRNS", b"IDAT", b"IEND"},
    ".webp": {b"VP8 ", b"VP8L", b"VP8X", b"ALPH"},
    ".avif": {b"box:ftyp", b"box:meta", b"box:mdat", b"av01", b"grid", b"colr:nclx"},
}


def assert_pixels_only(data: bytes, suffix: str, where: str) -> None:
    structure = STRUCTURES[suffix](data)
    assert structure.end == len(data), f"{where}: {len(data) - structure.end} bytes after the end"
    assert set(structure.parts) <= ALLOWED[suffix], (where, set(structure.parts) - ALLOWED[suffix])
    assert structure.metadata_flags == 0, where
    for text in SECRETS:
        assert text not in data, (where, text)
    shown = decode(data)
    assert dict(shown.getexif()) == {}, where
    assert not shown.getexif().get_ifd(0x8825), where  # GPS
    assert {"exif", "xmp", "icc_profile", "comment", "XML:com.adobe.xmp"}.isdisjoint(shown.info)


@pytest.fixture
def published(user, settings, media_storage, django_capture_on_commit_callbacks):
    """Each upload processed as in production, AVIF included: the record and the files made."""
    settings.MEDIA_AVIF = features.check("avif")
    made = {}
    for name, data in uploads().items():
        with django_capture_on_commit_callbacks(execute=True):
            media = media_create(owner=user, upload=data)
        media.refresh_from_db()
        assert media.status == "ready", (name, media.status, media.error)
        made[name] = media
    return made


def test_the_uploads_do_carry_gps_xmp_profiles_and_hidden_bytes():
    for name, data in uploads().items():
        original = decode(data)
        assert original.getexif().get_ifd(0x8825), name
        assert "icc_profile" in original.info, name
        assert b"http://ns.adobe.com/xap" in data, name
    jpeg, png = uploads()["jpeg-with-bytes-after-eoi"], uploads()["png-with-bytes-after-iend"]
    assert jpeg_structure(jpeg).end == len(jpeg) - len(TRAILER)
    assert png_structure(png).end == len(png) - len(TRAILER)


@pytest.mark.parametrize(
    ("format", "suffix"), [("JPEG", ".jpg"), ("PNG", ".png"), ("WEBP", ".webp"), ("AVIF", ".avif")]
)
def test_the_file_checks_see_metadata_and_bytes_after_the_end_in_each_format(format, suffix):
    if format == "AVIF" and not features.check("avif"):
        pytest.skip("this Pillow has no AVIF encoder")
    options = {"exif": exif_bytes(gps=True), "icc_profile": adobe_rgb_profile()}
    if format != "PNG":
        options["xmp"] = XMP_PACKET
    clean, tagged = encode(picture(), format), encode(picture(), format, **options)

    assert_pixels_only(clean, suffix, "clean")
    with pytest.raises(AssertionError):
        assert_pixels_only(tagged, suffix, "tagged")
    with pytest.raises(AssertionError, match="bytes after the end"):
        assert_pixels_only(clean + TRAILER, suffix, "padded")


def test_every_published_file_holds_pixels_only(published, media_storage):
    files = sorted(path for path in (media_storage / "media").rglob("*") if path.is_file())
    suffixes = {path.suffix for path in files}
    assert {".jpg", ".png", ".webp"} <= suffixes
    if features.check("avif"):
        assert ".avif" in suffixes
    for path in files:
        assert_pixels_only(path.read_bytes(), path.suffix, str(path.relative_to(media_storage)))


def test_every_recorded_rendition_is_a_published_file(published, media_storage):
    for name, media in published.items():
        renditions = list(media.renditions.all())
        assert len(renditions) >= 14, name
        for rendition in renditions:
            path = Path(media_storage / "media" / rendition.file.name)
            assert path.stat().st_size == rendition.bytes


def test_the_inline_placeholder_holds_pixels_only(published):
    for name, media in published.items():
        prefix = "data:image/webp;base64,"
        assert media.placeholder.startswith(prefix), name
        data = base64.b64decode(media.placeholder.removeprefix(prefix))
        assert_pixels_only(data, ".webp", f"{name} placeholder")
