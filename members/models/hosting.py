"""Two-way management (流入地/流出地): a host organisation at the destination takes a member in."""

from django.db import models
from django.db.models import Q

from sanyuan.crypto import EncryptedTextField

from .organizations import Organization
from .people import Member, User


class Hosting(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", "待报到"
        ACCEPTED = "accepted", "已报到"
        DECLINED = "declined", "已拒绝"
        CLOSED = "closed", "已结束"

    class Via(models.TextChoices):
        HOME = "home", "流出地登记"
        QR = "qr", "扫码报到"
        CODE = "code", "报到码报到"

    member = models.ForeignKey(
        Member, on_delete=models.CASCADE, related_name="hostings", verbose_name="党员"
    )
    host_organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="hostings", verbose_name="流入地党组织"
    )
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.PENDING)
    via = models.CharField("发起方式", max_length=10, choices=Via.choices, default=Via.HOME)
    requested_by = models.ForeignKey(
        User, null=True, on_delete=models.SET_NULL, related_name="+", verbose_name="发起人"
    )
    created_at = models.DateTimeField("发起时间", auto_now_add=True)
    decided_by = models.ForeignKey(
        User,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name="处理人",
    )
    decided_at = models.DateTimeField("处理时间", null=True, blank=True)
    decline_reason = models.CharField("拒绝原因", max_length=300, blank=True)
    closed_at = models.DateTimeField("结束时间", null=True, blank=True)
    close_reason = models.CharField("结束原因", max_length=100, blank=True)

    class Meta:
        verbose_name = "流入地报到"
        verbose_name_plural = "流入地报到"
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["member"],
                condition=Q(status__in=["pending", "accepted"]),
                name="one_open_hosting",
            )
        ]
        indexes = [
            models.Index(fields=["host_organization", "status"], name="hosting_host_status_idx")
        ]

    def __str__(self):
        return f"{self.member_id} → {self.host_organization_id} {self.get_status_display()}"


class CheckinSecret(models.Model):
    """The secret behind a member's 报到码 on one phone (RFC 6238 TOTP, ten-minute steps):
    handed to that phone once, kept there under the member's offline key, so that the card
    shows a code without a network. Stored encrypted; a code is accepted once."""

    member = models.ForeignKey(
        Member, on_delete=models.CASCADE, related_name="checkin_secrets", verbose_name="党员"
    )
    secret = EncryptedTextField("密钥")
    created_at = models.DateTimeField("发放时间", auto_now_add=True)
    last_step = models.BigIntegerField("最近使用的时间步", default=0)

    class Meta:
        verbose_name = "报到码密钥"
        verbose_name_plural = "报到码密钥"
        indexes = [models.Index(fields=["member", "-created_at"], name="checkin_member_idx")]

    def __str__(self):
        return f"{self.member_id} {self.created_at:%Y-%m-%d %H:%M}"


class StatsRollup(models.Model):
    """Member counts per organisation subtree, dimension and key, kept by a Celery task so
    that a province dashboard reads a few hundred rows instead of a million."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    dimension = models.CharField(max_length=20)
    key = models.CharField(max_length=40)
    count = models.PositiveIntegerField()
    computed_at = models.DateTimeField()

    class Meta:
        verbose_name = "统计汇总"
        verbose_name_plural = "统计汇总"
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "dimension", "key"], name="stats_rollup_unique"
            )
        ]

    def __str__(self):
        return f"{self.organization_id}/{self.dimension}/{self.key}={self.count}"
