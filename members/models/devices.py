"""Phones a member asked to be remembered on (记住我)."""

from django.db import models

from .people import User


class RememberedDevice(models.Model):
    """A phone that remembers who its member is: the login page there shows the name and the
    masked ID number and asks only for the password. The phone keeps a random token in an
    HttpOnly cookie (never the ID number); only its keyed hash is stored here. It lapses
    after MEMBER_REMEMBER_IDLE_SECONDS without use, or when the member removes it."""

    user = models.ForeignKey(
        User,
        verbose_name="账号",
        on_delete=models.CASCADE,
        related_name="remembered_devices",
    )
    token_hash = models.CharField("令牌摘要", max_length=64, unique=True, editable=False)
    label = models.CharField("设备", max_length=60)
    created_at = models.DateTimeField("首次记住", auto_now_add=True)
    last_used_at = models.DateTimeField("最近使用")
    revoked_at = models.DateTimeField("移除时间", null=True, blank=True)
    # The web session this phone last signed in with: removing the phone ends it too.
    session_key = models.CharField("会话", max_length=40, blank=True, editable=False)

    class Meta:
        verbose_name = "登录设备"
        verbose_name_plural = "登录设备"
        indexes = [models.Index(fields=["user", "-last_used_at"], name="device_user_used_idx")]

    def __str__(self):
        return self.label
