from django import template
from django.template.defaultfilters import filesizeformat
from django.utils import timezone

from ..services.texts import WEEKDAYS, when_text

register = template.Library()


@register.filter
def activity_when(activity) -> str:
    """ "11月27日（周四）09:00—11:00"."""
    return when_text(activity)


@register.filter
def weekday_cn(value) -> str:
    """ "周四" for a datetime (local time) or a date."""
    if hasattr(value, "hour"):
        value = timezone.localtime(value)
    return f"周{WEEKDAYS[value.weekday()]}"


@register.filter
def material_size(material) -> str:
    return filesizeformat(material.size) if material.size else ""
