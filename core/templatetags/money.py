"""`{{ amount|money }}`: the one way an amount is shown (a template builtin, no `{% load %}` needed)."""

from django import template

from core.money import money_display

register = template.Library()


@register.filter(is_safe=True)
def money(value, places=2):
    """`$88,031.52`; `{{ cap|money:0 }}` for whole dollars; "—" for no amount."""
    try:
        places = int(places)
    except (TypeError, ValueError):
        places = 2
    return money_display(value, places)
