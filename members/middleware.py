"""Session rules and the record of refused requests.

- SessionIdleMiddleware: a web session ends after an idle period (SESSION_IDLE_SECONDS for
  members, STAFF_SESSION_IDLE_SECONDS for staff), not at a fixed age: each use moves the
  expiry forward, written at most once per SESSION_IDLE_REFRESH_SECONDS.
- SecondFactorMiddleware: a session of an account that needs a second factor but was not
  verified with one (for instance one that predates the requirement) is ended.
- DenialAuditMiddleware: 403 answers, and 404 answers of object URLs (scoped lookups), go to
  the audit log as `access.denied`, at most AUDIT_DENIALS_PER_MINUTE per account or address.
"""

import time

from django.conf import settings
from django.contrib.auth import logout
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver

from sanyuan import ratelimit
from sanyuan.net import client_ip

SEEN_KEY = "_idle_seen"
# Set on a member's session signed in with 记住我: it idles out after
# MEMBER_REMEMBER_IDLE_SECONDS instead of SESSION_IDLE_SECONDS.
REMEMBERED_SESSION = "_remembered"


def idle_seconds(request, user) -> int:
    if user.is_staff:
        return settings.STAFF_SESSION_IDLE_SECONDS
    if request.session.get(REMEMBERED_SESSION):
        return settings.MEMBER_REMEMBER_IDLE_SECONDS
    return settings.SESSION_IDLE_SECONDS


def _session_user(request):
    """The user of the session cookie (not of an API token); None when anonymous."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return None
    return user


@receiver(user_logged_in, dispatch_uid="members.start_idle_clock")
def start_idle_clock(sender, request, user, **kwargs):
    """A new session starts its idle clock at login (connected by MembersConfig.ready)."""
    if request is not None and hasattr(request, "session"):
        request.session[SEEN_KEY] = int(time.time())
        request.session.set_expiry(
            settings.STAFF_SESSION_IDLE_SECONDS if user.is_staff else settings.SESSION_IDLE_SECONDS
        )


class SessionIdleMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = _session_user(request)
        if user is not None:
            idle = idle_seconds(request, user)
            now = int(time.time())
            seen = request.session.get(SEEN_KEY)
            if seen is not None and now - seen > idle:
                logout(request)
            elif seen is None or now - seen >= settings.SESSION_IDLE_REFRESH_SECONDS:
                request.session[SEEN_KEY] = now
                request.session.set_expiry(idle)
        return self.get_response(request)


class SecondFactorMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = _session_user(request)
        if user is not None and user.is_staff and not user.is_verified():
            from members.services.second_factor import second_factor_required

            if second_factor_required(user):
                logout(request)
        return self.get_response(request)


def _is_object_url(request) -> bool:
    match = getattr(request, "resolver_match", None)
    return match is not None and any(key == "pk" or key.endswith("_pk") for key in match.kwargs)


class DenialAuditMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        status = response.status_code
        if status == 403 or (status == 404 and _is_object_url(request)):
            self.record(request, status)
        return response

    def record(self, request, status: int) -> None:
        from members.services.audit import audit_record

        user = getattr(request, "user", None)  # DRF sets the token's user here too
        actor = user if user is not None and user.is_authenticated else None
        ip = client_ip(request)
        key = f"audit-denied:{actor.pk if actor else ip}"
        if not ratelimit.hit(key, limit=settings.AUDIT_DENIALS_PER_MINUTE, window=60):
            return
        match = request.resolver_match
        audit_record(
            actor=actor,
            action="access.denied",
            ip=ip or None,
            detail={
                "status": status,
                "method": request.method,
                "path": request.path[:200],
                "view": (match.view_name if match else "")[:100],
            },
        )
