"""Activation, password reset, login and staff accounts (DESIGN.md, the API table).

Rules that protect members: responses never reveal whether an archive exists; one-time codes
are 6 digits, stored only as a keyed hash, single-use, voided by a newer code and killed by
five wrong tries; sending is throttled per archive, phone and client address.
"""

import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.contrib.auth import authenticate, password_validation
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from guardian.shortcuts import assign_perm, remove_perm
from knox.models import AuthToken

from members import permissions
from members.identity import mask_id_number, normalize_id_number, normalize_name
from members.models import Member, OneTimeCode, Organization, User
from members.services import login_throttle, second_factor
from members.services.audit import audit_record
from sanyuan import ratelimit
from sanyuan.crypto import encrypt, keyed_hash
from sanyuan.errors import RateLimited, ServiceError
from sanyuan.queue import enqueue_on_commit

BAD_IDENTITY_OR_CODE = "姓名、身份证号码或验证码不正确，或验证码已失效。"
BAD_MEMBER_LOGIN = "姓名、身份证号码或密码不正确。"
BAD_STAFF_LOGIN = "用户名或密码不正确。"
LOCKED_OUT = "登录失败次数过多，已暂时锁定。请30分钟后再试，或通过“找回密码”重设密码。"


def _code_hash(member_id: int, code: str) -> str:
    return keyed_hash(f"{member_id}:{code}", purpose="one_time_code")


def member_by_identity(name: str, id_number: str) -> Member | None:
    """The member with this (normalised) name and ID number, or None."""
    member = (
        Member.objects.select_related("user")
        .filter(id_number_hash=keyed_hash(id_number, purpose="id_number"))
        .first()
    )
    if member is None or member.name != name:
        return None
    return member


# Codes that activate or reset a password; login codes (phone + code login) are apart: one
# kind never voids or stands in for the other.
ACCOUNT_CODE_CHANNELS = (OneTimeCode.Channel.SMS, OneTimeCode.Channel.STAFF)
LOGIN_CODE_CHANNELS = (OneTimeCode.Channel.LOGIN,)
CODE_TTLS = {
    OneTimeCode.Channel.SMS: lambda: settings.ONE_TIME_CODE_TTL,
    OneTimeCode.Channel.STAFF: lambda: settings.ONE_TIME_CODE_STAFF_TTL,
    OneTimeCode.Channel.LOGIN: lambda: settings.LOGIN_CODE_TTL,
}


def _code_channels(channel: str) -> tuple:
    return LOGIN_CODE_CHANNELS if channel in LOGIN_CODE_CHANNELS else ACCOUNT_CODE_CHANNELS


def new_code() -> str:
    return f"{secrets.randbelow(10**6):06d}"


def _code_create(
    *, member: Member, channel: str, issued_by=None, reason="", code: str | None = None
) -> tuple:
    """Void every live code of the member of the same kind and create a new one (`code`, or a
    new random one). Caller holds a transaction."""
    now = timezone.now()
    OneTimeCode.objects.filter(
        member=member,
        channel__in=_code_channels(channel),
        used_at__isnull=True,
        voided_at__isnull=True,
    ).update(voided_at=now)
    code = code or new_code()
    ttl = CODE_TTLS[channel]()
    otc = OneTimeCode.objects.create(
        member=member,
        code_hash=_code_hash(member.pk, code),
        channel=channel,
        issued_by=issued_by,
        reason=reason,
        expires_at=now + ttl,
    )
    return otc, code


def one_time_code_request(*, name: str, id_number: str, ip: str) -> None:
    """Send a code by SMS to the phone on the archive, if the archive exists and the name
    matches. Returns the same way either way; raises RateLimited when throttled."""
    name = normalize_name(name)
    id_number = normalize_id_number(id_number)
    rates = settings.ONE_TIME_CODE_RATES
    ratelimit.enforce(f"otc:ip:{ip}", rates["ip"])
    ratelimit.enforce(f"otc:archive:{keyed_hash(id_number, purpose='id_number')}", rates["archive"])
    member = member_by_identity(name, id_number)
    if member is None or not member.phone:
        return
    ratelimit.enforce(f"otc:phone:{keyed_hash(member.phone, purpose='phone')}", rates["phone"])

    with transaction.atomic():
        otc, code = _code_create(member=member, channel=OneTimeCode.Channel.SMS)
        # The code travels through the broker encrypted, never in clear. With the broker
        # down the request still answers (logged; the member asks again), as everywhere.
        enqueue_on_commit("members.send-one-time-code-sms", otc.pk, encrypt(code))


