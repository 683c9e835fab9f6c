"""The attendance sheet as an Excel workbook (sanyuan.excel: rows stream through, formulas
neutralised)."""

from urllib.parse import quote

from django.utils import timezone

from sanyuan.excel import Workbook

from . import selectors
from .models import Activity, Attendance
from .services.texts import when_text

HEADER = [
    "姓名",
    "所在党组织",
    "账号",
    "回复",
    "请假事由",
    "回复时间",
    "实际参加",
    "计入党组织",
    "已学习资料",
]


def _local(value) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else ""


def attendance_workbook(*, user, activity: Activity) -> tuple[bytes, str]:
    workbook = Workbook()
    sheet = workbook.add_sheet("参会情况")
    sheet.append([activity.title], bold=True)
    sheet.append(
        [f"{activity.get_kind_display()} · {activity.organization.name} · {when_text(activity)}"]
    )
    sheet.append([])
    sheet.append(HEADER, bold=True)
    status_labels = dict(Attendance.Status.choices)
    participation_labels = dict(Attendance.Participation.choices)
    for entry in selectors.attendance_export_rows(user=user, activity=activity):
        row = entry.row
        reply = status_labels.get(row.status, "未回复") if row else "未回复"
        if row and row.status and row.reply_recorded_by_id:
            reply += "（工作人员代登记）"
        sheet.append(
            [
                entry.member.name,
                entry.member.organization.name,
                "已激活" if entry.member.user_id else "未激活（短信通知）",
                reply,
                row.reason if row else "",
                _local(row.replied_at) if row else "",
                participation_labels.get(row.participation, "未参加") if row else "未参加",
                row.home_organization.name if row and row.participation else "",
                _local(row.studied_at) if row else "",
            ]
        )
    start = timezone.localtime(activity.starts_at)
    return workbook.close(), f"参会情况-{start:%Y%m%d}-{activity.title[:30]}.xlsx"


def attachment_header(filename: str) -> str:
    return f"attachment; filename=\"attendance.xlsx\"; filename*=UTF-8''{quote(filename, safe='')}"
