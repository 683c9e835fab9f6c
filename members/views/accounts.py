"""Sign-in pages: activation, login (with the staff second factor), password reset, logout,
the privacy notice and the display preference (大字模式)."""

import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, logout
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views import View
from django.views.generic import TemplateView

from sanyuan.crypto import DecryptionError, decrypt, encrypt
from sanyuan.errors import RateLimited, ServiceError
from sanyuan.forms import add_service_error
from sanyuan.net import client_ip

from .. import forms
from ..identity import mask_id_number, normalize_id_number, normalize_name
from ..middleware import REMEMBERED_SESSION
from ..services import (
    accounts,
    devices,
    second_factor,
)
from ..services.audit import audit_record
from .access import SignedInPageMixin

MEMBER_BACKEND = "members.backends.MemberBackend"


STAFF_BACKEND = "members.backends.StaffBackend"


SESSION_IDENTITY = "pending_identity"


SESSION_SECOND_FACTOR = "pending_second_factor"


SESSION_ENROLMENT = "pending_enrolment_device"


def _safe_next(request, default: str) -> str:
    target = request.POST.get("next") or request.GET.get("next")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return default


class LoginView(View):
    """党员登录 (name, ID number, password; 记住我), 工作人员 (username, password), and on a
    remembered phone only the password (members.services.devices)."""

    idempotency_exempt = True  # logins and one-time codes: answers are secrets
    template_name = "members/login.html"

    def remembered(self, request):
        if request.GET.get("as") == "staff" or request.POST.get("as") == "staff":
            return None
        if request.GET.get("forget") == "1":
            return None
        return devices.device_from_token(request.COOKIES.get(settings.MEMBER_REMEMBER_COOKIE))

    def render(self, request, form, *, staff=False, device=None, status=200):
        context = {"form": form, "staff": staff, "device": device}
        if device is not None:
            member = device.user.member
            context["remembered"] = {"name": member.name, "masked": member.id_number_masked}
        response = render(request, self.template_name, context, status=status)
        if request.GET.get("forget") == "1":
            response.delete_cookie(settings.MEMBER_REMEMBER_COOKIE, path="/")
        return response

    def get(self, request):
        staff = request.GET.get("as") == "staff"
        device = self.remembered(request)
        if device is not None:
            return self.render(request, forms.RememberedLoginForm(), device=device)
        form = forms.StaffLoginForm() if staff else forms.MemberLoginForm()
        return self.render(request, form, staff=staff)

    def post(self, request):
        staff = request.POST.get("as") == "staff"
        device = self.remembered(request) if request.POST.get("remembered") == "1" else None
        if device is not None:
            form = forms.RememberedLoginForm(request.POST)
            member = device.user.member
            credentials = {"name": member.name, "id_number": member.id_number}
        else:
            form = (
                forms.StaffLoginForm(request.POST) if staff else forms.MemberLoginForm(request.POST)
            )
            credentials = {}
        status = 200
        if form.is_valid():
            data = dict(form.cleaned_data)
            remember = data.pop("remember", False)
            try:
                user = accounts.account_authenticate(request=request, **credentials, **data)
            except accounts.SecondFactorNeeded as exc:
                # Password right; the authenticator's code (or its enrolment) comes next.
                request.session[SESSION_SECOND_FACTOR] = {
                    "user": exc.user.pk,
                    "at": int(time.time()),
                    "next": _safe_next(request, reverse("members:staff-home")),
                }
                return redirect("members:login-verify")
            except RateLimited as exc:
                form.add_error(None, exc.message)
                status = 429
            except ServiceError as exc:
                form.add_error(None, exc.message)
                status = 400
            else:
                return self.signed_in(request, user, staff=staff, device=device, remember=remember)
        return self.render(request, form, staff=staff, device=device, status=status)

    def signed_in(self, request, user, *, staff, device, remember):
        login(request, user)
        default = reverse("members:staff-home") if staff else reverse("learning:home")
        response = redirect(_safe_next(request, default))
        token = None
        if device is not None:
            devices.device_touch(device)
            devices.device_signed_in(device, request.session.session_key)
            token = request.COOKIES.get(settings.MEMBER_REMEMBER_COOKIE)
        elif remember and not user.is_staff:
            token = devices.device_remember(
                user=user,
                user_agent=request.headers.get("User-Agent", ""),
                ip=client_ip(request),
                session_key=request.session.session_key,
            )
        if token:
            # The session of a remembered phone idles out with the device, not sooner.
            request.session[REMEMBERED_SESSION] = True
            request.session.set_expiry(settings.MEMBER_REMEMBER_IDLE_SECONDS)
            response.set_cookie(
                settings.MEMBER_REMEMBER_COOKIE,
                token,
                max_age=settings.MEMBER_REMEMBER_IDLE_SECONDS,
                path="/",
                secure=settings.SESSION_COOKIE_SECURE,
                httponly=True,
                samesite="Lax",
            )
        return response


