"""The archive's fields: how each is read from input (API JSON, forms, roster cells) and
checked, with a Chinese message per field. Used by staff edits, change requests and imports
so that one rule has one implementation."""

import re
from dataclasses import dataclass
from datetime import date, datetime

from django.utils import timezone

from sanyuan.errors import FieldErrors, ServiceError
from sanyuan.inputs import parse_int

from . import choices
from .identity import normalize_name, normalize_phone
from .models import Region, Skill
from .regions import (  # noqa: F401 (re-exported: callers read regions from here)
    destination_name,
    forget_regions,
    region_children,
    region_name,
    region_names,
)

# Fields a member may ask to change (ChangeRequest); the rest is for staff.
REQUESTABLE_FIELDS = (
    "name",
    "phone",
    "ethnicity",
    "education",
    "destination_province",
    "destination_city",
    "destination_district",
    "destination_address",
    "employer",
    "occupation",
    "monthly_income",
    "skills",
    "family_situation",
)
STAFF_FIELDS = (
    *REQUESTABLE_FIELDS,
    "party_standing",
    "joined_party_on",
    "left_home_on",
    "status",
    "honours",
    "support_group",
    "mindset_note",
)
DESTINATION_FIELDS = ("destination_province", "destination_city", "destination_district")

# The field policy: which archive fields each viewer reads, changes and exports. Every way of
# reading a member asks it (API serializers, history, exports, dashboard drill-downs, admin,
# templates). Viewers (members.permissions.archive_viewer): the member (`self`), home staff
# in scope (`committee`, `county`), staff of the host organisation (`host`).
SELF, COMMITTEE, COUNTY, HOST = "self", "committee", "county", "host"
VIEWERS = (SELF, COMMITTEE, COUNTY, HOST)
HOME_STAFF = (COMMITTEE, COUNTY)

# Income and dues, family situation: the member and home staff in scope (DESIGN.md).
SENSITIVE_FIELDS = ("monthly_income", "income_band", "family_situation")
# The mindset note and the contact bookkeeping: home staff in scope only.
STAFF_ONLY_FIELDS = ("mindset_note", "last_contacted_at", "contact_overdue")

ARCHIVE_FIELDS = (
    "id",
    "name",
    "id_number",  # always the masked form; the full number only through the logged reveal
    "sex",
    "birth_date",
    "ethnicity",
    "phone",
    "education",
    "party_standing",
    "joined_party_on",
    "organization",
    "organization_name",
    "left_home_on",
    "destination_province",
    "destination_city",
    "destination_district",
    "destination_address",
    "destination_name",
    "host_organization",
    "host_organization_name",
    "occupation",
    "employer",
    "monthly_income",
    "income_band",
    "skills",
    "skill_names",
    "family_situation",
    "mindset_note",
    "status",
    "honours",
    "support_group",
    "is_activated",
    "last_contacted_at",
    "contact_overdue",
    "created_at",
    "updated_at",
)
# Fields the member changes directly (PATCH /api/me/); the rest through change requests.
SELF_EDITABLE_FIELDS = ("phone",)

FIELD_POLICY: dict[str, dict[str, frozenset[str]]] = {
    "visible": {
        SELF: frozenset(ARCHIVE_FIELDS) - set(STAFF_ONLY_FIELDS),
        COMMITTEE: frozenset(ARCHIVE_FIELDS),
        COUNTY: frozenset(ARCHIVE_FIELDS),
        HOST: frozenset(ARCHIVE_FIELDS) - set(SENSITIVE_FIELDS) - set(STAFF_ONLY_FIELDS),
    },
    "editable": {
        SELF: frozenset(SELF_EDITABLE_FIELDS),
        COMMITTEE: frozenset(STAFF_FIELDS) | {"organization", "host_organization"},
        COUNTY: frozenset(STAFF_FIELDS) | {"organization", "host_organization"},
        HOST: frozenset(),
    },
    "requestable": {
        SELF: frozenset(REQUESTABLE_FIELDS),
        COMMITTEE: frozenset(),
        COUNTY: frozenset(),
        HOST: frozenset(),
    },
}
# Dashboard dimensions that reveal a field: a viewer who may not read the field sees neither
# the figure nor its drill-down.
# The mindset figures read the assessment, which follows the mindset note's policy (home staff
# in scope only: DESIGN.md, "the mindset note and the mindset assessment of contacts").
DIMENSION_FIELDS = {
    "income": "income_band",
    "mindset": "mindset_note",
    "mindset_stale": "mindset_note",
}


