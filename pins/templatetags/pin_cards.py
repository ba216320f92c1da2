from django import template

from pins.cards import render_cards

register = template.Library()


@register.simple_tag(takes_context=True)
def pin_cards(context, pins):
    """`{% pin_cards pins %}`: the grid's cards (pins/cards.py)."""
    user = context.get("user")
    return render_cards(list(pins), signed_in=bool(user and user.is_authenticated))
