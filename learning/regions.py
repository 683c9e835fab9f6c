"""Province-level divisions (GB/T 2260) that a training offer may target, read from the
registry's region table (members.Region, loaded from the national list)."""

from members.archive_fields import region_names


def provinces() -> dict[str, str]:
    """code → name of every province-level division."""
    return {code: name for code, name in region_names().items() if code.endswith("0000")}


def province_name(code: str) -> str:
    return provinces().get(code, code)
