from django.db import models


class KeyRotationProgress(models.Model):
    """How far `manage.py rotate_pii_keys` got in one table towards one pair of target keys,
    so that an interrupted run resumes where it stopped (rows are done in primary-key order,
    in batches, each batch in its own transaction)."""

    target = models.CharField("目标密钥指纹", max_length=80)
    table = models.CharField("数据表", max_length=100)
    last_pk = models.BigIntegerField("已处理到的主键", default=0)
    rows_reencrypted = models.BigIntegerField("重新加密的行", default=0)
    rows_rehashed = models.BigIntegerField("重建索引的行", default=0)
    started_at = models.DateTimeField("开始时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)
    finished_at = models.DateTimeField("完成时间", null=True, blank=True)

    class Meta:
        verbose_name = "密钥轮换进度"
        verbose_name_plural = "密钥轮换进度"
        constraints = [
            models.UniqueConstraint(fields=["target", "table"], name="key_rotation_target_table")
        ]

    def __str__(self):
        return f"{self.table} → {self.last_pk}"
