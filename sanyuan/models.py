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


class LoginThrottle(models.Model):
    """Failed logins counted per client address (IPv6 per /64) or per account, across the
    other: a fixed window of LOGIN_THROTTLE_WINDOW_SECONDS. Once the failures reach the
    limit, every login attempt on that address or account answers 429 until the window ends
    or the county lifts the throttle (members.services.login_throttle). Successful logins are
    never counted."""

    class Kind(models.TextChoices):
        ADDRESS = "address", "来源地址"
        ACCOUNT = "account", "账号"

    kind = models.CharField("类型", max_length=10, choices=Kind.choices)
    # The network (`203.0.113.7/32`, `2001:db8:1:2::/64`) or the account's key (the keyed
    # hash of an ID number, never the number; a staff username).
    key = models.CharField("键", max_length=200)
    label = models.CharField("对象", max_length=200)
    failures = models.PositiveIntegerField("失败次数", default=0)
    window_started = models.DateTimeField("本轮计数开始")
    last_failure_at = models.DateTimeField("最近失败时间")

    class Meta:
        verbose_name = "登录限制"
        verbose_name_plural = "登录限制"
        constraints = [models.UniqueConstraint(fields=["kind", "key"], name="login_throttle_key")]
        indexes = [models.Index(fields=["-last_failure_at"], name="login_throttle_recent")]

    def __str__(self):
        return f"{self.get_kind_display()} {self.label}"
