"""Page forms: they collect text; the services check it (errors come back through
sanyuan.forms.add_service_error), so that pages, the API and the admin share one set of rules."""

from django import forms

from .models import Rating


def _text(label, max_length, *, required=True, textarea=False, rows=3, **attrs):
    widget = forms.Textarea(attrs={"rows": rows, **attrs}) if textarea else forms.TextInput(attrs)
    return forms.CharField(
        label=label, max_length=max_length, required=required, widget=widget, strip=True
    )


def _date(label, help_text=""):
    return forms.CharField(
        label=label,
        max_length=20,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=help_text,
    )


class OpenForm(forms.Form):
    organization = forms.TypedChoiceField(label="党支部（党总支）", coerce=int, choices=())
    year = forms.IntegerField(label="评议年度", min_value=2000, max_value=2100)
    self_assessment_ends_on = _date("自我评价截止日期")
    ballot_starts_on = _date("民主测评开始日期")
    ballot_ends_on = _date("民主测评截止日期")
    decision_ends_on = _date("组织评定截止日期", "“不合格”评定须在此前报上级党委审批。")

    def __init__(self, *args, organizations=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organization"].choices = [("", "请选择")] + [
            (org.pk, f"{org.name}（{org.get_kind_display()}）") for org in organizations
        ]


class SelfAssessmentForm(forms.Form):
    text = _text(
        "自我评价",
        5000,
        textarea=True,
        rows=8,
        placeholder="对照党员标准，从理想信念、政治纪律、履行义务、作用发挥等方面总结一年来的表现和不足。",
    )


class BallotForm(forms.Form):
    """One choice per other participant (`rating-<member id>`)."""

    def __init__(self, *args, candidates=(), **kwargs):
        super().__init__(*args, **kwargs)
        for member in candidates:
            self.fields[f"rating-{member.pk}"] = forms.ChoiceField(
                label=member.name,
                choices=Rating.choices,
                widget=forms.RadioSelect,
                error_messages={"required": f"请评价{member.name}。"},
            )
        self.candidates = list(candidates)

    def rows(self):
        return [(member, self[f"rating-{member.pk}"]) for member in self.candidates]

    def ratings(self) -> list[dict]:
        return [
            {"member": member.pk, "rating": self.cleaned_data[f"rating-{member.pk}"]}
            for member in self.candidates
        ]


class RatingForm(forms.Form):
    member = forms.IntegerField(widget=forms.HiddenInput, min_value=1, max_value=2**62)
    final_rating = forms.ChoiceField(label="组织评定", choices=[("", "请选择"), *Rating.choices])
    reason = _text("评定理由", 500, textarea=True, rows=2)


class NoteForm(forms.Form):
    member = forms.IntegerField(widget=forms.HiddenInput, min_value=1, max_value=2**62)
    note = _text("审批意见", 300, required=False)
