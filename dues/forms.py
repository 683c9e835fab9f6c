"""Forms of the dues pages: they parse and say what is wrong in Chinese; the services decide."""

from django import forms
from django.utils import timezone

from . import rules
from .models import DuesAccount, DuesReceipt


class YuanField(forms.CharField):
    """An amount typed in yuan (at most two decimals) → fen."""

    def __init__(self, *args, allow_negative=False, **kwargs):
        self.allow_negative = allow_negative
        kwargs.setdefault("max_length", 16)
        super().__init__(*args, **kwargs)

    def clean(self, value):
        value = super().clean(value)
        if value in ("", None):
            return None
        text = str(value).strip()
        negative = self.allow_negative and text.startswith("-")
        fen = rules.parse_yuan(text[1:] if negative else text)
        if fen is None:
            raise forms.ValidationError("请填写正确的金额（元，最多两位小数）。")
        return -fen if negative else fen


def _years():
    year = timezone.localdate().year
    return [(y, f"{y}年") for y in (year + 1, year, year - 1)]


class BaseDeclareForm(forms.Form):
    year = forms.TypedChoiceField(label="年度", coerce=int, choices=_years)
    base = YuanField(label="月收入（税后工资或离退休费，元）")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].initial = timezone.localdate().year
        self.fields["base"].error_messages["required"] = "请填写月收入。"


class PayForm(forms.Form):
    months = forms.TypedChoiceField(
        label="交纳月数", coerce=int, choices=[(n, f"{n}个月") for n in range(1, 13)]
    )


class AccountForm(forms.Form):
    dues_category = forms.ChoiceField(label="党费类别", choices=DuesAccount.Category.choices)
    fixed_fen = YuanField(label="每月固定金额（元，农民和困难党员填写）", required=False)
    decision_note = forms.CharField(
        label="少交或免交的决定（困难党员填写）", required=False, max_length=300
    )
    starts_on = forms.DateField(
        label="起交月份（新设置时）", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )


class BaseSetForm(forms.Form):
    year = forms.TypedChoiceField(label="年度", coerce=int, choices=_years)
    base = YuanField(label="核定的月交纳基数（元）")


class PaymentForm(forms.Form):
    months = forms.TypedChoiceField(
        label="交纳月数", coerce=int, choices=[(n, f"{n}个月") for n in range(1, 25)]
    )
    method = forms.ChoiceField(
        label="交纳方式",
        choices=[c for c in DuesReceipt.Method.choices if c[0] != DuesReceipt.Method.ONLINE],
    )
    paid_on = forms.DateField(label="交纳日期", widget=forms.DateInput(attrs={"type": "date"}))
    note = forms.CharField(label="备注", required=False, max_length=300)


class CorrectionForm(forms.Form):
    entry = forms.IntegerField(widget=forms.HiddenInput)
    amount = YuanField(label="更正金额（元，少记填正数，多记填负数）", allow_negative=True)
    note = forms.CharField(label="更正原因", max_length=300)


class RefundForm(forms.Form):
    receipt = forms.IntegerField(widget=forms.HiddenInput)
    note = forms.CharField(label="退还原因", max_length=300)


class ReviewForm(forms.Form):
    decision = forms.ChoiceField(choices=[("approve", "通过"), ("reject", "退回")])
    note = forms.CharField(label="意见", required=False, max_length=300)
