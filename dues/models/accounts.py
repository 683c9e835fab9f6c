from django.conf import settings
from django.db import models

from members.models import Member

from .. import rules
from .fields import EncryptedFenField


class DuesAccount(models.Model):
    class Category(models.TextChoices):
        WAGE = rules.WAGE, rules.CATEGORY_LABELS[rules.WAGE]
        RETIREE = rules.RETIREE, rules.CATEGORY_LABELS[rules.RETIREE]
        FARMER = rules.FARMER, rules.CATEGORY_LABELS[rules.FARMER]
        STUDENT_OR_UNEMPLOYED = (
            rules.STUDENT_OR_UNEMPLOYED,
            rules.CATEGORY_LABELS[rules.STUDENT_OR_UNEMPLOYED],
        )
        HARDSHIP = rules.HARDSHIP, rules.CATEGORY_LABELS[rules.HARDSHIP]

    member = models.OneToOneField(
        Member,
        verbose_name="党员",
        primary_key=True,
        on_delete=models.CASCADE,
        related_name="dues_account",
    )
    dues_category = models.CharField("党费类别", max_length=30, choices=Category.choices)
    fixed_fen = models.IntegerField("每月固定金额（分）", null=True, blank=True)
    decision_note = models.CharField(
        "少交或免交的决定", max_length=300, blank=True, help_text="支部委员会决定及上级党委批准情况"
    )
    starts_on = models.DateField("起交月份")
    paid_through = models.DateField("已交至", null=True, blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="设置人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    updated_at = models.DateTimeField("设置时间", auto_now=True)

    class Meta:
        verbose_name = "党费账户"
        verbose_name_plural = "党费账户"
        indexes = [models.Index(fields=["paid_through"], name="dues_account_paid_through")]

    def __str__(self):
        return f"{self.member.name}的党费账户"


class DuesBase(models.Model):
    """The monthly income base of one year (交纳基数)."""

    class Status(models.TextChoices):
        DECLARED = "declared", "待审核"
        REVIEWED = "reviewed", "已核定"
        REJECTED = "rejected", "退回重报"

    member = models.ForeignKey(
        Member, verbose_name="党员", on_delete=models.CASCADE, related_name="dues_bases"
    )
    year = models.PositiveSmallIntegerField("年度")
    base_fen = EncryptedFenField("月交纳基数（分）")
    status = models.CharField("状态", max_length=20, choices=Status.choices)
    declared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="申报人",
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    declared_at = models.DateTimeField("申报时间", auto_now_add=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="审核人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    reviewed_at = models.DateTimeField("审核时间", null=True, blank=True)
    review_note = models.CharField("审核意见", max_length=300, blank=True)

    class Meta:
        verbose_name = "党费交纳基数"
        verbose_name_plural = "党费交纳基数"
        ordering = ["-year"]
        constraints = [
            models.UniqueConstraint(fields=["member", "year"], name="dues_base_one_per_year")
        ]

    def __str__(self):
        return f"{self.member.name} {self.year}年交纳基数"
