"""Excel export of the scoped registry: ID numbers masked, the field policy per row, formula
cells neutralised (sanyuan.excel), logged."""

from members import archive_fields, choices, permissions
from members.archive_fields import destination_name
from members.services.audit import audit_record
from sanyuan.excel import Workbook

# (title, the archive field it shows (the field policy decides who gets it), value)
COLUMNS = [
    ("姓名", "name", lambda m: m.name),
    ("身份证号码（脱敏）", "id_number", lambda m: m.id_number_masked),
    ("性别", "sex", lambda m: m.get_sex_display()),
    ("出生日期", "birth_date", lambda m: m.birth_date.isoformat() if m.birth_date else ""),
    ("民族", "ethnicity", lambda m: m.ethnicity),
    ("手机号码", "phone", lambda m: m.phone),
    ("学历", "education", lambda m: m.get_education_display()),
    ("党员类别", "party_standing", lambda m: m.get_party_standing_display()),
    (
        "入党时间",
        "joined_party_on",
        lambda m: m.joined_party_on.isoformat() if m.joined_party_on else "",
    ),
    ("流出地党组织", "organization_name", lambda m: m.organization.name),
    ("党组织代码", "organization", lambda m: m.organization.code),
    ("流出时间", "left_home_on", lambda m: m.left_home_on.isoformat() if m.left_home_on else ""),
    (
        "流入地",
        "destination_name",
        lambda m: destination_name(
            m.destination_province, m.destination_city, m.destination_district
        ),
    ),
    ("详细地址", "destination_address", lambda m: m.destination_address),
    ("职业", "occupation", lambda m: m.get_occupation_display()),
    ("工作单位", "employer", lambda m: m.employer),
    (
        "月收入区间",
        "income_band",
        lambda m: dict((k, label) for k, label, *_ in choices.INCOME_BANDS).get(m.income_band, ""),
    ),
    ("技能", "skills", lambda m: "、".join(skill.name for skill in m.skills.all())),
    ("流动状态", "status", lambda m: m.get_status_display()),
    ("荣誉", "honours", lambda m: "、".join(dict(choices.Honour.choices)[h] for h in m.honours)),
    ("后援团", "support_group", lambda m: "是" if m.support_group else ""),
    (
        "最近联系",
        "last_contacted_at",
        lambda m: m.last_contacted_at.date().isoformat() if m.last_contacted_at else "从未联系",
    ),
]


def export_columns(actor) -> list[tuple]:
    """The columns an export by `actor` carries: a column any of the actor's rows may show
    (host staff alone never get the sensitive ones)."""
    viewers = permissions.export_viewers(actor)
    shown = set().union(*(archive_fields.exportable_fields(v) for v in viewers))
    return [column for column in COLUMNS if column[1] in shown]


def member_export(
    *, actor, queryset, filters: dict, ip: str | None, path=None, progress=None
) -> bytes | None:
    """The archives of `queryset` as .xlsx, with the columns and values the field policy lets
    `actor` export row by row; logged. Written to `path` (large exports, in a task) or
    returned as bytes."""
    return _member_export(actor, queryset, filters, ip, path, progress)[0]


def _member_export(actor, queryset, filters, ip, path, progress) -> tuple[bytes | None, int]:
    workbook = Workbook(path)
    count = _write_members(actor, queryset, workbook.add_sheet("流动党员"), progress)
    content = workbook.close()
    audit_record(
        actor=actor,
        action="member.export",
        ip=ip,
        detail={"rows": count, "filters": {k: v for k, v in filters.items() if v}},
    )
    return content, count


def _write_members(actor, queryset, sheet, progress=None) -> int:
    columns = export_columns(actor)
    row_viewer = permissions.row_viewer(actor)
    sheet.append([title for title, _, _ in columns], bold=True)
    rows = (
        queryset.select_related("organization")
        .prefetch_related("skills")
        .order_by("organization__path", "id")
    )
    count = 0
    for member in rows.iterator(chunk_size=2000):
        allowed = archive_fields.exportable_fields(row_viewer(member))
        sheet.append([getter(member) if field in allowed else "" for _, field, getter in columns])
        count += 1
        if progress is not None and count % 5000 == 0:
            progress(count)
    return count


def member_export_writer(*, actor, params: dict, path: str, progress) -> int:
    """The writer of a background export (members.services.export_jobs): the list rebuilt in
    the requester's current scope from the saved filters."""
    from members.selectors import member_list

    filters = params.get("filters", {})
    queryset = member_list(user=actor, **filters)
    return _member_export(actor, queryset, filters, None, path, progress)[1]


def mindset_trend_export(*, actor, overview, ip: str | None) -> bytes:
    """思想状况 by quarter (overview.mindset_trend, the actor's own), counts only; logged."""
    from members.choices import Mindset

    workbook = Workbook()
    sheet = workbook.add_sheet("思想状况季度趋势")
    sheet.append(["季度", *Mindset.labels, "评估人数"], bold=True)
    for quarter in overview.mindset_trend:
        sheet.append(
            [quarter["label"], *(item["count"] for item in quarter["items"]), quarter["assessed"]]
        )
    sheet.append([])
    scope = "、".join(part["name"] for part in overview.scope)
    sheet.append([f"统计范围：{scope}", "每名党员每季度按当季最后一次评估计一次"])
    content = workbook.close()
    audit_record(actor=actor, action="stats.export", ip=ip, detail={"figure": "mindset_trend"})
    return content


def stats_figure_export(*, actor, overview, dimension: str, ip: str | None) -> bytes:
    """One dashboard figure as a table (counts only, no personal data); logged like exports.
    `overview` is the actor's own (members.selectors.stats.stats_overview)."""
    from members.selectors.stats import ENGAGEMENT
    from members.stats_dimensions import DIMENSION_TITLES

    title = DIMENSION_TITLES[dimension]
    total = max(overview.total(), 1)
    if dimension in ENGAGEMENT:
        yes = overview.yes_count(dimension)
        rows = [{"label": "是", "count": yes}, {"label": "否", "count": overview.total() - yes}]
    else:
        rows = overview.figure(dimension)
    workbook = Workbook()
    sheet = workbook.add_sheet(title)
    sheet.append([title, "人数", "占比"], bold=True)
    for row in rows:
        sheet.append([row["label"], row["count"], f"{100 * row['count'] / total:.1f}%"])
    sheet.append([])
    scope = "、".join(part["name"] for part in overview.scope)
    sheet.append([f"统计范围：{scope}", "", f"数据时间：{overview.fresh_as_of:%Y-%m-%d %H:%M}"])
    content = workbook.close()
    audit_record(actor=actor, action="stats.export", ip=ip, detail={"figure": dimension})
    return content
