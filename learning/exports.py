"""Excel exports of study figures (sanyuan.excel: streamed, formulas neutralised)."""

from urllib.parse import quote

from django.http import HttpResponse
from django.utils import timezone

from members.services.audit import audit_record
from sanyuan.excel import XLSX_CONTENT_TYPE as XLSX
from sanyuan.excel import Workbook

from .models import Article


def _local(value):
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else ""


def study_workbook(*, article: Article, rows, path=None, progress=None) -> tuple[bytes | None, int]:
    """The study figures of `article` for the members in `rows` (a queryset), streamed to
    `path` or into memory; returns the bytes (in memory) and the number of members."""
    workbook = Workbook(path)
    sheet = workbook.add_sheet("学习情况")
    sheet.append([f"《{article.title}》学习情况", f"导出时间 {_local(timezone.now())}"], bold=True)
    sheet.append(["姓名", "党组织", "状态", "学习时长（分钟）", "首次打开", "学完时间"], bold=True)
    count = 0
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
        count += 1
        if progress is not None and count % 5000 == 0:
            progress(count)
    return workbook.close(), count


def study_rows_response(*, article: Article, rows) -> HttpResponse:
    content, _ = study_workbook(article=article, rows=rows)
    response = HttpResponse(content, content_type=XLSX)
    filename = f"学习情况-{article.pk}-{timezone.localdate():%Y%m%d}.xlsx"
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    response["Cache-Control"] = "private, no-store"
    return response


def study_export_writer(*, actor, params: dict, path: str, progress) -> int:
    """The writer of a background study export (members.services.export_jobs), in the
    requester's current scope."""
    from . import selectors

    article = selectors.staff_article_get(user=actor, pk=params["article"])
    rows = selectors.article_study_rows(user=actor, article=article)
    audit_record(
        actor=actor, action="learning.study_export", target=article, detail={"article": article.pk}
    )
    return study_workbook(article=article, rows=rows, path=path, progress=progress)[1]
