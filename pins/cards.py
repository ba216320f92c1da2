"""Pin cards for the web grids, each rendered once per version and then reused.

A card shows the pin's own text and its image, and its HTML is the same for every signed-in
visitor (and for every anonymous one). Rendering fifty of them is most of a grid page's cost, so
each process keeps the HTML it rendered, keyed by everything the card shows: an edited pin or a
processed image makes a new key, and entries nobody asks for any more are dropped oldest first.
Renditions are loaded only for the cards that have to be rendered.
"""

from collections.abc import Sequence

from django.db.models import Prefetch, prefetch_related_objects
from django.template.loader import get_template
from django.utils.safestring import SafeString, mark_safe

from catalog.versioned_cache import versioned_cache
from media_pipeline.models import GRID_WIDTHS, Rendition
from pins.models import Pin

# About 1 KB each: some 20 MB per web process at most.
_cards = versioned_cache(size=20_000)


def card_key(pin: Pin, signed_in: bool) -> tuple:
    """Everything the card template reads: the pin's text and its media's state, whose
    `updated_at` moves whenever the pipeline records renditions, fails or requeues it."""
    media = pin.media
    return (
        pin.pk,
        pin.title,
        pin.alt_text,
        pin.link,
        media.pk,
        media.status,
        media.updated_at,
        signed_in,
    )


def render_cards(pins: Sequence[Pin], *, signed_in: bool) -> SafeString:
    """The cards of `pins`, in order, as one piece of HTML."""
    keys = [card_key(pin, signed_in) for pin in pins]
    # Read once: what is found now is used, whatever other threads add or drop meanwhile.
    html = [_cards.get(key) for key in keys]
    missing = [index for index, found in enumerate(html) if found is None]
    if missing:
        prefetch_related_objects(
            [pins[index] for index in missing],
            Prefetch(
                "media__renditions",
                queryset=Rendition.objects.filter(name__in=GRID_WIDTHS).order_by("width"),
            ),
        )
        template = get_template("shared/pin_card.html")
        for index in missing:
            # The card only asks whether someone is signed in, never who.
            html[index] = template.render({"pin": pins[index], "user": _Visitor(signed_in)})
            _cards.put(keys[index], html[index])
    return mark_safe("".join(html))  # noqa: S308 - rendered by our own template, escaped there


class _Visitor:
    def __init__(self, signed_in: bool) -> None:
        self.is_authenticated = signed_in
