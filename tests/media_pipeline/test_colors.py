"""hex -> OKLab and hex parsing: pure functions, no database."""

import itertools

import pytest

from media_pipeline.colors import PALETTE, ColorError, hex_to_oklab, parse_hex_color


def test_white_is_full_lightness_and_no_hue():
    white = hex_to_oklab("#ffffff")
    assert white.l == pytest.approx(1.0, abs=1e-6)
    assert white.a == pytest.approx(0.0, abs=1e-6)
    assert white.b == pytest.approx(0.0, abs=1e-6)


def test_black_is_the_origin():
    black = hex_to_oklab("#000000")
    assert (black.l, black.a, black.b) == (0.0, 0.0, 0.0)


@pytest.mark.parametrize(
    ("hex_color", "expected"),
    [
        # Ottosson's published values for the sRGB primaries.
        ("#ff0000", (0.627955, 0.224863, 0.125846)),
        ("#00ff00", (0.866440, -0.233888, 0.179498)),
        ("#0000ff", (0.452014, -0.032457, -0.311528)),
    ],
)
def test_primaries_match_the_published_values(hex_color, expected):
    lab = hex_to_oklab(hex_color)
    assert (lab.l, lab.a, lab.b) == pytest.approx(expected, abs=1e-4)


def test_greys_have_no_hue_and_grow_lighter():
    greys = [hex_to_oklab(f"#{v:02x}{v:02x}{v:02x}") for v in (0x20, 0x80, 0xE0)]
    assert all(abs(g.a) < 1e-4 and abs(g.b) < 1e-4 for g in greys)
    assert greys[0].l < greys[1].l < greys[2].l


def test_a_red_is_nearer_to_crimson_than_to_orange():
    red = hex_to_oklab("#d32f2f")
    assert red.distance(hex_to_oklab("#dc143c")) < red.distance(hex_to_oklab("#f57c00"))


@pytest.mark.parametrize("raw", ["#cc3333", "#CC3333", "cc3333", "#c33", "C33", "  #cc3333 "])
def test_hex_colours_are_read_in_every_accepted_form(raw):
    assert parse_hex_color(raw) == "#cc3333"


@pytest.mark.parametrize(
    ("raw", "problem"),
    [
        ("", "colour is empty"),
        ("#", "colour is empty"),
        ("#12345", "has 5 hex digits"),
        ("#1234567", "has 7 hex digits"),
        ("#gg0000", "'g' is not a hex digit"),
        ("red", "'r' is not a hex digit"),
        ("#cc 333", "' ' is not a hex digit"),
        ("#٣٣٣", "is not a hex digit"),  # Arabic-Indic digits are digits, not hex digits
    ],
)
def test_a_bad_colour_is_refused_with_its_problem_named(raw, problem):
    with pytest.raises(ColorError) as caught:
        parse_hex_color(raw)
    assert problem in str(caught.value)


def test_palette_names_are_unique_and_its_colours_are_valid():
    assert len({swatch.slug for swatch in PALETTE}) == len(PALETTE) == 12
    assert all(parse_hex_color(swatch.hex) == swatch.hex for swatch in PALETTE)


def test_palette_colours_are_far_enough_apart_to_find_different_pins():
    labs = [hex_to_oklab(swatch.hex) for swatch in PALETTE]
    assert min(a.distance(b) for a, b in itertools.combinations(labs, 2)) > 0.125
