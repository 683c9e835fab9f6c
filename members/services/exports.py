"""Excel export of the scoped registry: ID numbers masked, formula cells neutralised, logged."""

import io

from openpyxl import Workbook
from openpyxl.styles import Font

from members import choices
from members.archive_fields import destination_name
from members.services.audit import audit_record

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")

COLUMNS = [
    ("姓名", lambda m: m.name),
    ("身份证号码（脱敏）", lambda m: m.id_number_masked),
    ("性别", lambda m: m.get_sex_display()),
    ("出生日期", lambda m: m.birth_date.isoformat() if m.birth_date else ""),
    ("民族", lambda m: m.ethnicity),
    ("手机号码", lambda m: m.phone),
    ("学历", lambda m: m.get_education_display()),
    ("党员类别", lambda m: m.get_party_standing_display()),
    ("入党时间", lambda m: m.joined_party_on.isoformat() if m.joined_party_on else ""),
    ("流出地党组织", lambda m: m.organization.name),
    ("党组织代码", lambda m: m.organization.code),
    ("流出时间", lambda m: m.left_home_on.isoformat() if m.left_home_on else ""),
    (
        "流入地",
        lambda m: destination_name(
            m.destination_province, m.destination_city, m.destination_district
        ),
    ),
    ("详细地址", lambda m: m.destination_address),
    ("职业", lambda m: m.get_occupation_display()),
    ("工作单位", lambda m: m.employer),
    (
        "月收入区间",
        lambda m: dict((k, label) for k, label, *_ in choices.INCOME_BANDS).get(m.income_band, ""),
    ),
    ("技能", lambda m: "、".join(skill.name for skill in m.skills.all())),
    ("流动状态", lambda m: m.get_status_display()),
    ("荣誉", lambda m: "、".join(dict(choices.Honour.choices)[h] for h in m.honours)),
    ("后援团", lambda m: "是" if m.support_group else ""),
    (
        "最近联系",
        lambda m: m.last_contacted_at.date().isoformat() if m.last_contacted_at else "从未联系",
    ),
]


def neutralise(value) -> str:
    """A cell value that Excel will never run as a formula."""
    text = "" if value is None else str(value)
    if text.startswith(FORMULA_PREFIXES):
        return "'" + text
    return text


def member_export(*, actor, queryset, filters: dict, ip: str | None) -> bytes:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("流动党员")
    header_font = Font(bold=True)
    from openpyxl.cell import WriteOnlyCell

    header = []
    for title, _ in COLUMNS:
        cell = WriteOnlyCell(sheet, value=title)
        cell.font = header_font
        header.append(cell)
    sheet.append(header)
    count = 0
    rows = (
        queryset.select_related("organization")
        .prefetch_related("skills")
        .order_by("organization__path", "id")
    )
    for member in rows.iterator(chunk_size=2000):
        sheet.append([neutralise(getter(member)) for _, getter in COLUMNS])
        count += 1
    out = io.BytesIO()
    workbook.save(out)
    audit_record(
        actor=actor,
        action="member.export",
        ip=ip,
        detail={"rows": count, "filters": {k: v for k, v in filters.items() if v}},
    )
    return out.getvalue()
