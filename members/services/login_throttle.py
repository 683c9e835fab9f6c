"""Login throttles against password spraying: failed logins are counted per client address
(an IPv6 address per /64, which one subscriber usually holds whole) across every account, and
per account across every address, each in a fixed window. Once either count reaches its limit,
every login attempt on that address or account answers 429 before any password is checked,
until the window ends or the county tier lifts the throttle in the admin (audited).

Successful logins are never counted, so a carrier NAT with hundreds of members behind one
address is not throttled by their logins. django-axes still locks one account on one address
after LOGIN_FAILURE_LIMIT failures; these throttles add the two views across it.
"""

import ipaddress
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from members import permissions
from members.identity import mask_id_number, mask_phone, normalize_id_number
from members.services.audit import audit_record
from sanyuan.crypto import keyed_hash
from sanyuan.errors import RateLimited, ServiceError
from sanyuan.logsafe import log_safe
from sanyuan.models import LoginThrottle
from sanyuan.net import client_ip

Kind = LoginThrottle.Kind


def throttled_message() -> str:
    minutes = max(1, settings.LOGIN_THROTTLE_WINDOW_SECONDS // 60)
    return f"登录尝试过于频繁，请{minutes}分钟后再试"


@dataclass(frozen=True)
class ThrottleKey:
    kind: str
    key: str
    label: str


def address_network(ip: str) -> str | None:
    """The network an address is counted under: the address itself for IPv4, its /64 for
    IPv6 (an IPv4-mapped IPv6 address counts as the IPv4 address)."""
    try:
        address = ipaddress.ip_address(ip)
    except ValueError:
        return None
    if address.version == 6 and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    prefix = 32 if address.version == 4 else 64
    return str(ipaddress.ip_network(f"{address}/{prefix}", strict=False))


def account_key(credentials: dict) -> ThrottleKey:
    """Members by the keyed hash of their ID number or, for a phone + code login, of the
    number (shown masked); staff by username."""
    if credentials.get("phone") is not None:
        phone = str(credentials["phone"])
        digest = keyed_hash(phone, purpose="phone")[:32]
        return ThrottleKey(Kind.ACCOUNT, "phone:" + digest, mask_phone(phone))
    raw_id = credentials.get("id_number")
    if raw_id is not None:
        try:
            value = normalize_id_number(raw_id)
            label = mask_id_number(value)
        except ServiceError:
            value, label = str(raw_id), "（格式无效的身份证号码）"
        digest = keyed_hash(value, purpose="id_number")[:32]
        return ThrottleKey(Kind.ACCOUNT, "member:" + digest, label)
    username = str(credentials.get("username") or "")[:150]
    return ThrottleKey(Kind.ACCOUNT, "staff:" + username, log_safe(username)[:200])


def _keys(request, credentials: dict) -> list[ThrottleKey]:
    keys = [account_key(credentials)]
    network = address_network(client_ip(request)) if request is not None else None
    if network is not None:
        keys.append(ThrottleKey(Kind.ADDRESS, network, network))
    return keys


def _limit(kind: str) -> int:
    if kind == Kind.ADDRESS:
        return settings.LOGIN_THROTTLE_ADDRESS_FAILURES
    return settings.LOGIN_THROTTLE_ACCOUNT_FAILURES


def _window() -> timedelta:
    return timedelta(seconds=settings.LOGIN_THROTTLE_WINDOW_SECONDS)


def throttle_blocking(throttle: LoginThrottle, *, now=None) -> bool:
    now = now or timezone.now()
    return throttle.window_started > now - _window() and throttle.failures >= _limit(throttle.kind)


def login_throttle_check(*, request, credentials: dict) -> None:
    """RateLimited when the address or the account has used up its failures (one query)."""
    now = timezone.now()
    match = Q()
    for item in _keys(request, credentials):
        match |= Q(kind=item.kind, key=item.key)
    rows = LoginThrottle.objects.filter(match, window_started__gt=now - _window())
    for row in rows:
        if throttle_blocking(row, now=now):
            remaining = row.window_started + _window() - now
            raise RateLimited(throttled_message(), retry_after=max(1, int(remaining.seconds)))


def login_failure_record(*, request, credentials: dict) -> None:
    """Count one failed login against the address and the account."""
    now = timezone.now()
    with transaction.atomic():
        for item in _keys(request, credentials):
            row, _ = LoginThrottle.objects.select_for_update().get_or_create(
                kind=item.kind,
                key=item.key,
                defaults={"label": item.label, "window_started": now, "last_failure_at": now},
            )
            if row.window_started <= now - _window():
                row.failures, row.window_started = 0, now
            row.failures += 1
            row.last_failure_at = now
            row.label = item.label
            row.save(update_fields=["failures", "window_started", "last_failure_at", "label"])


def login_throttle_lift(*, actor, throttle: LoginThrottle, ip: str | None) -> None:
    """The county tier ends a throttle at once; audited."""
    if not permissions.can_manage_login_throttles(actor):
        raise ServiceError("只有县委组织部可以解除登录限制。", code="forbidden")
    with transaction.atomic():
        LoginThrottle.objects.filter(pk=throttle.pk).update(failures=0)
        audit_record(
            actor=actor,
            action="login_throttle.lift",
            ip=ip,
            detail={
                "kind": throttle.get_kind_display(),
                "label": throttle.label,
                "failures": throttle.failures,
            },
        )
