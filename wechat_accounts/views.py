"""Pages: the official account's web sign-in (网页授权: snsapi_base, or snsapi_userinfo when
the menu link asks), the member's bindings
(我的 → 微信绑定) and the MP_verify file WeChat fetches to check the domain."""

import logging
import secrets
import string
import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views import View

from members.views.access import MemberPageMixin
from sanyuan import wechat
from sanyuan.errors import ServiceError
from sanyuan.wechat.errors import WechatCodeError, WechatError, WechatSnapshotUserError

from . import services
from .models import WechatBinding

logger = logging.getLogger(__name__)

MEMBER_BACKEND = "members.backends.MemberBackend"
SESSION_STATE = "wechat_oauth_state"
# An openid WeChat vouched for, waiting for the member to sign in and bind it.
SESSION_PENDING = "wechat_pending_identity"
STATE_ALPHABET = string.ascii_letters + string.digits
# The menu link may ask for snsapi_userinfo (`?scope=userinfo`): the only scope whose code
# exchange carries the unionid (a binding then also signs in through the mini-program), and
# silent for followers who come from the account's menu. Anything else: snsapi_base.
SCOPES = {"userinfo": "snsapi_userinfo"}


def pending_identity(request) -> dict | None:
    pending = request.session.get(SESSION_PENDING)
    if not pending or time.time() - pending.get("at", 0) > settings.WECHAT_BIND_PENDING_SECONDS:
        return None
    return pending


def _safe_next(request, target: str | None) -> str:
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return reverse("learning:home")


class SignInView(View):
    """The official account's menu links here: inside WeChat's browser the member goes
    through WeChat's authorisation (silent from the menu) and comes back to `CallbackView`."""

    def get(self, request):
        target = _safe_next(request, request.GET.get("next"))
        if request.user.is_authenticated:
            return redirect(target)
        if not wechat.mp_configured():
            messages.info(request, "本站尚未开通微信登录，请用姓名和身份证号码登录。")
            return redirect(reverse("members:login") + f"?next={target}")
        state = "".join(secrets.choice(STATE_ALPHABET) for _ in range(32))
        request.session[SESSION_STATE] = {"state": state, "next": target, "at": int(time.time())}
        callback = request.build_absolute_uri(reverse("wechat_accounts:callback"))
        scope = SCOPES.get(request.GET.get("scope", ""), "snsapi_base")
        return redirect(wechat.oauth_authorize_url(redirect_uri=callback, state=state, scope=scope))


class CallbackView(View):
    template_name = "wechat_accounts/problem.html"

    def problem(self, request, text: str, status: int = 400):
        return render(request, self.template_name, {"problem": text}, status=status)

    def get(self, request):
        started = request.session.pop(SESSION_STATE, None)
        state = request.GET.get("state", "")
        if (
            not started
            or not secrets.compare_digest(str(started.get("state", "")), state)
            or time.time() - started.get("at", 0) > settings.WECHAT_BIND_PENDING_SECONDS
        ):
            return self.problem(request, "登录链接已失效，请从公众号菜单重新进入。")
        code = request.GET.get("code", "")
        if not code:  # the person declined (snsapi_userinfo) or WeChat sent nothing
            return self.problem(request, "未获得微信授权，请用姓名和身份证号码登录。")
        try:
            identity = wechat.oauth_exchange_code(code)
        except WechatSnapshotUserError:
            return self.problem(
                request, "当前是朋友圈快照页，请点击页面下方“使用完整服务”后再登录。"
            )
        except WechatCodeError:
            return self.problem(request, "微信授权已过期，请从公众号菜单重新进入。")
        except WechatError as exc:
            logger.warning("wechat oauth exchange failed: %s", exc)
            return self.problem(
                request, "微信暂时无法响应，请稍后再试，或用姓名和身份证号码登录。", status=503
            )
        app_id = wechat.mp_app().app_id
        member = services.member_for_identity(
            app_kind=WechatBinding.AppKind.OFFICIAL_ACCOUNT,
            app_id=app_id,
            openid=identity.openid,
            unionid=identity.unionid,
        )
        target = started.get("next") or reverse("learning:home")
        if member is not None:
            login(request, member.user, backend=MEMBER_BACKEND)
            return redirect(target)
        request.session[SESSION_PENDING] = {
            "app_kind": WechatBinding.AppKind.OFFICIAL_ACCOUNT,
            "app_id": app_id,
            "openid": identity.openid,
            "unionid": identity.unionid,
            "at": int(time.time()),
        }
        messages.info(
            request,
            "这个微信还没有绑定档案，请先登录。",
        )
        return redirect(reverse("members:login") + "?next=" + reverse("wechat_accounts:mine"))


class MyBindingsView(MemberPageMixin, View):
    template_name = "wechat_accounts/my_bindings.html"

    def get(self, request):
        bindings = list(services.binding_list(actor=request.user).order_by("id"))
        pending = pending_identity(request)
        if pending and any(
            b.app_id == pending["app_id"] and b.openid == pending["openid"] for b in bindings
        ):
            request.session.pop(SESSION_PENDING, None)
            pending = None
        return render(request, self.template_name, {"bindings": bindings, "pending": pending})


class BindView(MemberPageMixin, View):
    def post(self, request):
        pending = pending_identity(request)
        if pending is None:
            messages.error(request, "请从公众号菜单进入本站后再绑定微信。")
            return redirect("wechat_accounts:mine")
        try:
            services.binding_create(
                actor=request.user,
                app_kind=pending["app_kind"],
                app_id=pending["app_id"],
                openid=pending["openid"],
                unionid=pending.get("unionid"),
            )
        except ServiceError as exc:
            messages.error(request, exc.message)
            return redirect("wechat_accounts:mine")
        request.session.pop(SESSION_PENDING, None)
        messages.success(request, "已绑定微信，以后从公众号菜单进入将自动登录。")
        return redirect("wechat_accounts:mine")


class DismissView(MemberPageMixin, View):
    def post(self, request):
        request.session.pop(SESSION_PENDING, None)
        return redirect("wechat_accounts:mine")


class UnbindView(MemberPageMixin, View):
    def post(self, request, pk):
        binding = services.binding_get(actor=request.user, pk=pk)
        services.binding_remove(actor=request.user, binding=binding)
        messages.success(request, "已解除绑定。")
        return redirect("wechat_accounts:mine")


def mp_verify_file(request, name):
    """WeChat fetches https://<domain>/MP_verify_<code>.txt when the county saves the
    网页授权域名; the file's name and content come from settings (README)."""
    configured = wechat.mp_verify_file()
    if configured is None or configured[0] != name:
        raise Http404
    return HttpResponse(configured[1], content_type="text/plain; charset=utf-8")
