"""Excel exports of the dues ledger (each audited): who is behind, a branch's month, a
branch's year. Checked against the user's scope by the selectors they read."""

from datetime import date

from members.models import Organization
from members.services.audit import audit_record
from sanyuan.excel import workbook_bytes

from .. import months as m
from .. import rules, selectors


def _audit(actor, what: str, organization: Organization | None, ip, rows: int, **extra):
    audit_record(
        actor=actor,
        action="dues.export",
        target=organization,
        ip=ip,
        detail={"what": what, "rows": rows, **extra},
    )


def standing_export(*, actor, organization=None, behind_months=0, ip=None) -> bytes:
    rows = []
    for member in selectors.standing_list(
        user=actor, organization=organization, behind_months=behind_months
    ).iterator(chunk_size=500):
        account = getattr(member, "dues_account", None)
        behind = selectors.months_behind(account)
        rows.append(
            [
                member.name,
                member.organization.name,
                account.get_dues_category_display() if account else "未设置",
                m.label(account.paid_through) if account and account.paid_through else "",
                behind if behind is not None else "",
            ]
        )
    _audit(actor, "standing", organization, ip, len(rows))
    return workbook_bytes(
        "党费交纳情况", ["姓名", "党组织", "党费类别", "已交至", "欠交月数"], rows
    )


def ledger_export(*, actor, organization: Organization, month: date, ip=None) -> bytes:
    rows = []
    for member, line in selectors.branch_ledger(user=actor, organization=organization, month=month):
        due = line.due_fen if line else None
        paid = line.paid_fen if line else 0
        rows.append(
            [
                member.name,
                member.organization.name,
                rules.yuan(due),
                rules.yuan(paid),
                "已交清" if line and line.settled else "未交清",
            ]
        )
    _audit(actor, "month", organization, ip, len(rows), month=month.isoformat()[:7])
    title = f"{organization.name}{m.label(month)}党费台账"
    return workbook_bytes(title, ["姓名", "党组织", "应交（元）", "实交（元）", "状态"], rows)


def year_export(*, actor, organization: Organization, year: int, ip=None) -> bytes:
    months = [date(year, n, 1) for n in range(1, 13)]
    header = ["姓名", "党组织", *[f"{n}月实交" for n in range(1, 13)], "全年应交", "全年实交"]
    rows = []
    for member, lines in selectors.year_summary(user=actor, organization=organization, year=year):
        paid = [lines[month].paid_fen if month in lines else 0 for month in months]
        due = sum((lines[month].due_fen or 0) for month in months if month in lines)
        rows.append(
            [
                member.name,
                member.organization.name,
                *[rules.yuan(p) for p in paid],
                rules.yuan(due),
                rules.yuan(sum(paid)),
            ]
        )
    _audit(actor, "year", organization, ip, len(rows), year=year)
    return workbook_bytes(f"{organization.name}{year}年党费汇总", header, rows)
