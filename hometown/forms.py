"""Page forms: they collect text; the services check it (errors come back through
sanyuan.forms.add_service_error), so that pages and the API share one set of rules."""

from django import forms

from .models import Contribution, SupportCase, SupportGroupMembership


def _text(label, max_length, *, required=True, textarea=False, **attrs):
    widget = forms.Textarea(attrs={"rows": 3, **attrs}) if textarea else forms.TextInput(attrs)
    return forms.CharField(
        label=label, max_length=max_length, required=required, widget=widget, strip=True
    )


class AskForm(forms.Form):
    """The member asks for help for the family at home."""

    kind = forms.ChoiceField(label="困难类型", choices=[("", "请选择"), *SupportCase.Kind.choices])
    need = _text(
        "家中的困难和需要的帮助",
        1000,
        textarea=True,
        placeholder="如：母亲住院需要有人照看，希望村里帮忙联系护工",
    )


class OpenCaseForm(AskForm):
    helper = _text("帮扶责任人", 100, required=False, placeholder="如：村党支部书记 李明")


class StepForm(forms.Form):
    note = _text("帮扶进展或办结情况", 1000, textarea=True)
    helper = _text("帮扶责任人（可修改）", 100, required=False)
    close = forms.BooleanField(label="本次办结", required=False)


class JoinForm(forms.Form):
    offers = forms.MultipleChoiceField(
        label="我可以提供的支持",
        choices=SupportGroupMembership.Offer.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    note = _text("补充说明（可不填）", 200, required=False, placeholder="如：可提供电焊岗位5个")
    publicity_consent = forms.BooleanField(
        label="同意党组织宣传报道我的回馈事迹（可随时撤回）", required=False
    )


class ContributionForm(forms.Form):
    kind = forms.ChoiceField(
        label="类型", choices=[("", "请选择"), *Contribution.Kind.choices], required=False
    )
    title = _text("事项", 100, required=False, placeholder="如：回乡创办服装加工厂")
    amount = forms.CharField(
        label="金额（元，可不填）",
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "numeric"}),
    )
    jobs = forms.CharField(
        label="岗位数（可不填）",
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "numeric"}),
    )
    happened_on = forms.CharField(
        label="日期", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    description = _text("情况说明（可不填）", 1000, required=False, textarea=True)


class DecideForm(forms.Form):
    reason = _text("未确认原因（确认时不填）", 200, required=False)


class CampaignForm(forms.Form):
    year = forms.CharField(label="年度", widget=forms.TextInput(attrs={"inputmode": "numeric"}))
    title = _text("活动名称", 100, placeholder="如：2026年“回馈家乡·助力振兴”行动")
    rules = _text("评选规则", 5000, textarea=True)


class PacesetterForm(forms.Form):
    member = forms.CharField(widget=forms.HiddenInput)
    citation = _text("先进事迹（将作为优秀典型文章发布）", 3000, textarea=True)
