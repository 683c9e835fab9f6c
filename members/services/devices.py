"""记住我: a phone that remembers its member (members.models.RememberedDevice).

The phone holds a random token in an HttpOnly cookie; the server keeps its keyed hash. The
token only says who the login page should greet: the password is still asked each time.
"""

import secrets
from datetime import timedelta
from importlib import import_module

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from sanyuan.crypto import keyed_hash
from sanyuan.errors import ServiceError

from ..models import RememberedDevice, User
from .audit import audit_record

HASH_PURPOSE = "remembered-device"
TOUCH_EVERY = timedelta(minutes=1)


def _hash(token: str) -> str:
    return keyed_hash(token, purpose=HASH_PURPOSE)


def device_label(user_agent: str) -> str:
    """A name a member recognises (华为手机, iPhone, 电脑), from the browser's User-Agent."""
    ua = user_agent or ""
    for needle, name in (
        ("HarmonyOS", "华为手机"),
        ("HUAWEI", "华为手机"),
        ("HONOR", "荣耀手机"),
        ("Xiaomi", "小米手机"),
        ("Redmi", "小米手机"),
        ("OPPO", "OPPO手机"),
        ("vivo", "vivo手机"),
        ("iPhone", "iPhone"),
        ("iPad", "iPad"),
        ("Android", "安卓手机"),
        ("Windows", "电脑"),
        ("Macintosh", "电脑"),
        ("Linux", "电脑"),
    ):
        if needle in ua:
            browser = "微信" if "MicroMessenger" in ua else "浏览器"
            return f"{name}（{browser}）"
    return "未知设备"


def device_remember(
    *, user: User, user_agent: str, ip: str | None = None, session_key: str | None = None
) -> str:
    """Remember this phone for `user`, signed in with `session_key`; returns the token for the
    cookie (shown once)."""
    token = secrets.token_urlsafe(32)
    with transaction.atomic():
        device = RememberedDevice.objects.create(
            user=user,
            token_hash=_hash(token),
            label=device_label(user_agent),
            last_used_at=timezone.now(),
            session_key=session_key or "",
        )
        audit_record(
            actor=user,
            action="device.remember",
            target=device,
            ip=ip,
            detail={"设备": device.label},
        )
    return token


def device_from_token(token: str | None) -> RememberedDevice | None:
    """The remembered device of a cookie: not removed, used within the idle period, of an
    active member account. None otherwise."""
    if not token or len(token) > 100:
        return None
    since = timezone.now() - timedelta(seconds=settings.MEMBER_REMEMBER_IDLE_SECONDS)
    return (
        RememberedDevice.objects.select_related("user__member")
        .filter(
            token_hash=_hash(token),
            revoked_at__isnull=True,
            last_used_at__gte=since,
            user__is_active=True,
            user__is_staff=False,
            user__member__isnull=False,
        )
        .first()
    )


def device_touch(device: RememberedDevice) -> None:
    """Used now: its idle period starts again (written at most once a minute)."""
    now = timezone.now()
    if now - device.last_used_at >= TOUCH_EVERY:
        RememberedDevice.objects.filter(pk=device.pk).update(last_used_at=now)
        device.last_used_at = now


def device_signed_in(device: RememberedDevice, session_key: str | None) -> None:
    """The phone signed in with this session: removing the phone later ends it."""
    if session_key and device.session_key != session_key:
        RememberedDevice.objects.filter(pk=device.pk).update(session_key=session_key)
        device.session_key = session_key


def device_session_renewed(*, user: User, token: str | None, session_key: str | None) -> None:
    """This phone's session got a new key (a password change there): if the phone is one of
    `user`'s remembered devices, removing it later must end the new session, not the old."""
    device = device_from_token(token)
    if device is not None and device.user_id == user.pk:
        device_signed_in(device, session_key)


def _end_session(session_key: str) -> None:
    import_module(settings.SESSION_ENGINE).SessionStore().delete(session_key)


def devices_forget_all() -> int:
    """Every remembered phone is forgotten and its session ended (a hash-key rotation: no
    cookie matches its stored hash any more, and a forgotten phone is no longer listed in
    登录设备, where its member could end that session). Returns how many."""
    now = timezone.now()
    forgotten = 0
    while True:
        with transaction.atomic():
            batch = list(
                RememberedDevice.objects.select_for_update(skip_locked=True)
                .filter(revoked_at__isnull=True)
                .values_list("pk", "session_key")[:1000]
            )
            if not batch:
                return forgotten
            RememberedDevice.objects.filter(pk__in=[pk for pk, _ in batch]).update(revoked_at=now)
            for _pk, session_key in batch:
                if session_key:
                    _end_session(session_key)
        forgotten += len(batch)


def device_revoke(
    *, user: User, device_id, ip: str | None = None, current_session_key: str | None = None
) -> RememberedDevice:
    """The member removes one of their remembered devices (idempotent for a removed one).
    The session the phone signed in with ends at once, unless it is the one asking (that
    phone stays signed in until it signs out or idles out as an ordinary session)."""
    try:
        device_id = int(device_id)
    except (TypeError, ValueError):
        raise ServiceError("没有找到这个设备。", field="device") from None
    with transaction.atomic():
        device = (
            RememberedDevice.objects.select_for_update().filter(pk=device_id, user=user).first()
        )
        if device is None:
            raise ServiceError("没有找到这个设备。", field="device")
        if device.revoked_at is None:
            device.revoked_at = timezone.now()
            device.save(update_fields=["revoked_at"])
            if device.session_key and device.session_key != current_session_key:
                _end_session(device.session_key)
            audit_record(
                actor=user,
                action="device.revoke",
                target=device,
                ip=ip,
                detail={"设备": device.label},
            )
    return device


def devices_of(user: User) -> list[RememberedDevice]:
    """The member's devices still remembered, most recently used first."""
    since = timezone.now() - timedelta(seconds=settings.MEMBER_REMEMBER_IDLE_SECONDS)
    return list(
        RememberedDevice.objects.filter(
            user=user, revoked_at__isnull=True, last_used_at__gte=since
        ).order_by("-last_used_at", "-pk")
    )
