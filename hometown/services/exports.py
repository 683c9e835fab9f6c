"""The hometown figures of the dashboard as Excel (counts and amounts, no personal data),
counted by the same selectors as the dashboard and the lists; logged like exports."""

from members.services.audit import audit_record
from sanyuan.excel import Workbook

from .. import permissions, selectors


def hometown_figures_export(*, actor, ip: str | None) -> bytes:
    permissions.check_hometown_staff(actor)
    cases = selectors.support_case_figures(user=actor)
    group = selectors.support_group_figures(user=actor)
    workbook = Workbook()
    sheet = workbook.add_sheet("困难帮扶")
    sheet.append(["指标", "数值"], bold=True)
    for label, value in (
        ("办理中的困难帮扶（件）", cases["open"]),
        ("其中30天以上无进展（件）", cases["stale"]),
        ("平均已办天数", cases["average_days_open"]),
        ("最长已办天数", cases["longest_days_open"]),
    ):
        sheet.append([label, value])
    sheet = workbook.add_sheet("后援团与回馈家乡")
    sheet.append(["后援团成员（人）", group["members"]], bold=True)
    sheet.append(["已确认的贡献（条）", group["confirmed"]])
    sheet.append(["待确认的贡献（条）", group["pending"]])
    sheet.append([])
    sheet.append(["贡献类型", "已确认（条）", "金额（元）", "岗位数"], bold=True)
    for kind in group["kinds"]:
        sheet.append([kind["label"], kind["count"], kind["amount"], kind["jobs"]])
    content = workbook.close()
    audit_record(actor=actor, action="hometown.export", ip=ip, detail={"figure": "hometown"})
    return content
