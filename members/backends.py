"""Authentication backends and the django-axes hooks that key lockout on account + address."""

from django.contrib.auth.backends import ModelBackend
from django.http import JsonResponse
from django.shortcuts import render

from sanyuan.crypto import keyed_hash
from sanyuan.errors import ServiceError

from .identity import normalize_id_number, normalize_name
from .models import Member, User


class MemberBackend(ModelBackend):
    """Members log in with name + resident ID number + password."""

    def authenticate(self, request, name=None, id_number=None, password=None, **kwargs):
        if name is None or id_number is None or password is None:
            return None
        try:
            name = normalize_name(name)
            id_number = normalize_id_number(id_number)
        except ServiceError:
            return None
        member = (
            Member.objects.select_related("user")
            .filter(id_number_hash=keyed_hash(id_number, purpose="id_number"))
            .first()
        )
        if member is None or member.user is None or member.name != name:
            # Spend the time a real check would, so that timing does not tell.
            User().set_password(password)
            return None
        user = member.user
        if user.check_password(password) and self.user_can_authenticate(user):
            return user
        return None


class StaffBackend(ModelBackend):
    """Staff log in with username + password; member accounts cannot log in this way."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if username is None or str(username).startswith(User.MEMBER_USERNAME_PREFIX):
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)


def axes_username(request, credentials) -> str:
    """The key axes counts failures under. Never an ID number in clear: its keyed hash."""
    credentials = credentials or {}
    if credentials.get("phone"):  # phone + code login (members.services.phone_login)
        return "phone:" + keyed_hash(str(credentials["phone"]), purpose="phone")[:32]
    raw_id = credentials.get("id_number")
    if raw_id:
        try:
            value = normalize_id_number(raw_id)
        except ServiceError:
            value = str(raw_id)
        return "member:" + keyed_hash(value, purpose="id_number")[:32]
    username = credentials.get("username")
    if username is None and request is not None:
        username = request.POST.get("username", "")
    return f"staff:{username or ''}"[:150]


LOCKED_OUT_MESSAGE = "登录失败次数过多，已暂时锁定。请30分钟后再试，或通过“找回密码”重设密码。"


def axes_lockout_response(request, original_response=None, credentials=None):
    """Our views already answer a locked-out login with 429; anything else gets one here."""
    if original_response is not None and original_response.status_code == 429:
        return original_response
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": LOCKED_OUT_MESSAGE, "code": "locked_out"}, status=429)
    return render(request, "members/locked_out.html", {"message": LOCKED_OUT_MESSAGE}, status=429)
