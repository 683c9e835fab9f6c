"""短信验证码登录: the web form over members.services.phone_login (the API's twin)."""

from django.conf import settings
from django.shortcuts import render
from django.views import View

from sanyuan.errors import RateLimited, ServiceError
from sanyuan.forms import add_service_error
from sanyuan.net import client_ip

from .. import forms
from ..services import phone_login
from .accounts import MEMBER_BACKEND, LoginView

CODE_SENT = "如果该手机号码已登记并开通短信登录，验证码已发送，{minutes}分钟内有效。"


class PhoneLoginView(View):
    """One form: 获取验证码 sends a code to the number; 登录 signs in with it. The name field
    shows once the number turns out to serve several archives (after a right code only)."""

    idempotency_exempt = True  # one-time codes and logins: answers are secrets
    template_name = "members/login_phone.html"

    def render(self, request, form, *, sent=False, ask_name=False, status=200):
        minutes = int(settings.LOGIN_CODE_TTL.total_seconds() // 60)
        context = {
            "form": form,
            "sent": CODE_SENT.format(minutes=minutes) if sent else "",
            "ask_name": ask_name or bool(form.data.get("name")),
        }
        return render(request, self.template_name, context, status=status)

    def get(self, request):
        return self.render(request, forms.PhoneLoginForm())

    def post(self, request):
        form = forms.PhoneLoginForm(request.POST)
        if not form.is_valid():
            return self.render(request, form, status=400)
        data = form.cleaned_data
        try:
            if "send" in request.POST:
                phone_login.login_code_request(phone=data["phone"], ip=client_ip(request))
                return self.render(request, form, sent=True)
            user = phone_login.phone_login_verify(
                request=request, phone=data["phone"], code=data["code"], name=data["name"] or None
            )
        except RateLimited as exc:
            form.add_error(None, exc.message)
            return self.render(request, form, status=429)
        except ServiceError as exc:
            ask_name = exc.code == "name_required"
            status = add_service_error(form, exc)
            return self.render(request, form, ask_name=ask_name, status=status)
        user.backend = MEMBER_BACKEND
        return LoginView().signed_in(request, user, staff=False, device=None, remember=False)
