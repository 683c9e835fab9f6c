"""System checks for the WeChat settings: a half-configured app or a malformed template list
fails `manage.py check` (and so the start of the web unit) instead of the first sign-in."""

from django.conf import settings
from django.core.checks import Error

from .config import VERIFY_FILE_NAME
from .subscribe import MINI_PROGRAM_STATES, template_problems


def wechat_settings_check(app_configs, **kwargs) -> list[Error]:
    errors = []
    for prefix in ("WECHAT_MP", "WECHAT_MINI"):
        app_id = getattr(settings, f"{prefix}_APP_ID")
        secret = getattr(settings, f"{prefix}_APP_SECRET")
        if bool(app_id) != bool(secret):
            errors.append(
                Error(
                    f"Set both {prefix}_APP_ID and {prefix}_APP_SECRET, or neither.",
                    id="sanyuan.E010",
                )
            )
    name = (settings.WECHAT_MP_VERIFY_FILE or {}).get("name", "")
    if name and not VERIFY_FILE_NAME.fullmatch(name.strip()):
        errors.append(
            Error(
                f"WECHAT_MP_VERIFY_FILE {name!r} is not of the form MP_verify_<letters/digits>.txt.",
                id="sanyuan.E011",
            )
        )
    errors += [Error(problem, id="sanyuan.E012") for problem in template_problems()]
    if settings.WECHAT_MINI_PROGRAM_STATE not in MINI_PROGRAM_STATES:
        errors.append(
            Error(
                "WECHAT_MINI_PROGRAM_STATE must be formal, trial or developer.", id="sanyuan.E013"
            )
        )
    return errors
