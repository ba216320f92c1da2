"""Colours as people pick them (hex) and as search compares them (OKLab). Pure Python, no Django.

OKLab (Björn Ottosson, 2020) is a perceptual space: a Euclidean distance in it tracks how
different two colours look far better than one in sRGB, so "pins near this red" ranks the reds
a person would call close first, whatever their brightness in RGB terms.
"""

import math
import re
from dataclasses import dataclass


class ColorError(ValueError):
    """Not a colour we understand; the message names the problem."""


@dataclass(frozen=True)
class Oklab:
    l: float  # noqa: E741 - the name Ottosson's papers and every implementation use
    a: float
    b: float

    def distance(self, other: "Oklab") -> float:
        return math.dist((self.l, self.a, self.b), (other.l, other.a, other.b))


_HEX_DIGITS = re.compile(r"[0-9a-fA-F]+")


def parse_hex_color(raw: str) -> str:
    """A colour as "#rrggbb" (lower case) from "#RRGGBB", "RRGGBB", "#rgb" or "rgb".

    The "#" is optional because it must be written %23 in a URL, which people forget; the CSS
    three-digit shorthand doubles each digit (#c33 is #cc3333).
    """
    text = raw.strip()
    digits = text[1:] if text.startswith("#") else text
    if not digits:
        raise ColorError("colour is empty: give a hex colour like #cc3333")
    if not _HEX_DIGITS.fullmatch(digits):
        bad = next(c for c in digits if not _HEX_DIGITS.fullmatch(c))
        raise ColorError(f"{raw!r} is not a hex colour: {bad!r} is not a hex digit")
    if len(digits) == 3:
        digits = "".join(c * 2 for c in digits)
    if len(digits) != 6:
        raise ColorError(f"{raw!r} has {len(digits)} hex digits: give 6 (#cc3333) or 3 (#c33)")
    return "#" + digits.lower()


def _linear(channel: int) -> float:
    """sRGB's transfer curve undone: the light a display emits, in 0..1."""
    c = channel / 255
    return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4


def srgb_to_oklab(red: int, green: int, blue: int) -> Oklab:
    """OKLab from 8-bit sRGB, with Ottosson's published matrices."""
    r, g, b = _linear(red), _linear(green), _linear(blue)
    lms = (
        0.4122214708 * r + 0.5363325363 * g + 0.0514459929 * b,
        0.2119034982 * r + 0.6806995451 * g + 0.1073969566 * b,
        0.0883024619 * r + 0.2817188376 * g + 0.6299787005 * b,
    )
    l_, m_, s_ = (math.copysign(abs(x) ** (1 / 3), x) for x in lms)
    return Oklab(
        l=0.2104542553 * l_ + 0.7936177850 * m_ - 0.0040720468 * s_,
        a=1.9779984951 * l_ - 2.4285922050 * m_ + 0.4505937099 * s_,
        b=0.0259040371 * l_ + 0.7827717662 * m_ - 0.8086757660 * s_,
    )


def hex_to_oklab(raw: str) -> Oklab:
    """OKLab of a hex colour in any form `parse_hex_color` accepts (ColorError otherwise)."""
    digits = parse_hex_color(raw)[1:]
    return srgb_to_oklab(int(digits[0:2], 16), int(digits[2:4], 16), int(digits[4:6], 16))


@dataclass(frozen=True)
class Swatch:
    name: str
    hex: str

    @property
    def slug(self) -> str:
        return self.name.lower()


# The search page's palette: the basic colour terms most languages share, chosen at least 0.128
# apart in OKLab, more than the search radius, so each chip finds its own family of pins.
PALETTE: tuple[Swatch, ...] = (
    Swatch("Red", "#d32f2f"),
    Swatch("Orange", "#f57c00"),
    Swatch("Yellow", "#fbc02d"),
    Swatch("Green", "#388e3c"),
    Swatch("Teal", "#0097a7"),
    Swatch("Blue", "#1976d2"),
    Swatch("Purple", "#7b1fa2"),
    Swatch("Pink", "#f06292"),
    Swatch("Brown", "#795548"),
    Swatch("Black", "#212121"),
    Swatch("Grey", "#9e9e9e"),
    Swatch("White", "#fafafa"),
)
