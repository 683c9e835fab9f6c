"""The WeChat apps and files this site is configured with (settings only, no network)."""

import re
from dataclasses import dataclass

from django.conf import settings

from .errors import WechatConfigError

VERIFY_FILE_NAME = re.compile(r"^MP_verify_([A-Za-z0-9]{1,64})\.txt$")


@dataclass(frozen=True)
class WechatApp:
    """One WeChat app: each gives the same person a different openid."""

    kind: str  # "mp" (the official account, 服务号) or "mini" (the mini-program)
    app_id: str
    secret: str

    def __repr__(self) -> str:  # never print the secret
        return f"WechatApp(kind={self.kind!r}, app_id={self.app_id!r})"


def _app(kind: str, app_id: str, secret: str) -> WechatApp:
    if not app_id or not secret:
        name = "WECHAT_MP" if kind == "mp" else "WECHAT_MINI"
        raise WechatConfigError(f"{name}_APP_ID and {name}_APP_SECRET are not set")
    return WechatApp(kind=kind, app_id=app_id, secret=secret)


def mp_app() -> WechatApp:
    """The official account (服务号). Raises WechatConfigError when not configured."""
    return _app("mp", settings.WECHAT_MP_APP_ID, settings.WECHAT_MP_APP_SECRET)


def mini_app() -> WechatApp:
    """The mini-program. Raises WechatConfigError when not configured."""
    return _app("mini", settings.WECHAT_MINI_APP_ID, settings.WECHAT_MINI_APP_SECRET)


def mp_configured() -> bool:
    return bool(settings.WECHAT_MP_APP_ID and settings.WECHAT_MP_APP_SECRET)


def mini_configured() -> bool:
    return bool(settings.WECHAT_MINI_APP_ID and settings.WECHAT_MINI_APP_SECRET)


def mp_verify_file() -> tuple[str, str] | None:
    """(file name, content) of the MP_verify_*.txt file to serve at the site root, or None
    when not configured or the name is not of WeChat's form (the system check reports it)."""
    name = (settings.WECHAT_MP_VERIFY_FILE or {}).get("name", "").strip()
    match = VERIFY_FILE_NAME.fullmatch(name)
    if not match:
        return None
    content = (settings.WECHAT_MP_VERIFY_FILE or {}).get("content", "").strip()
    return name, content or match.group(1)