def visible_fields(viewer: str | None) -> frozenset[str]:
    return FIELD_POLICY["visible"].get(viewer, frozenset())


def editable_fields(viewer: str | None) -> frozenset[str]:
    return FIELD_POLICY["editable"].get(viewer, frozenset())


def requestable_fields(viewer: str | None) -> frozenset[str]:
    return FIELD_POLICY["requestable"].get(viewer, frozenset())


def exportable_fields(viewer: str | None) -> frozenset[str]:
    """Exports carry what the viewer may read (never the member's own `self` rows here)."""
    return visible_fields(viewer) if viewer in (COMMITTEE, COUNTY, HOST) else frozenset()


def may_see(viewer: str | None, field: str) -> bool:
    return field in visible_fields(viewer)


def dimension_visible(viewer: str | None, dimension: str) -> bool:
    field = DIMENSION_FIELDS.get(dimension)
    return field is None or may_see(viewer, field)


LABELS = {
    "name": "姓名",
    "id_number": "身份证号码",
    "phone": "手机号码",
    "ethnicity": "民族",
    "education": "学历",
    "party_standing": "党员类别",
    "joined_party_on": "入党时间",
    "organization": "流出地党组织",
    "left_home_on": "流出时间",
    "destination_province": "流入省份",
    "destination_city": "流入城市",
    "destination_district": "流入区县",
    "destination_address": "详细地址",
    "host_organization": "流入地党组织",
    "occupation": "职业",
    "employer": "工作单位",
    "monthly_income": "月收入",
    "skills": "技能",
    "family_situation": "家中生产生活情况",
    "mindset_note": "思想状况",
    "status": "流动状态",
    "honours": "荣誉",
    "support_group": "后援团",
}


def field_label(field: str) -> str:
    """The Chinese name of an archive field (the model's name for bookkeeping fields)."""
    if field in LABELS:
        return LABELS[field]
    from django.core.exceptions import FieldDoesNotExist

    from .models import Member

    try:
        return str(Member._meta.get_field(field).verbose_name)
    except FieldDoesNotExist:
        return field


def _text(value, *, max_length: int, label: str) -> str:
    if value is None:
        return ""
    if not isinstance(value, str | int | float):
        raise ServiceError(f"{label}格式不正确。")
    text = re.sub(
        r"[\x00-\x08\x0b\x0c\x0e-\x1f\u200b-\u200f\u2028-\u202e\ufeff]", "", str(value)
    ).strip()
    if len(text) > max_length:
        raise ServiceError(f"{label}不能超过{max_length}个字。")
    return text


def _choice(value, choice_class, label: str) -> str:
    if value in (None, ""):
        return ""
    text = str(value).strip()
    for wire, display in choice_class.choices:
        if text in (wire, display):
            return wire
    raise ServiceError(f"{label}“{text[:20]}”不在可选范围内。")


