"""Page forms: they collect text; the services check it (errors come back through
sanyuan.forms.add_service_error), so that pages, the API and the admin share one set of rules."""

from django import forms

from members.choices import MemberStatus, PartyStanding

from .models import IntroductionLetter


def _text(label, max_length, *, required=True, textarea=False, **attrs):
    widget = forms.Textarea(attrs={"rows": 3, **attrs}) if textarea else forms.TextInput(attrs)
    return forms.CharField(
        label=label, max_length=max_length, required=required, widget=widget, strip=True
    )


class DestinationForm(forms.Form):
    """Inside the county: where to (a branch of the member's county) and why."""

    to_organization = forms.TypedChoiceField(label="接收党支部", coerce=int, choices=())
    reason = _text("转接原因", 500, textarea=True, placeholder="如：已在县城定居，就近参加组织生活")

    def __init__(self, *args, destinations=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to_organization"].choices = [("", "请选择")] + [
            (org.pk, f"{org.parent.name if org.parent else ''} · {org.name}")
            for org in destinations
        ]


class PrepareForm(forms.Form):
    to_name = _text("接收组织（全称）", 120, placeholder="如：中共深圳市宝安区委组织部")
    reason = _text("转接原因", 500, textarea=True)


class RejectForm(forms.Form):
    reason = _text("退回原因", 300, textarea=True)


class WithdrawForm(forms.Form):
    reason = _text("撤回原因", 300, required=False, textarea=True)


class ApproveForm(forms.Form):
    comment = _text("意见（可不填）", 300, required=False)


class LetterForm(forms.Form):
    number = _text("介绍信编号（省级平台生成）", 60, autocomplete="off")
    validity_days = forms.IntegerField(
        label="有效期（天）",
        initial=IntroductionLetter.DEFAULT_VALIDITY_DAYS,
        min_value=-(2**31),
        max_value=2**31,
        help_text="一般市内10天、市外30天，最长不超过90天。",
    )
    dues_paid_until = _text("党费交至（年月）", 20, placeholder="2026-11")


class ReceiptForm(forms.Form):
    reported_on = _text("回执日期", 20, placeholder="2026-12-01")
    from_name = _text("回执单位（可不填）", 120, required=False)
    note = _text("备注", 300, required=False)


class IncomingForm(forms.Form):
    organization = forms.TypedChoiceField(label="接收党支部", coerce=int, choices=())
    name = _text("姓名", 60)
    id_number = _text("身份证号码", 40, autocomplete="off")
    phone = _text("手机号码", 30, inputmode="tel")
    party_standing = forms.ChoiceField(label="党员类别", choices=PartyStanding.choices)
    joined_party_on = _text("入党时间（可不填）", 20, required=False, placeholder="2010-07-01")
    status = forms.ChoiceField(
        label="流动状态",
        choices=[(MemberStatus.AWAY, "外出流动"), (MemberStatus.RETURNED, "已返乡")],
    )
    letter_number = _text("介绍信编号", 60, autocomplete="off")
    from_name = _text("转出组织（全称）", 120, placeholder="如：中共西安市雁塔区委组织部")
    letter_issued_on = _text("介绍信开具日期", 20, placeholder="2026-11-20")
    validity_days = forms.IntegerField(
        label="有效期（天）",
        initial=IntroductionLetter.DEFAULT_VALIDITY_DAYS,
        min_value=-(2**31),
        max_value=2**31,
    )
    dues_paid_until = _text("党费交至（年月）", 20, placeholder="2026-11")
    reason = _text("备注（可不填）", 500, required=False, textarea=True)

    def __init__(self, *args, organizations=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organization"].choices = [("", "请选择")] + [
            (org.pk, org.name) for org in organizations
        ]

    def values(self) -> dict:
        data = dict(self.cleaned_data)
        if not data.get("joined_party_on"):
            data.pop("joined_party_on", None)
        return data
