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


class StaffLoginForm(forms.Form):
    username = forms.CharField(label="用户名", max_length=150)
    password = forms.CharField(
        label="密码",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )


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
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    password2 = forms.CharField(
        label="再次输入密码",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
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