@dataclass(frozen=True)
class IssuedCode:
    code: str
    expires_at: datetime


def one_time_code_issue(*, staff, member: Member, reason: str, ip: str | None) -> IssuedCode:
    """Staff issue a code for a member whose phone is stale (72 hours valid). Audited; the
    member is told by SMS that a code was issued (without the code)."""
    permissions.check_manage_member_permission(staff, member)
    reason = (reason or "").strip()
    if len(reason) < 2:
        raise ServiceError("请填写签发原因。", field="reason")
    if len(reason) > 200:
        raise ServiceError("签发原因不能超过200字。", field="reason")

    with transaction.atomic():
        otc, code = _code_create(
            member=member, channel=OneTimeCode.Channel.STAFF, issued_by=staff, reason=reason
        )
        audit_record(
            actor=staff,
            action="one_time_code.issue",
            target=member,
            ip=ip,
            detail={"reason": reason, "code_id": otc.pk},
        )
        enqueue_on_commit("members.send-staff-code-notice-sms", otc.pk)
    return IssuedCode(code=code, expires_at=otc.expires_at)


def _code_consume(
    member: Member | None, code: str, *, channels: tuple = ACCOUNT_CODE_CHANNELS
) -> OneTimeCode | None:
    """Check `code` against the member's live code of `channels`; mark it used and return it
    when right, count a wrong try when not (five kill it). Caller holds a transaction that
    commits either way."""
    if member is None:
        return None
    otc = (
        OneTimeCode.objects.select_for_update()
        .filter(member=member, channel__in=channels, used_at__isnull=True, voided_at__isnull=True)
        .order_by("-created_at")
        .first()
    )
    now = timezone.now()
    if otc is None or otc.expires_at <= now:
        return None
    if hmac.compare_digest(otc.code_hash, _code_hash(member.pk, code)):
        otc.used_at = now
        otc.save(update_fields=["used_at"])
        return otc
    otc.failed_attempts += 1
    fields = ["failed_attempts"]
    if otc.failed_attempts >= settings.ONE_TIME_CODE_MAX_ATTEMPTS:
        otc.voided_at = now
        fields.append("voided_at")
    otc.save(update_fields=fields)
    return None


def _phone_confirmed(member: Member, otc: OneTimeCode) -> list[str]:
    """A code sent by SMS to the archive's phone and typed back confirms that phone (a code
    staff handed over does not). Returns the fields to save."""
    if otc.channel == OneTimeCode.Channel.STAFF:
        return []
    member.phone_confirmed_at = otc.used_at
    return ["phone_confirmed_at"]


def _clean_code(code) -> str:
    code = str(code or "").strip()
    if not (len(code) == 6 and code.isascii() and code.isdigit()):
        raise ServiceError("验证码应为6位数字。", field="code")
    return code


def _validate_new_password(password: str, user: User | None = None) -> None:
    if not password:
        raise ServiceError("请设置密码。", field="password")
    try:
        password_validation.validate_password(password, user)
    except ValidationError as exc:
        raise ServiceError("".join(exc.messages), field="password") from exc


def member_activate(
    *, name: str, id_number: str, code: str, password: str, accept_privacy_notice: bool
) -> User:
    """Activate an archive: name + ID number + one-time code + new password."""
    name = normalize_name(name)
    id_number = normalize_id_number(id_number)
    code = _clean_code(code)
    if accept_privacy_notice is not True:
        raise ServiceError("请阅读并同意个人信息保护告知。", field="accept_privacy_notice")
    _validate_new_password(password)

    member = member_by_identity(name, id_number)
    with transaction.atomic():
        if otc := _code_consume(member, code):
            if member.user_id is not None:
                # Raising rolls the consumption back: the code stays good for a reset.
                raise ServiceError("该档案已激活，请直接登录；忘记密码请使用“找回密码”。")
            now = timezone.now()
            user = User.objects.create_user(
                username=f"{User.MEMBER_USERNAME_PREFIX}{member.pk}", password=password
            )
            member.user = user
            member.activated_at = now
            member.privacy_notice_version = settings.PRIVACY_NOTICE_VERSION
            member.privacy_accepted_at = now
            member.save(
                update_fields=[
                    "user",
                    "activated_at",
                    "privacy_notice_version",
                    "privacy_accepted_at",
                    "updated_at",
                    *_phone_confirmed(member, otc),
                ]
            )
            return user
    raise ServiceError(BAD_IDENTITY_OR_CODE, field="code")


