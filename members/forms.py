from django import forms

from .models import Member


class IdentityForm(forms.Form):
    name = forms.CharField(label="姓名", max_length=60, strip=False)
    id_number = forms.CharField(
        label="身份证号码",
        max_length=60,
        strip=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "text"}),
    )


class MemberLoginForm(IdentityForm):
    password = forms.CharField(
        label="密码",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    remember = forms.BooleanField(label="记住我（下次在这部手机上登录更简单）", required=False)


class PhoneLoginForm(forms.Form):
    """短信验证码登录: the number, then the code (and the name when the number serves
    several archives)."""

    phone = forms.CharField(
        label="手机号码",
        max_length=30,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
    )
    code = forms.CharField(
        label="短信验证码",
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code"}),
    )
    name = forms.CharField(label="姓名", max_length=60, required=False, strip=False)


class RememberedLoginForm(forms.Form):
    """On a remembered phone: the member is known, only the password is asked."""

    password = forms.CharField(
        label="密码",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password", "autofocus": True}),
    )


class StaffLoginForm(forms.Form):
    username = forms.CharField(label="用户名", max_length=150)
    password = forms.CharField(
        label="密码",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )


def new_password_input():
    """A new password typed once is not lost when the form comes back for another field's
    error (the wrong code, the privacy notice). It comes back only in the answer to the POST,
    which neither the browser's cache nor the service worker keeps."""
    return forms.PasswordInput(attrs={"autocomplete": "new-password"}, render_value=True)


class SetPasswordForm(forms.Form):
    code = forms.CharField(
        label="验证码",
        max_length=10,
        widget=forms.TextInput(
            attrs={"inputmode": "numeric", "autocomplete": "one-time-code", "pattern": "[0-9]*"}
        ),
    )
    password = forms.CharField(
        label="设置密码",
        strip=False,
        help_text="至少8位，不能全是数字，不要使用常见密码。",
        widget=new_password_input(),
    )
    password2 = forms.CharField(
        label="再次输入密码",
        strip=False,
        widget=new_password_input(),
    )

    def clean(self):
        data = super().clean()
        if data.get("password") and data.get("password2") and data["password"] != data["password2"]:
            self.add_error("password2", "两次输入的密码不一致。")
        return data


class ActivateForm(SetPasswordForm):
    accept_privacy_notice = forms.BooleanField(
        label="我已阅读并同意《个人信息保护告知》",
        required=True,
        error_messages={"required": "请阅读并同意个人信息保护告知。"},
    )


class PhoneForm(forms.ModelForm):
    class Meta:
        model = Member
        fields = ["phone"]


class ContactLogForm(forms.Form):
    from .models import ContactLog as _ContactLog

    contacted_on = forms.DateField(label="联系日期", widget=forms.DateInput(attrs={"type": "date"}))
    channel = forms.ChoiceField(label="方式", choices=_ContactLog.Channel.choices)
    mindset = forms.ChoiceField(
        label="思想状况", choices=[("", "（不评估）"), *_ContactLog.Mindset.choices], required=False
    )
    note = forms.CharField(
        label="情况记录", widget=forms.Textarea(attrs={"rows": 3}), required=False, max_length=1000
    )

    def __init__(self, *args, assess_mindset: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        if not assess_mindset:  # host staff keep in touch; the mindset is for home staff
            del self.fields["mindset"]


def region_selects(
    form, *, province: str, city: str, district: str = "", keep=(), empty="（未填）"
) -> None:
    """Province → city → district as selects on `form` (fields destination_province,
    destination_city, destination_district, whichever it has): each lists the divisions
    under the one chosen above it, and static/js/regions.js reloads them when that changes
    (from the region API). A stored code (`keep`) missing from the list stays selectable, so
    that an old archive still saves; the server checks the codes and their hierarchy
    (members.archive_fields) whatever the browser sends."""
    from django.urls import reverse

    from .archive_fields import region_children, region_name

    url = reverse("api:region-list")
    levels = {
        "destination_province": ("", "province", province),
        "destination_city": (province, "city", city),
        "destination_district": (city or province, "district", district),
    }
    parents = {
        "destination_city": "destination_province",
        "destination_district": "destination_city",
    }
    for name, (parent, level, current) in levels.items():
        field = form.fields.get(name)
        if field is None:
            continue
        options = region_children(parent, level) if (parent or level == "province") else []
        if current and current in keep and current not in dict(options):
            options.append((current, region_name(current)))
        field.choices = [("", empty), *options]
        field.error_messages["invalid_choice"] = f"请从列表中选择{field.label}（须属于上一级）。"
        field.widget = forms.Select(choices=field.choices)
        field.widget.attrs.update({"data-region-level": level, "data-region-url": url})
        if name in parents:
            field.widget.attrs["data-region-parent"] = parents[name]
        if name == "destination_district":
            field.widget.attrs["data-region-fallback"] = "destination_province"


class RosterUploadForm(forms.Form):
    file = forms.FileField(
        label="花名册文件（Excel .xlsx 或 CSV）",
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.csv,text/csv"}),
    )


class ChangeRequestForm(forms.Form):
    """申请修改: current values pre-filled; only what differs becomes the request."""

    from . import choices as _choices

    name = forms.CharField(label="姓名", max_length=60, strip=False)
    phone = forms.CharField(
        label="手机号码", max_length=30, widget=forms.TextInput(attrs={"inputmode": "tel"})
    )
    ethnicity = forms.ChoiceField(label="民族", choices=_choices.ETHNICITY_CHOICES)
    education = forms.ChoiceField(
        label="学历", choices=[("", "（未填）"), *_choices.Education.choices], required=False
    )
    destination_province = forms.ChoiceField(label="流入省份", required=False)
    destination_city = forms.ChoiceField(label="流入城市", required=False)
    destination_district = forms.ChoiceField(label="流入区县", required=False)
    destination_address = forms.CharField(label="详细地址", max_length=200, required=False)
    occupation = forms.ChoiceField(
        label="职业", choices=[("", "（未填）"), *_choices.Occupation.choices], required=False
    )
    employer = forms.CharField(label="工作单位", max_length=100, required=False)
    monthly_income = forms.CharField(
        label="月收入（元）",
        max_length=12,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "numeric"}),
    )
    skills = forms.MultipleChoiceField(
        label="技能", required=False, widget=forms.CheckboxSelectMultiple
    )
    family_situation = forms.CharField(
        label="家中生产生活情况",
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    reason = forms.CharField(
        label="申请理由", max_length=500, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, member, only=None, **kwargs):
        from .models import Skill

        super().__init__(*args, **kwargs)
        if only is not None:  # one row of 我的档案: its fields and the reason
            for name in set(self.fields) - {*only, "reason"}:
                del self.fields[name]
        if "destination_province" in self.fields:
            self._destination_choices(member)
        if "skills" in self.fields:
            self.fields["skills"].choices = list(
                Skill.objects.order_by("category", "name").values_list("name", "name")
            )
        if not self.is_bound:
            for name in self.fields:
                if name == "skills":
                    self.initial[name] = list(member.skills.values_list("name", flat=True))
                elif name != "reason":
                    value = getattr(member, name, "")
                    self.initial[name] = "" if value is None else value
            district = member.destination_district
            if only is None and district not in dict(self.fields["destination_district"].choices):
                self.initial["destination_district"] = ""

    def _destination_choices(self, member) -> None:
        """Provinces; every city grouped by province; the chosen city's districts."""
        from .models import Region

        regions = list(
            Region.objects.filter(level__in=("province", "city")).values_list(
                "code", "name", "level", "parent_id"
            )
        )
        provinces = [(code, name) for code, name, level, _ in regions if level == "province"]
        province_names = dict(provinces)
        cities = {}
        for code, name, level, parent in regions:
            if level == "city":
                cities.setdefault(province_names.get(parent, ""), []).append((code, name))
        self.fields["destination_province"].choices = [("", "（未填）"), *provinces]
        self.fields["destination_city"].choices = [("", "（未填）"), *sorted(cities.items())]
        city = self.data.get("destination_city") if self.is_bound else member.destination_city
        district_choices = [("", "（未填）")]
        if city:
            district_choices += list(
                Region.objects.filter(parent_id=str(city)[:6]).values_list("code", "name")
            )
        self.fields["destination_district"].choices = district_choices
        self.fields["destination_district"].widget.attrs["data-region-parent"] = "destination_city"

    def changes(self) -> dict:
        data = self.cleaned_data
        return {name: data[name] for name in self.fields if name != "reason"}


class SecondFactorForm(forms.Form):
    otp = forms.CharField(
        label="动态验证码",
        max_length=10,
        help_text="打开手机上的身份验证器（如“腾讯身份验证器”“Google Authenticator”），输入显示的6位数字。",
        widget=forms.TextInput(
            attrs={"inputmode": "numeric", "autocomplete": "one-time-code", "pattern": "[0-9]*"}
        ),
    )


class PasswordChangeForm(forms.Form):
    current = forms.CharField(
        label="当前密码",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    password = forms.CharField(
        label="新密码",
        strip=False,
        widget=new_password_input(),
        help_text="至少8位，不要用生日、身份证号码或简单数字。",
    )
    password2 = forms.CharField(
        label="再次输入新密码",
        strip=False,
        widget=new_password_input(),
    )

    def clean(self):
        data = super().clean()
        if data.get("password") and data.get("password2") and data["password"] != data["password2"]:
            self.add_error("password2", "两次输入的新密码不一致。")
        return data


# 我的档案 rows a member taps to change one thing (issue 20 item 7): row → form fields. The
# destination is one row with three cascading selects; every other requestable field is a
# row of its own.
DESTINATION_ROW = "destination"


def change_row_fields(row: str) -> tuple[str, ...] | None:
    """The fields of the 我的档案 row `row`, or None when a member may not ask to change it."""
    from .archive_fields import DESTINATION_FIELDS, SELF, requestable_fields

    fields = DESTINATION_FIELDS if row == DESTINATION_ROW else (row,)
    if row in DESTINATION_FIELDS or not set(fields) <= requestable_fields(SELF):
        return None
    return fields


def change_row_label(row: str) -> str:
    from .archive_fields import field_label

    return "流入地" if row == DESTINATION_ROW else field_label(row)


class OneFieldChangeForm(ChangeRequestForm):
    """申请修改 one row of 我的档案: that row's fields, the reason (and evidence, sent beside).
    `chosen` (the two-step submit without JavaScript) pre-selects the regions picked so far,
    so that the city list shows the chosen province's cities and the district list the chosen
    city's districts."""

    def __init__(self, *args, member, row, chosen=None, **kwargs):
        keep = {*change_row_fields(row), "reason"}
        super().__init__(*args, member=member, only=keep, **kwargs)
        if chosen is not None:
            for name in keep - {"reason"}:
                self.initial[name] = str(chosen.get(name, ""))[:6]
            self.initial["reason"] = str(chosen.get("reason", ""))[:500]
        if row == DESTINATION_ROW:
            self._cascade()

    def _destination_choices(self, member) -> None:
        """Set by _cascade once the chosen values are known (from the cached region tree)."""

    def _cascade(self) -> None:
        from .archive_fields import region_children

        values = self.data if self.is_bound else self.initial
        province = str(values.get("destination_province") or "")[:6]
        city = str(values.get("destination_city") or "")[:6]
        cities = region_children(province, "city") if province else []
        if city not in dict(cities):
            city = ""
            if not self.is_bound:
                self.initial["destination_city"] = ""
        districts = region_children(city or province, "district") if province else []
        self.fields["destination_province"].choices = [
            ("", "（未填）"),
            *region_children("", "province"),
        ]
        self.fields["destination_city"].choices = [("", "（未填）"), *cities]
        self.fields["destination_district"].choices = [("", "（未填）"), *districts]
        if not self.is_bound and self.initial.get("destination_district") not in dict(districts):
            self.initial["destination_district"] = ""
        for name, parent, level in (
            ("destination_city", "destination_province", "city"),
            ("destination_district", "destination_city", "district"),
        ):
            attrs = self.fields[name].widget.attrs
            attrs.update({"data-region-parent": parent, "data-region-level": level})
        self.fields["destination_district"].widget.attrs["data-region-fallback"] = (
            "destination_province"
        )