def parse_date(value, label: str) -> date | None:
    if value in (None, ""):
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = str(value).strip()
    match = re.fullmatch(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?", text)
    if match is None:
        match = re.fullmatch(r"(\d{4})(\d{2})(\d{2})", text)
    if match is None:
        raise ServiceError(f"{label}格式不正确，请写成 2010-07-01。")
    try:
        return date(*(int(part) for part in match.groups()))
    except ValueError as exc:
        raise ServiceError(f"{label}不是有效日期。") from exc


def _income(value) -> int | None:
    if value in (None, ""):
        return None
    text = re.sub(r"[,，\s元]", "", str(value))
    if not re.fullmatch(r"\d{1,8}(\.\d+)?", text):
        raise ServiceError("月收入应为数字（元）。")
    amount = round(float(text))
    if amount > 10_000_000:
        raise ServiceError("月收入数值过大。")
    return amount


def _bool(value) -> bool:
    if isinstance(value, bool):
        return value
    return str(value).strip().lower() in ("1", "true", "yes", "on", "是", "√")


def _ethnicity(value) -> str:
    text = str(value or "").strip()
    if not text:
        return "汉族"
    if text in choices.ETHNICITIES:
        return text
    if f"{text}族" in choices.ETHNICITIES:
        return f"{text}族"
    raise ServiceError(f"民族“{text[:10]}”不在56个民族之列。")


def _skills(value) -> list[Skill]:
    if value in (None, ""):
        return []
    if isinstance(value, str):
        value = [part for part in re.split(r"[、,，;；\s]+", value) if part]
    if not isinstance(value, list | tuple):
        raise ServiceError("技能格式不正确。")
    ids = [item for item in value if parse_int(item) is not None]
    names = [item.strip() for item in value if isinstance(item, str) and parse_int(item) is None]
    found = list(Skill.objects.filter(pk__in=[parse_int(i) for i in ids])) + list(
        Skill.objects.filter(name__in=names)
    )
    if len({skill.pk for skill in found}) < len(set(map(str, ids))) + len(set(names)):
        known = {skill.name for skill in found} | {str(skill.pk) for skill in found}
        missing = [str(item) for item in value if str(item).strip() not in known]
        raise ServiceError(f"技能“{'、'.join(missing)[:30]}”不在技能列表中，请联系工作人员添加。")
    return list({skill.pk: skill for skill in found}.values())


def _honours(value) -> list[str]:
    if value in (None, ""):
        return []
    if isinstance(value, str):
        value = [part for part in re.split(r"[、,，\s]+", value) if part]
    return [_choice(item, choices.Honour, "荣誉") for item in value]


def _region(value, level: str, label: str) -> str:
    if value in (None, ""):
        return ""
    text = str(value).strip()
    region = Region.objects.filter(code=text, level=level).first()
    if region is None:
        raise ServiceError(f"{label}代码“{text[:10]}”不是有效的行政区划代码。")
    return region.code


PARSERS = {
    "name": lambda v: normalize_name(v),
    "phone": lambda v: normalize_phone(v),
    "ethnicity": _ethnicity,
    "education": lambda v: _choice(v, choices.Education, "学历"),
    "party_standing": lambda v: (
        _choice(v, choices.PartyStanding, "党员类别") or choices.PartyStanding.FULL
    ),
    "joined_party_on": lambda v: parse_date(v, "入党时间"),
    "left_home_on": lambda v: parse_date(v, "流出时间"),
    "destination_province": lambda v: _region(v, "province", "流入省份"),
    "destination_city": lambda v: _region(v, "city", "流入城市"),
    "destination_district": lambda v: _region(v, "district", "流入区县"),
    "destination_address": lambda v: _text(v, max_length=200, label="详细地址"),
    "occupation": lambda v: _choice(v, choices.Occupation, "职业"),
    "employer": lambda v: _text(v, max_length=100, label="工作单位"),
    "monthly_income": _income,
    "skills": _skills,
    "family_situation": lambda v: _text(v, max_length=1000, label="家中生产生活情况"),
    "mindset_note": lambda v: _text(v, max_length=1000, label="思想状况"),
    "status": lambda v: _choice(v, choices.MemberStatus, "流动状态") or choices.MemberStatus.AWAY,
    "honours": _honours,
    "support_group": _bool,
}


@dataclass
class Cleaned:
    values: dict

    def get(self, field, default=None):
        return self.values.get(field, default)


def clean_archive_values(raw: dict, *, allowed, birth_date: date, current=None) -> dict:
    """Parse and check `raw` (only keys in `allowed`); FieldErrors listing every problem.

    `current` (a Member) supplies the values not being changed for the cross-field rules."""
    errors: dict[str, list[str]] = {}
    values: dict = {}
    for field, value in raw.items():
        if field not in allowed:
            errors.setdefault(field, []).append(f"不能修改“{LABELS.get(field, field)}”。")
            continue
        try:
            values[field] = PARSERS[field](value)
        except ServiceError as exc:
            errors.setdefault(field, []).append(exc.message)
    for field, message in check_archive_rules(values, birth_date=birth_date, current=current):
        errors.setdefault(field, []).append(message)
    if errors:
        raise FieldErrors(errors)
    return values


def _value(values: dict, current, field):
    if field in values:
        return values[field]
    return getattr(current, field, None) if current is not None else None


def check_archive_rules(values: dict, *, birth_date: date, current=None) -> list[tuple[str, str]]:
    """Rules between fields: dates against each other and today; destination hierarchy."""
    problems = []
    today = timezone.localdate()
    joined = _value(values, current, "joined_party_on")
    left = _value(values, current, "left_home_on")
    if joined:
        eighteenth = _add_years(birth_date, 18)
        if joined > today:
            problems.append(("joined_party_on", "入党时间不能晚于今天。"))
        elif joined < eighteenth:
            problems.append(
                ("joined_party_on", f"入党时间应在年满18周岁（{eighteenth:%Y年%-m月%-d日}）之后。")
            )
    if left:
        if left > today:
            problems.append(("left_home_on", "流出时间不能晚于今天。"))
        elif left <= birth_date:
            problems.append(("left_home_on", "流出时间应在出生日期之后。"))
    problems.extend(_status_rule(values, current))
    if any(field in values for field in DESTINATION_FIELDS):
        province = _value(values, current, "destination_province")
        city = _value(values, current, "destination_city")
        district = _value(values, current, "destination_district")
        if city and (not province or not city.startswith(province[:2])):
            problems.append(("destination_city", "流入城市不属于所选省份。"))
        if district:
            parent = city[:4] if city else (province or "")[:2]
            if not parent or not district.startswith(parent):
                problems.append(("destination_district", "流入区县不属于所选城市。"))
    return problems


def _status_rule(values: dict, current) -> list[tuple[str, str]]:
    """转出中 belongs to the transfer procedure: nobody sets or clears it by hand (edits,
    change requests, roster imports); the transfers app does, through
    members.services.archive.member_transfer_apply."""
    if "status" not in values:
        return []
    transferring = choices.MemberStatus.TRANSFERRING_OUT
    now = getattr(current, "status", None)
    if values["status"] == transferring and now != transferring:
        return [("status", "“转出中”由组织关系转接（开具介绍信）设置，不能直接修改。")]
    if now == transferring and values["status"] != transferring:
        return [("status", "该党员正在办理组织关系转出，请在组织关系转接中登记回执或撤回。")]
    return []


def _add_years(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def display_value(field: str, value) -> str:
    """A value as staff and members read it (for diffs and history)."""
    if value in (None, "", []):
        return "（空）"
    if field in DESTINATION_FIELDS:
        return region_name(str(value))
    if field in ("organization", "host_organization"):
        from .models import Organization

        name = Organization.objects.filter(pk=value).values_list("name", flat=True).first()
        return name or "（已删除的党组织）"
    if field == "user":
        return "已绑定登录账号"
    if field == "skills":
        names = [s.name if isinstance(s, Skill) else str(s) for s in value]
        return "、".join(names)
    if field == "honours":
        return "、".join(dict(choices.Honour.choices).get(v, v) for v in value)
    if field == "monthly_income":
        return f"{value}元"
    if field == "support_group":
        return "是" if value else "否"
    for field_name, choice_class in (
        ("education", choices.Education),
        ("party_standing", choices.PartyStanding),
        ("occupation", choices.Occupation),
        ("status", choices.MemberStatus),
    ):
        if field == field_name:
            return dict(choice_class.choices).get(value, str(value))
    if isinstance(value, date):
        return f"{value:%Y年%-m月%-d日}"
    return str(value)
