"""Colours as people pick them (hex) and as search compares them (OKLab). Pure functions, no Django.

OKLab (Björn Ottosson, 2020) is a perceptual space: a Euclidean distance in it tracks how
different two colours look far better than one in sRGB, so "pins near this red" ranks the reds
a person would call close first, whatever their brightness in RGB terms.
"""

import math
import re
from dataclasses import dataclass

import numpy as np


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


# Ottosson's published matrices: linear sRGB to cone responses (LMS), then cube-rooted LMS to OKLab.
_LINEAR_TO_LMS = np.array(
    [
        [0.4122214708, 0.5363325363, 0.0514459929],
        [0.2119034982, 0.6806995451, 0.1073969566],
        [0.0883024619, 0.2817188376, 0.6299787005],
    ]
)
_LMS_TO_OKLAB = np.array(
    [
        [0.2104542553, 0.7936177850, -0.0040720468],
        [1.9779984951, -2.4285922050, 0.4505937099],
        [0.0259040371, 0.7827717662, -0.8086757660],
    ]
)


def srgb_to_oklab(rgb: np.ndarray) -> np.ndarray:
    """OKLab (L, a, b) along the last axis of 8-bit sRGB values: one colour (shape 3) or rows of
    them (shape n x 3), so a whole column of colours converts in one call."""
    c = np.asarray(rgb).astype(np.float64) / 255.0
    # sRGB's transfer curve undone: the light a display emits, in 0..1.
    linear = np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)
    return np.cbrt(linear @ _LINEAR_TO_LMS.T) @ _LMS_TO_OKLAB.T


def hex_to_oklab(raw: str) -> Oklab:
    """OKLab of a hex colour in any form `parse_hex_color` accepts (ColorError otherwise)."""
    digits = parse_hex_color(raw)[1:]
    rgb = np.array([int(digits[i : i + 2], 16) for i in (0, 2, 4)])
    return Oklab(*srgb_to_oklab(rgb).tolist())


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
