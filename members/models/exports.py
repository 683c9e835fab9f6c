"""Large exports as background work: a request over EXPORT_INLINE_MAX_ROWS rows becomes an
ExportJob that a Celery task writes to a private file; the requester downloads it until it
expires (EXPORT_TTL_SECONDS), then the file is deleted."""

from django.db import models

from .people import User


class ExportJob(models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued", "排队中"
        RUNNING = "running", "生成中"
        DONE = "done", "已完成"
        FAILED = "failed", "失败"
        EXPIRED = "expired", "已过期"

    # Which export: a key of settings.EXPORT_WRITERS (e.g. "members.archive", "learning.study").
    kind = models.CharField("导出内容", max_length=40)
    title = models.CharField("名称", max_length=100)
    requested_by = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="+", verbose_name="申请人"
    )
    # What the writer needs to rebuild the list in the requester's scope (filters, ids);
    # never personal data (full ID numbers and phones are not list filters).
    params = models.JSONField("参数", default=dict, blank=True)
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.QUEUED)
    rows = models.PositiveIntegerField("行数", default=0)
    file = models.FileField("文件", upload_to="private/exports/%Y/%m/", blank=True)
    failure = models.CharField("失败原因", max_length=300, blank=True)
    created_at = models.DateTimeField("申请时间", auto_now_add=True)
    finished_at = models.DateTimeField("完成时间", null=True, blank=True)
    expires_at = models.DateTimeField("过期时间")
    downloads = models.PositiveIntegerField("下载次数", default=0)

    class Meta:
        verbose_name = "导出任务"
        verbose_name_plural = "导出任务"
        ordering = ["-id"]
        indexes = [
            models.Index(
                fields=["expires_at"],
                name="exportjob_expiring_idx",
                condition=models.Q(status__in=["done", "queued", "running", "failed"]),
            )
        ]

    def __str__(self):
        return f"{self.title}（{self.get_status_display()}）"