class LoginVerifyView(View):
    """Second step of a staff login that needs a second factor: the authenticator's code, or,
    for an account without one yet, its enrolment (QR code shown once, confirmed by a code)."""

    idempotency_exempt = True  # logins and one-time codes: answers are secrets

    template_name = "members/login_verify.html"

    def pending_user(self, request):
        pending = request.session.get(SESSION_SECOND_FACTOR)
        if not pending or time.time() - pending.get("at", 0) > settings.OTP_LOGIN_PENDING_SECONDS:
            return None, None
        from ..models import User

        user = User.objects.filter(pk=pending["user"], is_active=True, is_staff=True).first()
        return user, pending

    def render_step(self, request, user, form, *, enrolment=None, status=200):
        device = second_factor.second_factor_device(user)
        return render(
            request,
            self.template_name,
            {"form": form, "enrolled": device is not None, "enrolment": enrolment},
            status=status,
        )

    def get(self, request):
        user, _ = self.pending_user(request)
        if user is None:
            return redirect(reverse("members:login") + "?as=staff")
        enrolment = None
        if second_factor.second_factor_device(user) is None:
            enrolment = second_factor.second_factor_enrol_start(user=user)
            request.session[SESSION_ENROLMENT] = enrolment.device_id
        response = self.render_step(request, user, forms.SecondFactorForm(), enrolment=enrolment)
        response["Cache-Control"] = "no-store"
        return response

    def post(self, request):
        user, pending = self.pending_user(request)
        if user is None:
            messages.error(request, "登录已超时，请重新输入用户名和密码。")
            return redirect(reverse("members:login") + "?as=staff")
        form = forms.SecondFactorForm(request.POST)
        if not form.is_valid():
            return self.render_step(request, user, form, status=400)
        otp = form.cleaned_data["otp"]
        try:
            if second_factor.second_factor_device(user) is None:
                user.otp_device = second_factor.second_factor_enrol_confirm(
                    user=user,
                    device_id=request.session.get(SESSION_ENROLMENT),
                    token=otp,
                    ip=client_ip(request),
                )
                accounts.login_audit(request=request, user=user, success=True)
            else:
                accounts.account_second_factor_check(request=request, user=user, otp=otp)
                accounts.login_audit(request=request, user=user, success=True)
        except RateLimited as exc:
            form.add_error(None, exc.message)
            return self.render_step(request, user, form, status=429)
        except ServiceError as exc:
            form.add_error("otp", exc.message)
            return self.render_step(request, user, form, status=400)
        request.session.pop(SESSION_SECOND_FACTOR, None)
        request.session.pop(SESSION_ENROLMENT, None)
        login(request, user, backend=STAFF_BACKEND)
        return redirect(pending["next"])


class LogoutView(View):
    """GET: 确定退出吗 (a member's 退出登录 asks first); POST: signs out. A remembered phone
    stays remembered (登录设备 removes it)."""

    def get(self, request):
        if not request.user.is_authenticated:
            return redirect("members:login")
        remembered = devices.device_from_token(request.COOKIES.get(settings.MEMBER_REMEMBER_COOKIE))
        return render(
            request,
            "members/logout_confirm.html",
            {"remembered": remembered is not None and remembered.user_id == request.user.pk},
        )

    def post(self, request):
        if request.user.is_authenticated:
            audit_record(
                actor=request.user, action="logout", target=request.user, ip=client_ip(request)
            )
        logout(request)
        messages.info(request, "您已安全退出。")
        return redirect("members:login")


