from django.db import models
from django.db.models import Q

from .people import Member, User


class OneTimeCode(models.Model):
    """A 6-digit code for activation, password reset or phone login. Only its keyed hash is
    stored."""

    class Channel(models.TextChoices):
        SMS = "sms", "短信"
        STAFF = "staff", "工作人员签发"
        LOGIN = "login", "短信登录"  # phone + code login; never activates or resets

    member = models.ForeignKey(
        Member, on_delete=models.CASCADE, related_name="one_time_codes", verbose_name="档案"
    )
    code_hash = models.CharField("验证码摘要", max_length=64)
    channel = models.CharField("来源", max_length=10, choices=Channel.choices)
    issued_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, verbose_name="签发人"
    )
    reason = models.CharField("签发原因", max_length=200, blank=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    expires_at = models.DateTimeField("过期时间")
    failed_attempts = models.PositiveSmallIntegerField("错误次数", default=0)
    used_at = models.DateTimeField("使用时间", null=True, blank=True)
    voided_at = models.DateTimeField("作废时间", null=True, blank=True)

    class Meta:
        verbose_name = "一次性验证码"
        verbose_name_plural = "一次性验证码"
        indexes = [
            models.Index(
                fields=["member", "-created_at"],
                name="otc_live_idx",
                condition=Q(used_at__isnull=True, voided_at__isnull=True),
            )
        ]

    def __str__(self):
        return f"{self.get_channel_display()} {self.created_at:%Y-%m-%d %H:%M}"