def member_password_reset(*, name: str, id_number: str, code: str, password: str) -> User:
    """A new password for an active archive; every existing token of the member ends."""
    name = normalize_name(name)
    id_number = normalize_id_number(id_number)
    code = _clean_code(code)
    member = member_by_identity(name, id_number)
    _validate_new_password(password, member.user if member and member.user_id else None)
    with transaction.atomic():
        if otc := _code_consume(member, code):
            if member.user_id is None or not member.user.is_active:
                raise ServiceError("该档案尚未激活，请先激活。")
            if confirmed := _phone_confirmed(member, otc):
                member.save(update_fields=confirmed)
            user = member.user
            user.set_password(password)
            user.save(update_fields=["password"])
            AuthToken.objects.filter(user=user).delete()
            return user
    raise ServiceError(BAD_IDENTITY_OR_CODE, field="code")


class SecondFactorNeeded(ServiceError):
    """The password was right, but the account must also give its authenticator's code.
    The API answers 400 `{"detail", "code": "otp_required"}`; the login page asks for it."""

    def __init__(self, message: str, *, user: User, enrolled: bool):
        super().__init__(message, code="otp_required")
        self.user = user
        self.enrolled = enrolled


def login_audit(*, request, user: User | None, success: bool, reason: str = "", **detail) -> None:
    """One audit event per login attempt, with the client address; never an ID number in
    clear (only its masked form, or nothing when it is malformed)."""
    from sanyuan.net import client_ip

    kind = "member" if user is not None and hasattr(user, "member") else detail.pop("kind", "staff")
    info = {"kind": kind, **detail}
    if reason:
        info["reason"] = reason
    target = None
    if user is not None:
        member = permissions.member_of(user) if kind == "member" else None
        target = member or user
        if member is not None:
            info["id_number"] = member.id_number_masked
        else:
            info["username"] = user.username
    audit_record(
        actor=user if success else None,
        action="login.success" if success else "login.failure",
        target=target,
        ip=client_ip(request) if request is not None else None,
        detail=info,
    )


def _failure_detail(credentials: dict) -> dict:
    if "id_number" in credentials:
        try:
            masked = mask_id_number(normalize_id_number(credentials["id_number"]))
        except ServiceError:
            masked = "（格式无效）"
        return {"kind": "member", "id_number": masked}
    return {"kind": "staff", "username": str(credentials.get("username", ""))[:150]}


def account_authenticate(
    *,
    request,
    password: str,
    name: str | None = None,
    id_number: str | None = None,
    username: str | None = None,
    otp: str | None = None,
) -> User:
    """Members: name + ID number + password; staff: username + password, and the
    authenticator's code where the account needs a second factor (SecondFactorNeeded until
    it is given). One message for every cause of failure; RateLimited once django-axes locks
    the account on this address. Every attempt is audited.

    `request` is the Django HttpRequest (axes marks it when it locks out)."""
    if id_number is not None:
        credentials = {"name": name or "", "id_number": id_number, "password": password}
        message = BAD_MEMBER_LOGIN
    else:
        credentials = {"username": username or "", "password": password}
        message = BAD_STAFF_LOGIN
    try:
        login_throttle.login_throttle_check(request=request, credentials=credentials)
    except RateLimited:
        login_audit(
            request=request,
            user=None,
            success=False,
            reason="throttled",
            **_failure_detail(credentials),
        )
        raise
    user = authenticate(request, **credentials)
    if user is None:
        login_failed(
            request=request,
            credentials=credentials,
            detail=_failure_detail(credentials),
            message=message,
        )
    if id_number is None and second_factor.second_factor_required(user):
        account_second_factor_check(request=request, user=user, otp=otp)
    login_audit(request=request, user=user, success=True)
    return user


def login_failed(*, request, credentials: dict, detail: dict, message: str):
    """A failed login (django-axes already told, by authenticate() or the caller): counted by
    the login throttles, audited; raises RateLimited when axes now locks the account out on
    this address, else ServiceError(message)."""
    login_throttle.login_failure_record(request=request, credentials=credentials)
    locked = getattr(request, "axes_locked_out", False)
    login_audit(
        request=request,
        user=None,
        success=False,
        reason="locked_out" if locked else "credentials",
        **detail,
    )
    if locked:
        raise RateLimited(LOCKED_OUT, retry_after=int(settings.AXES_COOLOFF_TIME.total_seconds()))
    raise ServiceError(message, code="invalid_credentials")


