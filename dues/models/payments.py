from django.db import models

from members.models import Member
from sanyuan.crypto import EncryptedTextField

from .fields import EncryptedFenField


class DuesOrder(models.Model):
    """A WeChat Pay order for one or more months (paid ahead included)."""

    class Status(models.TextChoices):
        PENDING = "pending", "待支付"
        PAID = "paid", "已支付"
        CLOSED = "closed", "已关闭"

    class Channel(models.TextChoices):
        JSAPI = "jsapi", "微信内网页"
        MINI_PROGRAM = "mini_program", "小程序"

    member = models.ForeignKey(
        Member, verbose_name="党员", on_delete=models.PROTECT, related_name="dues_orders"
    )
    out_trade_no = models.CharField("商户订单号", max_length=32, unique=True)
    mchid = models.CharField("商户号", max_length=32)
    appid = models.CharField("AppID", max_length=32)
    channel = models.CharField("渠道", max_length=20, choices=Channel.choices)
    # [["2026-11-01", fen], …]: the months and the amount of each, as ordered (encrypted).
    lines_json = EncryptedTextField("月份与金额")
    amount_fen = EncryptedFenField("金额（分）")
    status = models.CharField("状态", max_length=20, choices=Status.choices, default=Status.PENDING)
    transaction_id = models.CharField("微信支付单号", max_length=64, blank=True)
    created_at = models.DateTimeField("下单时间", auto_now_add=True)
    expires_at = models.DateTimeField("支付期限")
    paid_at = models.DateTimeField("支付时间", null=True, blank=True)
    closed_at = models.DateTimeField("关闭时间", null=True, blank=True)

    class Meta:
        verbose_name = "党费微信支付订单"
        verbose_name_plural = "党费微信支付订单"
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["status", "created_at"], name="dues_order_status")]

    def __str__(self):
        return self.out_trade_no


class DuesReconciliation(models.Model):
    """The day's trade bill of one merchant checked against the paid orders (对账)."""

    class Status(models.TextChoices):
        MATCHED = "matched", "一致"
        MISMATCH = "mismatch", "不一致"
        NO_TRADE = "no_trade", "当日无交易"

    mchid = models.CharField("商户号", max_length=32)
    bill_date = models.DateField("账单日期")
    status = models.CharField("结果", max_length=20, choices=Status.choices)
    payments = models.IntegerField("账单笔数", default=0)
    problems = models.JSONField("差异", default=list, blank=True)
    checked_at = models.DateTimeField("对账时间", auto_now=True)

    class Meta:
        verbose_name = "党费对账"
        verbose_name_plural = "党费对账"
        ordering = ["-bill_date"]
        constraints = [
            models.UniqueConstraint(fields=["mchid", "bill_date"], name="dues_reconcile_once")
        ]

    def __str__(self):
        return f"{self.mchid} {self.bill_date}"


class DuesReminder(models.Model):
    """A reminder round sent (on the due day, and again later): each once per month."""

    month = models.DateField("月份")
    round = models.PositiveSmallIntegerField("轮次")
    sent_at = models.DateTimeField("发送时间", auto_now_add=True)
    recipients = models.IntegerField("人数", default=0)

    class Meta:
        verbose_name = "党费提醒"
        verbose_name_plural = "党费提醒"
        constraints = [
            models.UniqueConstraint(fields=["month", "round"], name="dues_reminder_once")
        ]

    def __str__(self):
        return f"{self.month:%Y-%m} #{self.round}"
