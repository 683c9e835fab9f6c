"""Region names (GB/T 2260 reference data loaded by a migration), read once per process."""

from .models import Region

_REGION_NAMES: dict[str, str] = {}


def region_names() -> dict[str, str]:
    """code → name for all ~3,400 regions: reference data (GB/T 2260, loaded by a migration),
    read once per process; an export of thousands of rows asks it per row. Do not modify."""
    if not _REGION_NAMES:
        _REGION_NAMES.update(Region.objects.values_list("code", "name"))
    return _REGION_NAMES


_REGION_CHILDREN: dict[str, list[tuple[str, str, str]]] = {}


def region_children(parent: str, level: str) -> list[tuple[str, str]]:
    """(code, name) of the divisions of `level` directly under `parent` ("" for provinces);
    a province's districts are those not under one of its cities (省直辖县级). Read once."""
    if not _REGION_CHILDREN:
        for code, name, region_level, parent_id in Region.objects.order_by("code").values_list(
            "code", "name", "level", "parent_id"
        ):
            _REGION_CHILDREN.setdefault(parent_id or "", []).append((code, name, region_level))
    return [(code, name) for code, name, lv in _REGION_CHILDREN.get(parent, []) if lv == level]


def forget_regions() -> None:
    """Drop the per-process region caches (tests that reload the reference table)."""
    _REGION_NAMES.clear()
    _REGION_CHILDREN.clear()


def region_name(code: str) -> str:
    """A code's name; the code itself only if the table does not know it."""
    return region_names().get(code, code) if code else ""


def destination_name(province: str, city: str, district: str) -> str:
    codes = [code for code in (province, city, district) if code]
    if not codes:
        return ""
    names = region_names()
    parts = []
    for code in codes:
        name = names.get(code, "")
        if name and name not in parts:
            parts.append(name)
    return "".join(parts)
