"""Template filters of the registry: region names where codes are stored."""

from django import template

from members.archive_fields import destination_name, region_name

register = template.Library()


@register.filter
def region(code) -> str:
    """440300 → 深圳市 (GB/T 2260; the names are read once per process)."""
    return region_name(str(code or ""))


@register.filter
def destination(member) -> str:
    """The member's destination as one name: 广东省深圳市宝安区."""
    return destination_name(
        member.destination_province, member.destination_city, member.destination_district
    )
