"""`{{ article.body|rich }}`: stored rich text as the reader sees it, paragraphs included."""

from django import template
from django.utils.safestring import mark_safe

from sanyuan.sanitize import rich_text

register = template.Library()


@register.filter
def rich(value) -> str:
    """Sanitised rich text (sanyuan.sanitize.rich_text), so that a body saved before the
    services kept typed paragraphs still shows them; clean HTML passes unchanged."""
    return mark_safe(rich_text(str(value or "")))  # sanitised by nh3 inside rich_text
