"""The second factor of staff accounts: a TOTP authenticator app (django-otp).

Staff of the tiers in STAFF_OTP_REQUIRED_TIERS (the county tier by default) must enrol a
device and give its 6-digit code at every login — on the staff login page, in front of the
Django admin and on `POST /api/auth/login/`. Other staff may enrol; once they have, the code
is asked of them too. Enrolment shows the otpauth URI as a QR code once (a reload makes a new
secret) and takes effect only after a code from the app confirms it.
"""

import base64
from dataclasses import dataclass

from django.db import transaction
from django_otp.plugins.otp_totp.models import TOTPDevice

from members import permissions
from members.services.audit import audit_record
from sanyuan.errors import ServiceError

DEVICE_NAME = "身份验证器"
OTP_REQUIRED = "请输入身份验证器上的6位动态验证码。"
OTP_WRONG = "动态验证码不正确或已过期，请输入身份验证器上最新的6位数字。"
OTP_NOT_ENROLLED = "该账号须先在网页上登录并绑定身份验证器（动态验证码），然后才能使用接口登录。"
OTP_THROTTLED = "动态验证码错误次数过多，请稍候再试。"


def second_factor_device(user) -> TOTPDevice | None:
    """The account's confirmed authenticator, if any."""
    if user is None or not getattr(user, "pk", None):
        return None
    return TOTPDevice.objects.filter(user=user, confirmed=True).order_by("-id").first()


def second_factor_required(user) -> bool:
    """A staff account of a tier that must use a second factor, or one that enrolled."""
    if user is None or not user.is_authenticated or not user.is_staff:
        return False
    if permissions.tier_requires_second_factor(user):
        return True
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def clean_token(token) -> str:
    token = str(token or "").strip().replace(" ", "")
    if not (len(token) == 6 and token.isascii() and token.isdigit()):
        raise ServiceError(OTP_WRONG, field="otp", code="otp_required")
    return token


# Wrong codes after which django-otp's growing delay (1, 2, 4 … seconds after each failure)
# applies. Before that, a right code typed at once after a mistyped one is accepted: the delay
# refused it as "incorrect", and the login lockout (django-axes: five failures per account and
# address) already counts each wrong code.
OTP_GRACE_FAILURES = 3


def second_factor_throttled(device: TOTPDevice) -> bool:
    """Too many wrong codes lately: django-otp's delay holds (no code is checked)."""
    if device.throttling_failure_count < OTP_GRACE_FAILURES:
        return False
    allowed, _ = device.verify_is_allowed()
    return not allowed


def second_factor_verify(*, device: TOTPDevice, token) -> bool:
    """True for the device's current code (each code works once). A failure is counted on
    the device; past OTP_GRACE_FAILURES of them django-otp's growing delay refuses even a
    right code until it has passed (second_factor_throttled tells the caller)."""
    try:
        token = clean_token(token)
    except ServiceError:
        return False
    if second_factor_throttled(device):
        return False
    if device.throttling_failure_count < OTP_GRACE_FAILURES:
        # Inside the grace, django-otp's own check (inside verify_token) must not refuse the
        # code for the delay; the failure count itself is kept and saved as before.
        device.throttling_failure_timestamp = None
    return device.verify_token(token)


@dataclass(frozen=True)
class Enrolment:
    device_id: int
    otpauth_uri: str
    secret: str
    qr_data_uri: str


def _qr_data_uri(text: str) -> str:
    import segno

    return segno.make(text, error="m").svg_data_uri(scale=6, border=2)


@transaction.atomic
def second_factor_enrol_start(*, user) -> Enrolment:
    """A new, unconfirmed authenticator for `user`: the caller shows its QR code once.
    Earlier unconfirmed ones are discarded, so a secret is never shown twice."""
    if not user.is_staff:
        raise ServiceError("只有工作人员账号需要绑定身份验证器。")
    TOTPDevice.objects.filter(user=user, confirmed=False).delete()
    device = TOTPDevice.objects.create(user=user, name=DEVICE_NAME, confirmed=False)
    secret = base64.b32encode(device.bin_key).decode("ascii")
    uri = device.config_url
    return Enrolment(
        device_id=device.pk, otpauth_uri=uri, secret=secret, qr_data_uri=_qr_data_uri(uri)
    )


def second_factor_enrol_confirm(*, user, device_id: int | None, token, ip: str | None):
    """Confirm the new authenticator with a code from it; earlier devices are replaced."""
    device = TOTPDevice.objects.filter(user=user, pk=device_id or 0, confirmed=False).first()
    if device is None:
        raise ServiceError("绑定已过期，请重新扫描二维码。", code="otp_enrolment_expired")
    if not second_factor_verify(device=device, token=token):
        message = OTP_THROTTLED if second_factor_throttled(device) else OTP_WRONG
        raise ServiceError(message, field="otp", code="otp_required")
    with transaction.atomic():
        TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        audit_record(actor=user, action="second_factor.enrol", target=user, ip=ip)
    return device


def second_factor_reset(*, user, actor=None) -> int:
    """Remove every authenticator of `user` (a lost phone): at the next login the account
    enrols again. Operators run it through `add_staff USERNAME … --reset-otp`."""
    with transaction.atomic():
        count, _ = TOTPDevice.objects.filter(user=user).delete()
        audit_record(actor=actor, action="second_factor.reset", target=user)
    return count
