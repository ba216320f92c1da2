"""Awkward inputs for the image pipeline, made here with Pillow and a little struct work.

Colour profiles are built byte by byte (ICC v2) so the tests need no profile file on disk:
a CMYK press-like profile and an Adobe RGB (1998) compatible one.
"""

import functools
import io
import struct
import zlib

from PIL import Image

RED = (255, 0, 0)
WHITE = (255, 255, 255)

# Where the 0th stored row and column lie in the upright picture (EXIF 2.3, tag 0x0112), as the
# transposition a camera applies to upright pixels before storing them.
_STORED_FOR_ORIENTATION = {
    1: None,
    2: Image.Transpose.FLIP_LEFT_RIGHT,  # row 0 at the top, column 0 on the right
    3: Image.Transpose.ROTATE_180,  # row 0 at the bottom, column 0 on the right
    4: Image.Transpose.FLIP_TOP_BOTTOM,  # row 0 at the bottom, column 0 on the left
    5: Image.Transpose.TRANSPOSE,  # row 0 on the left, column 0 at the top
    6: Image.Transpose.ROTATE_90,  # row 0 on the right, column 0 at the top
    7: Image.Transpose.TRANSVERSE,  # row 0 on the right, column 0 at the bottom
    8: Image.Transpose.ROTATE_270,  # row 0 on the left, column 0 at the bottom
}


def encode(image: Image.Image, format: str, **options) -> bytes:
    output = io.BytesIO()
    image.save(output, format=format, **options)
    return output.getvalue()


