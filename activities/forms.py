from django import forms

from members import permissions as member_permissions
from members.models import Organization
from sanyuan.inputs import parse_int
from sanyuan.sanitize import plain_text_to_html

from .models import Activity, ActivityMaterial, Attendance
from .services import ActivityInput

DATETIME_INPUT = "%Y-%m-%dT%H:%M"


class DateTimeLocalInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs):
        super().__init__(format=DATETIME_INPUT, **kwargs)


class ActivityForm(forms.Form):
    organization = forms.ModelChoiceField(
        label="组织单位", queryset=Organization.objects.none(), empty_label="请选择"
    )
    kind = forms.ChoiceField(label="活动类型", choices=Activity.Kind.choices)
    title = forms.CharField(label="活动主题", max_length=120)
    starts_at = forms.DateTimeField(
        label="开始时间", input_formats=[DATETIME_INPUT], widget=DateTimeLocalInput()
    )
    ends_at = forms.DateTimeField(
        label="结束时间", input_formats=[DATETIME_INPUT], widget=DateTimeLocalInput()
    )
    place = forms.CharField(label="地点", max_length=200, required=False)
    online_url = forms.CharField(
        label="线上参会链接",
        max_length=500,
        required=False,
        help_text="仅支持 https:// 开头的链接；地点和线上链接至少填一项。",
        widget=forms.URLInput(attrs={"inputmode": "url"}),
    )
    audience = forms.ChoiceField(
        label="参加对象",
        choices=Activity.Audience.choices,
        help_text="临时党支部的活动面向其成员；流入地党组织的活动面向其服务的党员。",
    )
    host_name = forms.CharField(label="主持人", max_length=60, required=False)
    recorder_name = forms.CharField(label="记录人", max_length=60, required=False)
    lecturer_name = forms.CharField(label="授课人", max_length=60, required=False)
    agenda = forms.CharField(
        label="议程", max_length=5000, required=False, widget=forms.Textarea(attrs={"rows": 5})
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = member_permissions.filter_organizations_visible_to(
            user
        )

    @classmethod
    def initial_from(cls, activity: Activity) -> dict:
        return {
            name: getattr(activity, name)
            for name in ActivityInput.__dataclass_fields__
            if name != "organization"
        } | {"organization": activity.organization_id}

    def to_input(self) -> ActivityInput:
        data = self.cleaned_data
        return ActivityInput(
            **{name: data.get(name) for name in ActivityInput.__dataclass_fields__}
        )


class CancelForm(forms.Form):
    reason = forms.CharField(
        label="取消原因", max_length=200, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class ReplyForm(forms.Form):
    status = forms.ChoiceField(choices=Attendance.Status.choices)
    reason = forms.CharField(
        label="请假事由", max_length=200, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class MaterialForm(forms.Form):
    kind = forms.ChoiceField(label="资料类型", choices=ActivityMaterial.Kind.choices)
    title = forms.CharField(label="标题", max_length=120)
    file = forms.FileField(
        label="文件",
        required=False,
        help_text="PDF、Word、Excel、PowerPoint 或 JPG/PNG/WebP 图片，不超过20MB。",
    )
    body = forms.CharField(
        label="正文（可直接填写会议纪要）",
        required=False,
        max_length=200_000,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text="直接输入文字即可，空一行分段；文件和正文至少填一项。",
    )

    def clean_body(self):
        body = self.cleaned_data.get("body", "").strip()
        # Plain text from the textarea; pasted HTML is sanitised by the service instead.
        return body if body.startswith("<") else plain_text_to_html(body)


PARTICIPATION_PREFIX = "p-"


def participation_entries(data) -> dict[int, str]:
    """The attendance sheet's per-member selects (`p-<member id>`) as {member id: mode}."""
    out = {}
    for key, value in data.items():
        suffix = key[len(PARTICIPATION_PREFIX) :]
        if key.startswith(PARTICIPATION_PREFIX) and parse_int(suffix) is not None:
            out[parse_int(suffix)] = value
    return out
