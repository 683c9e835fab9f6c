"""报到码: the arrival code a member's phone shows without a network.

RFC 6238 TOTP (HMAC-SHA1, six digits) with a ten-minute step. Each phone gets a secret of its
own, once (the QR card asks for it and keeps it under the member's offline key); the server
keeps it encrypted. Host staff type the code with the member's name and ID number on the
hosting page; a code is good within one step either side of now, once, and a member's codes
may be tried CHECKIN_TRIES times an hour, whoever types them."""

import base64
import hashlib
import hmac
import secrets
import struct
import time

from django.db import transaction

from members import permissions
from members.identity import normalize_id_number, normalize_name
from members.models import CheckinSecret, Hosting, Member, Organization
from members.services.accounts import member_by_identity
from members.services.audit import audit_record
from members.services.hosting import hosting_arrive
from sanyuan import ratelimit
from sanyuan.errors import RateLimited, ServiceError

STEP_SECONDS = 600
DIGITS = 6
DRIFT_STEPS = 1  # a phone whose clock is one step off still works
SECRETS_KEPT = 5  # phones per member; the oldest secret goes when a sixth asks
CHECKIN_TRIES = 5
CHECKIN_WINDOW_SECONDS = 60 * 60
WRONG = "姓名、身份证号码或报到码不正确，请核对后重试。"
TOO_MANY = "该党员的报到码已连续输错多次，请1小时后再试，或请党员联网后出示报到二维码。"


def totp(secret_b32: str, step: int) -> str:
    """The code of time step `step` (RFC 6238 / RFC 4226 dynamic truncation)."""
    key = base64.b32decode(secret_b32.upper() + "=" * (-len(secret_b32) % 8))
    digest = hmac.new(key, struct.pack(">Q", step), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    number = struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF
    return str(number % 10**DIGITS).zfill(DIGITS)


def current_step(now: float | None = None) -> int:
    return int((time.time() if now is None else now) // STEP_SECONDS)


def checkin_secret_issue(*, member: Member) -> str:
    """A new secret for one phone of `member` (base32, 160 bits); returned once, never again."""
    secret = base64.b32encode(secrets.token_bytes(20)).decode().rstrip("=")
    with transaction.atomic():
        CheckinSecret.objects.create(member=member, secret=secret)
        stale = CheckinSecret.objects.filter(member=member).order_by("-created_at", "-pk")
        stale_ids = list(stale.values_list("pk", flat=True)[SECRETS_KEPT:])
        if stale_ids:
            CheckinSecret.objects.filter(pk__in=stale_ids).delete()
    return secret


def checkin_code_match(*, member: Member, code: str, now: float | None = None) -> bool:
    """True when `code` is the code of one of the member's phones within DRIFT_STEPS of now
    and that step was not used before; the step is then spent."""
    code = (code or "").strip()
    if len(code) != DIGITS or not code.isdigit():
        return False
    step = current_step(now)
    with transaction.atomic():
        for row in CheckinSecret.objects.select_for_update().filter(member=member):
            for candidate in range(step - DRIFT_STEPS, step + DRIFT_STEPS + 1):
                if candidate > row.last_step and hmac.compare_digest(
                    totp(row.secret, candidate), code
                ):
                    row.last_step = candidate
                    row.save(update_fields=["last_step"])
                    return True
    return False


def _member_by_identity(name: str, id_number: str) -> Member | None:
    try:
        return member_by_identity(normalize_name(name), normalize_id_number(id_number))
    except ServiceError:
        return None


def hosting_arrive_by_code(
    *, staff, host: Organization, name: str, id_number: str, code: str
) -> Hosting:
    """Host staff type the member's name, ID number and 报到码: the arrival is recorded and
    accepted. One message for every wrong input, so the form tells nobody who exists."""
    permissions.check_act_for_host_permission(staff, host)
    member = _member_by_identity(name, id_number)
    if member is None:
        # Unknown people are counted against the staff account, so the form is no oracle.
        if not ratelimit.hit(
            f"checkin-staff:{staff.pk}", limit=CHECKIN_TRIES * 4, window=CHECKIN_WINDOW_SECONDS
        ):
            raise RateLimited(TOO_MANY, retry_after=CHECKIN_WINDOW_SECONDS)
        raise ServiceError(WRONG, field="code", code="checkin_wrong")
    if not ratelimit.hit(
        f"checkin:{member.pk}", limit=CHECKIN_TRIES, window=CHECKIN_WINDOW_SECONDS
    ):
        audit_record(actor=staff, action="hosting.checkin_throttled", target=member)
        raise RateLimited(TOO_MANY, retry_after=CHECKIN_WINDOW_SECONDS)
    if not checkin_code_match(member=member, code=code):
        audit_record(actor=staff, action="hosting.checkin_wrong", target=member)
        raise ServiceError(WRONG, field="code", code="checkin_wrong")
    audit_record(actor=staff, action="hosting.checkin", target=member)
    return hosting_arrive(staff=staff, member=member, host=host, via=Hosting.Via.CODE)
