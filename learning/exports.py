"""Excel exports of study figures (sanyuan.excel: streamed, formulas neutralised)."""

from urllib.parse import quote

from django.http import HttpResponse
from django.utils import timezone

from sanyuan.excel import XLSX_CONTENT_TYPE as XLSX
from sanyuan.excel import Workbook

from .models import Article


def _local(value):
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else ""


def study_rows_response(*, article: Article, rows) -> HttpResponse:
    workbook = Workbook()
    sheet = workbook.add_sheet("学习情况")
    sheet.append([f"《{article.title}》学习情况", f"导出时间 {_local(timezone.now())}"], bold=True)
    sheet.append(["姓名", "党组织", "状态", "学习时长（分钟）", "首次打开", "学完时间"], bold=True)
    for member in rows.iterator(chunk_size=2000):
        if member.finished_at:
            state = "已学完"
        elif member.opened_at:
            state = "已打开"
        else:
            state = "未打开"
        sheet.append(
            [
                member.name,
                member.organization.name,
                state,
                round((member.study_seconds or 0) / 60, 1),
                _local(member.opened_at),
                _local(member.finished_at),
            ]
        )
    response = HttpResponse(workbook.close(), content_type=XLSX)
    filename = f"学习情况-{article.pk}-{timezone.localdate():%Y%m%d}.xlsx"
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    response["Cache-Control"] = "private, no-store"
    return response
