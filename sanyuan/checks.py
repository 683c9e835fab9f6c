"""Start-up checks: a wrong encryption key must fail loudly, never read as garbage."""

from cryptography.fernet import Fernet
from django.conf import settings
from django.core.checks import Error, Tags, register


@register()
def pii_keys_check(app_configs, **kwargs):
    errors = []
    for index, key in enumerate(settings.PII_ENCRYPTION_KEYS):
        try:
            Fernet(key)
        except (ValueError, TypeError):
            errors.append(
                Error(
                    f"PII_ENCRYPTION_KEYS[{index}] is not a valid Fernet key.",
                    hint="Generate one with: python -c 'from cryptography.fernet import "
                    "Fernet; print(Fernet.generate_key().decode())'",
                    id="sanyuan.E001",
                )
            )
    if len(settings.PII_HASH_KEY) < 16:
        errors.append(Error("PII_HASH_KEY must be at least 16 characters.", id="sanyuan.E002"))
    return errors


@register(Tags.database)
def pii_keys_fit_data_check(app_configs, databases=None, **kwargs):
    """With the database (`check --database default`, `migrate`, the web unit's start):
    the configured keys must open the stored data; a restore or a start with other keys
    fails here, loudly, instead of serving garbage or finding no one."""
    if not databases or "default" not in databases:
        return []
    from .keys import key_problems

    return [
        Error(
            problem,
            hint="Use the PII_ENCRYPTION_KEYS and PII_HASH_KEY this database was written "
            "with (compare fingerprints: python manage.py key_fingerprints).",
            id="sanyuan.E003",
        )
        for problem in key_problems()
    ]


@register()
def wechat_check(app_configs, **kwargs):
    from .wechat.checks import wechat_settings_check

    return wechat_settings_check(app_configs, **kwargs)


from .wechatpay import checks as _wechatpay_checks  # noqa: E402, F401  (registers its checks)
