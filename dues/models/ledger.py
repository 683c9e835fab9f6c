from django.conf import settings
from django.db import models

from members.models import Member, Organization

from .fields import EncryptedFenField


class AppendOnly(models.Model):
    """Rows of the ledger are written once: a correction is a new row."""

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise RuntimeError(f"{type(self).__name__} is append-only: record a new entry")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise RuntimeError(f"{type(self).__name__} is append-only: record a new entry")


class DuesReceipt(AppendOnly):
    """One payment or refund as the member sees it (电子收据): several months at once."""

    class Method(models.TextChoices):
        ONLINE = "online", "微信支付"
        CASH = "cash", "现金交支部"
        BANK_TRANSFER = "bank_transfer", "银行转账"

    class Kind(models.TextChoices):
        PAYMENT = "payment", "交纳"
        REFUND = "refund", "退还"

    number = models.CharField("收据号", max_length=32, unique=True)
    kind = models.CharField("类型", max_length=10, choices=Kind.choices, default=Kind.PAYMENT)
    member = models.ForeignKey(
        Member, verbose_name="党员", on_delete=models.PROTECT, related_name="dues_receipts"
    )
    organization = models.ForeignKey(
        Organization, verbose_name="收缴党组织", on_delete=models.PROTECT, related_name="+"
    )
    method = models.CharField("交纳方式", max_length=20, choices=Method.choices)
    total_fen = EncryptedFenField("金额（分）")
    paid_at = models.DateTimeField("交纳时间")
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="登记人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="空：微信支付自动入账",
    )
    order = models.ForeignKey(
        "dues.DuesOrder",
        verbose_name="微信支付订单",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="receipts",
    )
    refund_of = models.ForeignKey(
        "self",
        verbose_name="退还的收据",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="refunds",
    )
    out_refund_no = models.CharField(
        "微信退款单号", max_length=64, null=True, blank=True, unique=True
    )
    note = models.CharField("备注", max_length=300, blank=True)
    created_at = models.DateTimeField("入账时间", auto_now_add=True)

    class Meta:
        verbose_name = "党费收据"
        verbose_name_plural = "党费收据"
        ordering = ["-paid_at", "-id"]
        indexes = [models.Index(fields=["member", "-paid_at"], name="dues_receipt_member")]

    def __str__(self):
        return self.number


class DuesEntry(AppendOnly):
    """One line of the ledger (党费台账): a month's dues, a payment for it, a refund, or a
    correction of an earlier line (signed, in the corrected line's column)."""

    class Kind(models.TextChoices):
        DUE = "due", "应交"
        PAYMENT = "payment", "实交"
        REFUND = "refund", "退还"
        CORRECTION = "correction", "更正"

    member = models.ForeignKey(
        Member, verbose_name="党员", on_delete=models.PROTECT, related_name="dues_entries"
    )
    # The member's home organisation when the line was written: the totals it fed.
    organization = models.ForeignKey(
        Organization, verbose_name="党组织", on_delete=models.PROTECT, related_name="+"
    )
    month = models.DateField("月份")
    kind = models.CharField("类型", max_length=20, choices=Kind.choices)
    amount_fen = EncryptedFenField("金额（分）")
    receipt = models.ForeignKey(
        DuesReceipt,
        verbose_name="收据",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="entries",
    )
    corrects = models.ForeignKey(
        "self",
        verbose_name="更正的记录",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="corrections",
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="登记人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    note = models.CharField("说明", max_length=300, blank=True)
    created_at = models.DateTimeField("记录时间", auto_now_add=True)

    class Meta:
        verbose_name = "党费台账记录"
        verbose_name_plural = "党费台账"
        ordering = ["month", "id"]
        indexes = [models.Index(fields=["member", "month"], name="dues_entry_member_month")]
        constraints = [
            # One assessment per member and month; later changes are corrections.
            models.UniqueConstraint(
                fields=["member", "month"],
                condition=models.Q(kind="due"),
                name="dues_entry_one_due_per_month",
            ),
        ]

    def __str__(self):
        return f"{self.member_id} {self.month:%Y-%m} {self.get_kind_display()}"

    @property
    def signed_paid_fen(self) -> int:
        return -self.amount_fen if self.kind == self.Kind.REFUND else self.amount_fen


class DuesTotal(models.Model):
    """Sums of one organisation's ledger lines for one month (its own members, not its
    subtree: figures above add the subtree's rows). Updated in the entry's transaction."""

    organization = models.ForeignKey(
        Organization, verbose_name="党组织", on_delete=models.CASCADE, related_name="+"
    )
    month = models.DateField("月份")
    due_fen = models.BigIntegerField("应交（分）", default=0)
    paid_fen = models.BigIntegerField("实交（分）", default=0)

    class Meta:
        verbose_name = "党费汇总"
        verbose_name_plural = "党费汇总"
        constraints = [
            models.UniqueConstraint(fields=["organization", "month"], name="dues_total_unique")
        ]

    def __str__(self):
        return f"{self.organization_id} {self.month:%Y-%m}"
