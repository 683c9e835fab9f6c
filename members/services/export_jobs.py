"""Exports over EXPORT_INLINE_MAX_ROWS rows run as Celery tasks: the page shows progress, the
requester downloads the file when it is done (logged), and it expires after
EXPORT_TTL_SECONDS (the file is deleted). Which writer builds which export is a setting
(EXPORT_WRITERS: kind → dotted path), so feature apps add theirs without members importing
them. A writer is `writer(*, actor, params, path, progress) -> int` (rows written): it
rebuilds its list in the requester's *current* scope, so a grant revoked meanwhile counts."""

import logging
import os
import tempfile
from datetime import timedelta

from django.conf import settings
from django.core.cache import cache
from django.core.files import File
from django.db import transaction
from django.http import Http404
from django.utils import timezone
from django.utils.module_loading import import_string

from members import permissions
from members.models import ExportJob, Notice
from members.services.audit import audit_record
from members.services.notices import Audience, notice_publish
from sanyuan.errors import ServiceError, StateConflict
from sanyuan.queue import enqueue_on_commit

logger = logging.getLogger(__name__)


def export_needs_job(queryset) -> bool:
    """More rows than a web request should write: counts at most one row past the limit."""
    limit = settings.EXPORT_INLINE_MAX_ROWS
    return queryset.order_by()[: limit + 1].count() > limit


def export_job_create(*, actor, kind: str, title: str, params: dict, ip=None) -> ExportJob:
    permissions.check_staff(actor)
    if kind not in settings.EXPORT_WRITERS:
        raise ServiceError("不支持的导出内容。")
    with transaction.atomic():
        job = ExportJob.objects.create(
            kind=kind,
            title=title[:100],
            requested_by=actor,
            params=params,
            expires_at=timezone.now() + timedelta(seconds=settings.EXPORT_TTL_SECONDS),
        )
        audit_record(actor=actor, action="export.request", target=job, ip=ip, detail={"kind": kind})
        enqueue_on_commit("members.export-run", job.pk)
    return job


def _progress_key(job_id: int) -> str:
    return f"export-progress:{job_id}"


def export_job_progress(job: ExportJob) -> int:
    """Rows written so far (the task reports every few thousand)."""
    if job.status == ExportJob.Status.DONE:
        return job.rows
    return cache.get(_progress_key(job.pk)) or 0


def export_job_run(*, job_id: int) -> None:
    """The task's body. Idempotent: only a queued (or interrupted running) job is run."""
    with transaction.atomic():
        job = (
            ExportJob.objects.select_for_update()
            .select_related("requested_by")
            .filter(pk=job_id, status__in=[ExportJob.Status.QUEUED, ExportJob.Status.RUNNING])
            .first()
        )
        if job is None:
            return
        job.status = ExportJob.Status.RUNNING
        job.save(update_fields=["status"])
    writer = import_string(settings.EXPORT_WRITERS[job.kind])
    handle, path = tempfile.mkstemp(suffix=".xlsx", prefix="export-")
    os.close(handle)
    try:
        rows = writer(
            actor=job.requested_by,
            params=job.params,
            path=path,
            progress=lambda done: cache.set(_progress_key(job.pk), done, timeout=3600),
        )
        with open(path, "rb") as handle:
            job.file.save(f"export-{job.pk}.xlsx", File(handle), save=False)
    except Exception as exc:  # the page says it failed; the log keeps the traceback
        logger.exception("export %s failed", job.pk)
        message = exc.message if isinstance(exc, ServiceError) else "生成文件时出错，请稍后重试。"
        ExportJob.objects.filter(pk=job.pk).update(
            status=ExportJob.Status.FAILED, failure=message[:300], finished_at=timezone.now()
        )
        return
    finally:
        os.unlink(path)
    job.status, job.rows, job.finished_at = ExportJob.Status.DONE, rows, timezone.now()
    job.save(update_fields=["status", "rows", "file", "finished_at"])
    notice_publish(
        audience=Audience.user(job.requested_by),
        kind=Notice.Kind.SYSTEM,
        title=f"导出已完成：{job.title}",
        body=f"共 {rows} 行，请在 {timezone.localtime(job.expires_at):%m月%d日 %H:%M} 前下载。",
        link=f"/staff/exports/{job.pk}/",
    )


def export_job_list(*, actor):
    return ExportJob.objects.filter(requested_by=actor).order_by("-id")


def export_job_get(*, actor, pk) -> ExportJob:
    """One's own export job (anyone else's is 404, whatever their tier)."""
    job = export_job_list(actor=actor).filter(pk=pk).first()
    if job is None:
        raise Http404
    return job


def export_job_download(*, actor, job: ExportJob, ip=None) -> ExportJob:
    """Checked and logged before the file is handed out."""
    if job.requested_by_id != actor.pk:
        raise Http404
    if job.status == ExportJob.Status.EXPIRED or job.expires_at <= timezone.now():
        raise StateConflict("下载链接已过期，请重新导出。")
    if job.status != ExportJob.Status.DONE:
        raise StateConflict("文件还在生成中，请稍候。")
    ExportJob.objects.filter(pk=job.pk).update(downloads=job.downloads + 1)
    audit_record(
        actor=actor, action="export.download", target=job, ip=ip, detail={"rows": job.rows}
    )
    return job


def export_job_expire(*, now=None) -> int:
    """Hourly: files past their expiry are deleted; the job row stays as a record."""
    now = now or timezone.now()
    expired = 0
    for job in ExportJob.objects.filter(
        expires_at__lte=now,
        status__in=[ExportJob.Status.DONE, ExportJob.Status.FAILED, ExportJob.Status.QUEUED],
    ).iterator():
        if job.file:
            job.file.delete(save=False)
        ExportJob.objects.filter(pk=job.pk).update(status=ExportJob.Status.EXPIRED, file="")
        expired += 1
    return expired