class IdentityStepView(View):
    """Step 1 of activation or password reset: who are you; then a code by SMS or from staff."""

    idempotency_exempt = True  # logins and one-time codes: answers are secrets

    mode = "activate"  # or "reset"
    template_name = "members/identity_step.html"

    def context(self, form):
        return {"form": form, "mode": self.mode}

    def get(self, request):
        return render(request, self.template_name, self.context(forms.IdentityForm()))

    def post(self, request):
        form = forms.IdentityForm(request.POST)
        if not form.is_valid():
            return render(request, self.template_name, self.context(form), status=400)
        try:
            name = normalize_name(form.cleaned_data["name"])
            id_number = normalize_id_number(form.cleaned_data["id_number"])
            if request.POST.get("source") != "staff":
                accounts.one_time_code_request(
                    name=name, id_number=id_number, ip=client_ip(request)
                )
                messages.info(
                    request,
                    "如果姓名和身份证号码与档案一致，验证码已发送到档案登记的手机，10分钟内有效。",
                )
        except RateLimited as exc:
            form.add_error(None, exc.message)
            return render(request, self.template_name, self.context(form), status=429)
        except ServiceError as exc:
            add_service_error(form, exc)
            return render(request, self.template_name, self.context(form), status=400)
        # Kept encrypted in the session until the second step, never echoed back in clear.
        request.session[SESSION_IDENTITY] = {"name": name, "id_number": encrypt(id_number)}
        return redirect(f"members:{self.mode}-confirm")


class ConfirmStepView(View):
    """Step 2: the code and a new password (and, on activation, the privacy notice)."""

    idempotency_exempt = True  # logins and one-time codes: answers are secrets

    mode = "activate"
    template_name = "members/confirm_step.html"

    def identity(self, request):
        pending = request.session.get(SESSION_IDENTITY)
        if not pending:
            return None
        try:
            id_number = decrypt(pending["id_number"])
        except DecryptionError:  # sealed under a key rotated out since: start again
            return None
        return {"name": pending["name"], "id_number": id_number}

    def form_class(self):
        return forms.ActivateForm if self.mode == "activate" else forms.SetPasswordForm

    def render_form(self, request, form, identity, status=200):
        return render(
            request,
            self.template_name,
            {
                "form": form,
                "mode": self.mode,
                "name": identity["name"],
                "id_number_masked": mask_id_number(identity["id_number"]),
                "privacy_version": settings.PRIVACY_NOTICE_VERSION,
            },
            status=status,
        )

    def get(self, request):
        identity = self.identity(request)
        if identity is None:
            return redirect(f"members:{self.mode}")
        return self.render_form(request, self.form_class()(), identity)

    def post(self, request):
        identity = self.identity(request)
        if identity is None:
            return redirect(f"members:{self.mode}")
        form = self.form_class()(request.POST)
        if not form.is_valid():
            return self.render_form(request, form, identity, status=400)
        values = {
            **identity,
            "code": form.cleaned_data["code"],
            "password": form.cleaned_data["password"],
        }
        try:
            if self.mode == "activate":
                user = accounts.member_activate(**values, accept_privacy_notice=True)
            else:
                user = accounts.member_password_reset(**values)
        except ServiceError as exc:
            add_service_error(form, exc)
            return self.render_form(request, form, identity, status=400)
        request.session.pop(SESSION_IDENTITY, None)
        login(request, user, backend=MEMBER_BACKEND)
        messages.success(
            request, "档案激活成功，欢迎回家！" if self.mode == "activate" else "密码已重设。"
        )
        return redirect("learning:home")


class PrivacyNoticeView(TemplateView):
    template_name = "members/privacy_notice.html"
    extra_context = {"privacy_version": settings.PRIVACY_NOTICE_VERSION}


class DisplayPreferenceView(SignedInPageMixin, View):
    """POST large_text=1|0: switch 大字模式 on or off and go back where the person was."""

    def post(self, request):
        accounts.display_preferences_set(
            user=request.user, large_text=request.POST.get("large_text") == "1"
        )
        messages.success(
            request, "已开启大字模式。" if request.user.large_text else "已关闭大字模式。"
        )
        return redirect(_safe_next(request, reverse("members:me")))
