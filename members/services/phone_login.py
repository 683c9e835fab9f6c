"""Phone + code login for members (issue 18 item 4), beside name + ID number + password.

`POST /api/auth/login-code/ {phone}` always answers 202 (throttled per number asked for and
per client address, whether the number is registered or not); a code goes by the one-time-code
SMS path (not a notice: no quiet hours, no caps) only when the number belongs to an activated
archive whose phone the member confirmed within PHONE_CONFIRMED_DAYS. Several such archives
on one number (a family) get the same code, one text; the verify step then asks for the name,
but only of someone who typed the right code. A wrong or expired code is a failed login for
django-axes and the login throttles, as a wrong password is; every answer to a failure is the
same Chinese sentence.

What confirms a phone (Member.phone_confirmed_at): typing back a code sent by SMS to the
archive's number — at activation, at a password reset, or at this login. A staff-issued code
confirms nothing; a change of the number (by the member, by staff, an approved change request,
a roster import) clears it, so a new number is confirmed by the member's next SMS code.
"""

import hmac
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from members.identity import mask_phone, normalize_name, normalize_phone
from members.models import Member, OneTimeCode, User
from members.services import login_throttle
from members.services.accounts import (
    LOCKED_OUT,
    LOGIN_CODE_CHANNELS,
    _clean_code,
    _code_consume,
    _code_create,
    _code_hash,
    login_audit,
    login_failed,
    new_code,
)
from sanyuan import ratelimit
from sanyuan.crypto import encrypt, keyed_hash
from sanyuan.errors import RateLimited, ServiceError
from sanyuan.queue import enqueue_on_commit

BAD_PHONE_LOGIN = "手机号码或验证码不正确，或验证码已失效。"
NAME_NEEDED = "该手机号码登记了多份档案，请填写姓名后再登录。"
LOGIN = OneTimeCode.Channel.LOGIN


def _phone_hash(phone: str) -> str:
    return keyed_hash(phone, purpose="phone")


def _eligible(phone: str) -> list[Member]:
    """Activated, active archives on this number, confirmed within PHONE_CONFIRMED_DAYS."""
    since = timezone.now() - timedelta(days=settings.PHONE_CONFIRMED_DAYS)
    return list(
        Member.objects.select_related("user")
        .filter(
            phone_hash=_phone_hash(phone),
            user__isnull=False,
            user__is_active=True,
            phone_confirmed_at__gte=since,
        )
        .order_by("pk")
    )


def login_code_request(*, phone: str, ip: str) -> None:
    """Send a login code if the number qualifies; the same silence either way. Raises
    ServiceError for a malformed number, RateLimited when throttled."""
    phone = normalize_phone(phone)
    rates = settings.LOGIN_CODE_RATES
    ratelimit.enforce(f"login-code:ip:{ip}", rates["ip"])
    ratelimit.enforce(f"login-code:phone:{_phone_hash(phone)}", rates["phone"])
    members = _eligible(phone)
    if not members:
        return
    code = new_code()
    with transaction.atomic():
        codes = [_code_create(member=m, channel=LOGIN, code=code)[0] for m in members]
        # One text for the number, whichever archives it serves.
        enqueue_on_commit("members.send-one-time-code-sms", codes[0].pk, encrypt(code))


def _credentials(phone: str) -> dict:
    return {"phone": phone}


def _code_matches(member: Member, code: str) -> bool:
    """Whether `code` is the member's live login code, without using it or counting a try."""
    otc = (
        OneTimeCode.objects.filter(
            member=member, channel=LOGIN, used_at__isnull=True, voided_at__isnull=True
        )
        .order_by("-created_at")
        .first()
    )
    return (
        otc is not None
        and otc.expires_at > timezone.now()
        and hmac.compare_digest(otc.code_hash, _code_hash(member.pk, code))
    )


def _check_not_locked(request, credentials: dict) -> None:
    from axes.handlers.proxy import AxesProxyHandler

    try:
        login_throttle.login_throttle_check(request=request, credentials=credentials)
    except RateLimited:
        login_audit(
            request=request, user=None, success=False, reason="throttled", **_detail(credentials)
        )
        raise
    if not AxesProxyHandler.is_allowed(request, credentials):
        login_audit(
            request=request, user=None, success=False, reason="locked_out", **_detail(credentials)
        )
        raise RateLimited(LOCKED_OUT, retry_after=int(settings.AXES_COOLOFF_TIME.total_seconds()))


def _detail(credentials: dict) -> dict:
    return {"kind": "member", "phone": mask_phone(credentials["phone"]), "method": "phone_code"}


def _verify(members: list[Member], code: str) -> Member | None:
    """The member the code signs in, counting a wrong try against every candidate's code.
    Raises NAME_NEEDED (nothing used) when the right code serves several archives."""
    if len(members) > 1:
        if any(_code_matches(m, code) for m in members):
            raise ServiceError(NAME_NEEDED, code="name_required")
        for member in members:
            _code_consume(member, code, channels=LOGIN_CODE_CHANNELS)
        return None
    for member in members:
        if otc := _code_consume(member, code, channels=LOGIN_CODE_CHANNELS):
            member.phone_confirmed_at = otc.used_at
            member.save(update_fields=["phone_confirmed_at"])
            # The sibling archives' copies of this code are spent with it.
            OneTimeCode.objects.filter(
                member__phone_hash=member.phone_hash,
                channel=LOGIN,
                used_at__isnull=True,
                voided_at__isnull=True,
            ).update(voided_at=otc.used_at)
            return member
    return None


def phone_login_verify(*, request, phone: str, code: str, name: str | None = None) -> User:
    """Phone + code (+ name when the number serves several archives) → the member's user.

    `request` is the Django HttpRequest (django-axes and the throttles key on its address)."""
    from django.contrib.auth.signals import user_login_failed

    phone = normalize_phone(phone)
    code = _clean_code(code)
    name = normalize_name(name) if name else None
    credentials = _credentials(phone)
    _check_not_locked(request, credentials)
    members = _eligible(phone)
    if name is not None:
        members = [m for m in members if m.name == name]
    with transaction.atomic():
        member = _verify(members, code)
    if member is None:
        user_login_failed.send(sender=__name__, credentials=credentials, request=request)
        login_failed(
            request=request,
            credentials=credentials,
            detail=_detail(credentials),
            message=BAD_PHONE_LOGIN,
        )
    login_audit(request=request, user=member.user, success=True, method="phone_code")
    return member.user
