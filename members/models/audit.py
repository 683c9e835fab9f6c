from django.db import models

from .people import User


class AuditEvent(models.Model):
    """Append-only record of security-relevant actions. Never holds decrypted personal data:
    field names and masked values only."""

    actor = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, verbose_name="操作人"
    )
    action = models.CharField("操作", max_length=60, db_index=True)
    target_type = models.CharField("对象类型", max_length=60, blank=True)
    target_id = models.CharField("对象", max_length=40, blank=True)
    ip_address = models.GenericIPAddressField("IP地址", null=True, blank=True)
    detail = models.JSONField("详情", default=dict, blank=True)
    created_at = models.DateTimeField("时间", auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = "审计日志"
        verbose_name_plural = "审计日志"
        ordering = ["-id"]
        indexes = [models.Index(fields=["target_type", "target_id"], name="audit_target_idx")]

    def __str__(self):
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.action_label}"

    # The Chinese reading of the event (members.audit_text holds the one table of labels).
    @property
    def action_label(self) -> str:
        from ..audit_text import action_label

        return action_label(self.action)

    @property
    def target_type_label(self) -> str:
        from ..audit_text import target_type_label

        return target_type_label(self.target_type)

    @property
    def detail_text(self) -> str:
        from ..audit_text import detail_text

        return detail_text(self.detail, self.action)
