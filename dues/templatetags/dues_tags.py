from django import template

from dues import months, rules

register = template.Library()


@register.filter
def yuan(fen):
    """1235 → 12.35 (fen as yuan); '—' for an unknown amount."""
    return rules.yuan(fen) if fen is not None else "—"


@register.filter
def month_label(month):
    return months.label(month)
