"""The login page offers the WeChat sign-in inside WeChat's browser (when the official
account is configured) and says when a WeChat is waiting to be bound. Both are callables, so
only a template that shows them reads the session (public pages stay cacheable)."""

from sanyuan import wechat


def wechat_signin(request):
    def offered() -> bool:
        agent = request.META.get("HTTP_USER_AGENT", "")
        return "MicroMessenger" in agent and wechat.mp_configured()

    def waiting() -> bool:
        return bool(getattr(request, "session", {}).get("wechat_pending_identity"))

    return {"wechat_signin_offered": offered, "wechat_bind_waiting": waiting}
