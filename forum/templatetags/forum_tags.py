from datetime import timedelta

from django import template

register = template.Library()


@register.filter
def duration(value) -> str:
    """Seconds or a timedelta as Chinese words: 3天4小时, 2小时5分钟, 8分钟."""
    if value is None or value == "":
        return "—"
    seconds = int(value.total_seconds() if isinstance(value, timedelta) else value)
    days, rest = divmod(max(seconds, 0), 86400)
    hours, rest = divmod(rest, 3600)
    minutes = rest // 60
    if days:
        return f"{days}天{hours}小时" if hours else f"{days}天"
    if hours:
        return f"{hours}小时{minutes}分钟" if minutes else f"{hours}小时"
    return f"{minutes}分钟" if minutes else "不到1分钟"


@register.filter
def excerpt(html: str, length: int = 80) -> str:
    """The visible text of stored (sanitised) HTML, shortened; autoescaped by the template."""
    from sanyuan.sanitize import html_to_text

    text = html_to_text(html or "")
    return text if len(text) <= length else text[: length - 1] + "…"