def account_second_factor_check(*, request, user: User, otp) -> None:
    """The second step of a staff login: the authenticator's code. A wrong code counts as a
    failed login for the lockout (django-axes) and is audited."""
    from axes.handlers.proxy import AxesProxyHandler
    from django.contrib.auth.signals import user_login_failed

    credentials = {"username": user.username}
    device = second_factor.second_factor_device(user)
    if device is None:
        raise SecondFactorNeeded(second_factor.OTP_NOT_ENROLLED, user=user, enrolled=False)
    if otp in (None, ""):
        raise SecondFactorNeeded(second_factor.OTP_REQUIRED, user=user, enrolled=True)
    if not AxesProxyHandler.is_allowed(request, credentials):
        login_audit(request=request, user=user, success=False, reason="locked_out")
        raise RateLimited(LOCKED_OUT, retry_after=int(settings.AXES_COOLOFF_TIME.total_seconds()))
    login_throttle.login_throttle_check(request=request, credentials=credentials)
    if not second_factor.second_factor_verify(device=device, token=otp):
        user_login_failed.send(sender=__name__, credentials=credentials, request=request)
        login_throttle.login_failure_record(request=request, credentials=credentials)
        login_audit(request=request, user=user, success=False, reason="second_factor")
        throttled = second_factor.second_factor_throttled(device)
        message = second_factor.OTP_THROTTLED if throttled else second_factor.OTP_WRONG
        raise SecondFactorNeeded(message, user=user, enrolled=True)
    user.otp_device = device  # django_otp marks the session verified on login()


def token_create(*, user: User) -> tuple[str, datetime]:
    instance, token = AuthToken.objects.create(user=user)
    return token, instance.expiry


def user_deactivate(*, user: User) -> None:
    """End the account's access at once: tokens deleted; sessions stop authenticating
    because the auth backends refuse inactive users."""
    with transaction.atomic():
        user.is_active = False
        user.save(update_fields=["is_active"])
        AuthToken.objects.filter(user=user).delete()


@transaction.atomic
def staff_account_upsert(
    *, username: str, password: str, tier: str, organization: Organization | None
) -> User:
    """Create or update a staff account with exactly one grant; idempotent."""
    username = (username or "").strip()
    if not username or username.startswith(User.MEMBER_USERNAME_PREFIX):
        raise ServiceError("用户名无效。", field="username")
    if tier == permissions.TIER_COUNTY:
        if organization is None:
            counties = list(Organization.objects.filter(kind=Organization.Kind.COUNTY)[:2])
            if len(counties) != 1:
                raise ServiceError("请用 --organization 指定县级组织代码。", field="organization")
            organization = counties[0]
        if organization.kind not in Organization.TOP_KINDS:
            raise ServiceError("县级权限只能授予省、市、县级组织。", field="organization")
    elif tier == permissions.TIER_COMMITTEE:
        if organization is None:
            raise ServiceError("基层党（工）委权限需要指定组织。", field="organization")
        if organization.kind in Organization.TOP_KINDS:
            raise ServiceError("该组织是县级及以上组织，请使用 county 权限。", field="organization")
    else:
        raise ServiceError("权限层级只能是 county 或 committee。", field="tier")

    user = User.objects.filter(username=username).first()
    if user is None:
        user = User(username=username)
    elif hasattr(user, "member"):
        raise ServiceError("该账号属于党员，不能设为工作人员。", field="username")
    _validate_new_password(password, user if user.pk else None)
    user.set_password(password)
    user.is_staff = True
    user.is_active = True
    user.save()
    for org in permissions.user_grants(user):
        if org.pk != organization.pk:
            remove_perm(f"members.{permissions.MANAGE}", user, org)
    assign_perm(f"members.{permissions.MANAGE}", user, organization)
    return user


def password_change(*, user: User, current: str, password: str, ip: str | None = None) -> User:
    """修改密码 while signed in: the current password, then a new one that passes the same
    rules as at activation. Other sessions of the account end (Django's session hash)."""
    if not user.check_password(current or ""):
        raise ServiceError("当前密码不正确。", field="current")
    _validate_new_password(password, user)
    if current == password:
        raise ServiceError("新密码不能与当前密码相同。", field="password")
    user.set_password(password)
    user.save(update_fields=["password"])
    audit_record(actor=user, action="password.change", target=user, ip=ip)
    return user


def display_preferences_set(*, user: User, large_text: bool) -> User:
    """Remember the person's display choice (大字模式) on their account."""
    if user.large_text != bool(large_text):
        user.large_text = bool(large_text)
        user.save(update_fields=["large_text"])
    return user


def expired_tokens_delete() -> int:
    """Hourly: API tokens past their idle expiry are deleted (the token check itself never
    sweeps, to stay one query)."""
    from knox.models import get_token_model

    deleted, _ = get_token_model().objects.filter(expiry__lt=timezone.now()).delete()
    return deleted