def decode(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    image.load()
    return image


def red_corner_card(width: int = 60, height: int = 40) -> Image.Image:
    """White, with a red block in the top-left corner: every flip and turn moves the block."""
    image = Image.new("RGB", (width, height), WHITE)
    image.paste(RED, (0, 0, width // 3, height // 3))
    return image


def stored_as_camera_would(upright: Image.Image, orientation: int) -> Image.Image:
    transposition = _STORED_FOR_ORIENTATION[orientation]
    return upright.copy() if transposition is None else upright.transpose(transposition)


def exif_bytes(*, orientation: int | None = None, gps: bool = False) -> bytes:
    exif = Image.Exif()
    exif[0x010F] = "CameraMaker"
    if orientation is not None:
        exif[0x0112] = orientation
    if gps:
        # GPSInfo IFD: latitude 48 deg 51' 29" N, longitude 2 deg 17' 40" E.
        exif[0x8825] = {1: "N", 2: (48.0, 51.0, 29.0), 3: "E", 4: (2.0, 17.0, 40.0)}
    return exif.tobytes()


XMP_PACKET = (
    b'<?xpacket begin="" id="W5M0MpCehiHzreSzNTczkc9d"?>'
    b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF '
    b'xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
    b'<rdf:Description xmlns:xmp="http://ns.adobe.com/xap/1.0/" xmp:CreatorTool="Secret"/>'
    b'</rdf:RDF></x:xmpmeta><?xpacket end="w"?>'
)


def png_header_only(width: int, height: int) -> bytes:
    """A tiny PNG that declares a huge canvas: the header is all a bomb needs."""
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + png_chunk(b"IHDR", header) + png_chunk(b"IEND", b"")


def blank_png(width: int, height: int) -> bytes:
    """A real, complete 1-bit PNG of any size, compressed straight from zeros in milliseconds."""
    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    rows = (b"\0" * (1 + (width + 7) // 8)) * height
    return (
        b"\x89PNG\r\n\x1a\n"
        + png_chunk(b"IHDR", header)
        + png_chunk(b"IDAT", zlib.compress(rows, 9))
        + png_chunk(b"IEND", b"")
    )


def png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def without_jpeg_segment(data: bytes, marker: bytes) -> bytes:
    """The JPEG with its first segment of `marker` (e.g. b"\\xff\\xee", APP14) removed."""
    start = data.index(marker, 2)
    (length,) = struct.unpack(">H", data[start + 2 : start + 4])
    return data[:start] + data[start + 2 + length :]


# --- ICC v2 profiles --------------------------------------------------------------------------

_D50 = (0.9642, 1.0, 0.8249)


def _s15f16(*values: float) -> bytes:
    return b"".join(struct.pack(">i", round(value * 65536)) for value in values)


def _pad(data: bytes) -> bytes:
    return data + b"\0" * (-len(data) % 4)


def _description(text: str) -> bytes:
    ascii_text = text.encode("ascii") + b"\0"
    return (
        b"desc\0\0\0\0"
        + struct.pack(">I", len(ascii_text))
        + ascii_text
        + struct.pack(">II", 0, 0)  # no Unicode description
        + struct.pack(">HB", 0, 0)
        + b"\0" * 67  # no ScriptCode description
    )


def _xyz(x: float, y: float, z: float) -> bytes:
    return b"XYZ \0\0\0\0" + _s15f16(x, y, z)


def _profile(device_class: bytes, space: bytes, pcs: bytes, tags: dict[bytes, bytes]) -> bytes:
    table_size = 4 + 12 * len(tags)
    offset = 128 + table_size
    entries, blobs = [], b""
    for signature, data in tags.items():
        entries.append(struct.pack(">4sII", signature, offset + len(blobs), len(data)))
        blobs += _pad(data)
    body = struct.pack(">I", len(tags)) + b"".join(entries) + blobs
    header = (
        struct.pack(">I", 128 + len(body))
        + b"\0\0\0\0"
        + struct.pack(">I", 0x02100000)
        + device_class
        + space
        + pcs
        + struct.pack(">6H", 2024, 1, 1, 0, 0, 0)
        + b"acsp"
        + b"\0" * 24  # platform, flags, manufacturer, model, attributes
        + struct.pack(">I", 0)  # perceptual intent
        + _s15f16(*_D50)
        + b"\0" * 48  # creator, profile id, reserved
    )
    assert len(header) == 128
    return header + body


def _srgb_to_lab_d50(rgb: tuple[float, float, float]) -> tuple[float, float, float]:
    def linear(channel: float) -> float:
        value = channel / 255
        return value / 12.92 if value <= 0.04045 else ((value + 0.055) / 1.055) ** 2.4

    red, green, blue = (linear(channel) for channel in rgb)
    # sRGB primaries adapted to D50 (Bradford), as in the ICC's own sRGB profile.
    x = 0.4360747 * red + 0.3850649 * green + 0.1430804 * blue
    y = 0.2225045 * red + 0.7168786 * green + 0.0606169 * blue
    z = 0.0139322 * red + 0.0971045 * green + 0.7141733 * blue

    def f(t: float) -> float:
        return t ** (1 / 3) if t > (6 / 29) ** 3 else t / (3 * (6 / 29) ** 2) + 4 / 29

    fx, fy, fz = f(x / _D50[0]), f(y / _D50[1]), f(z / _D50[2])
    return 116 * fy - 16, 500 * (fx - fy), 200 * (fy - fz)


# What 100% of each ink looks like in sRGB on white paper: a press cyan is far from (0, 255, 255).
PRESS_INKS = {
    "cyan": (0, 158, 224),
    "magenta": (226, 0, 122),
    "yellow": (255, 237, 0),
    "black": (0, 0, 0),
}


def press_cmyk_to_srgb(cmyk: tuple[int, int, int, int]) -> tuple[float, float, float]:
    """The colour the CMYK profile below describes: inks multiply, each in proportion to cover."""
    rgb = [255.0, 255.0, 255.0]
    for cover, ink in zip(cmyk, PRESS_INKS.values(), strict=True):
        for index in range(3):
            rgb[index] *= 1 - cover / 255 * (1 - ink[index] / 255)
    return rgb[0], rgb[1], rgb[2]


@functools.cache
def press_cmyk_profile(grid: int = 9) -> bytes:
    """A CMYK output profile (A2B0 lut16 to Lab) describing `press_cmyk_to_srgb`."""
    clut = []
    steps = [round(255 * step / (grid - 1)) for step in range(grid)]
    for cyan in steps:
        for magenta in steps:
            for yellow in steps:
                for black in steps:
                    lightness, a, b = _srgb_to_lab_d50(
                        press_cmyk_to_srgb((cyan, magenta, yellow, black))
                    )
                    # ICC v2 16-bit Lab: L 0..100 -> 0..0xFF00, a and b -128..128 -> 0..0xFFFF.
                    clut += [
                        min(0xFFFF, max(0, round(lightness * 0xFF00 / 100))),
                        min(0xFFFF, max(0, round((a + 128) * 256))),
                        min(0xFFFF, max(0, round((b + 128) * 256))),
                    ]
    identity_curve = [0, 0xFFFF]
    lut = (
        b"mft2\0\0\0\0"
        + struct.pack(">BBBB", 4, 3, grid, 0)
        + _s15f16(1, 0, 0, 0, 1, 0, 0, 0, 1)
        + struct.pack(">HH", len(identity_curve), len(identity_curve))
        + struct.pack(f">{4 * len(identity_curve)}H", *(identity_curve * 4))
        + struct.pack(f">{len(clut)}H", *clut)
        + struct.pack(f">{3 * len(identity_curve)}H", *(identity_curve * 3))
    )
    return _profile(
        b"prtr",
        b"CMYK",
        b"Lab ",
        {b"desc": _description("Test press CMYK"), b"wtpt": _xyz(*_D50), b"A2B0": lut},
    )


@functools.cache
def adobe_rgb_profile() -> bytes:
    """Adobe RGB (1998): its primaries adapted to D50 and a pure 563/256 gamma."""
    gamma = b"curv\0\0\0\0" + struct.pack(">IH", 1, 563)
    return _profile(
        b"mntr",
        b"RGB ",
        b"XYZ ",
        {
            b"desc": _description("Adobe RGB (1998) compatible"),
            b"wtpt": _xyz(*_D50),
            b"rXYZ": _xyz(0.60974, 0.31111, 0.01947),
            b"gXYZ": _xyz(0.20528, 0.62567, 0.06087),
            b"bXYZ": _xyz(0.14919, 0.06322, 0.74457),
            b"rTRC": gamma,
            b"gTRC": gamma,
            b"bTRC": gamma,
        },
    )
