"""Excel exports of study figures (openpyxl, streamed in write-only mode)."""

import io
from urllib.parse import quote

from django.http import HttpResponse
from django.utils import timezone
from openpyxl import Workbook

from .models import Article

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value):
    """Text that a spreadsheet would run as a formula is kept as text (CSV/formula injection)."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def _local(value):
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else ""


def study_rows_response(*, article: Article, rows) -> HttpResponse:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("学习情况")
    sheet.append([safe_cell(f"《{article.title}》学习情况"), f"导出时间 {_local(timezone.now())}"])
    sheet.append(["姓名", "党组织", "状态", "学习时长（分钟）", "首次打开", "学完时间"])
    for member in rows.iterator(chunk_size=2000):
        if member.finished_at:
            state = "已学完"
        elif member.opened_at:
            state = "已打开"
        else:
            state = "未打开"
        sheet.append(
            [
                safe_cell(member.name),
                safe_cell(member.organization.name),
                state,
                round((member.study_seconds or 0) / 60, 1),
                _local(member.opened_at),
                _local(member.finished_at),
            ]
        )
    out = io.BytesIO()
    workbook.save(out)
    response = HttpResponse(out.getvalue(), content_type=XLSX)
    filename = f"学习情况-{article.pk}-{timezone.localdate():%Y%m%d}.xlsx"
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    response["Cache-Control"] = "private, no-store"
    return response
