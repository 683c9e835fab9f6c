"""Production settings for the weight-budget test's gunicorn: DEBUG off, whitenoise with
CompressedManifestStaticFilesStorage and long cache headers on hashed files, exactly as
`sanyuan.settings` has them. Only what plain http://127.0.0.1 needs differs (no TLS here)."""

from sanyuan.settings import *  # noqa: F403

SECURE_SSL_REDIRECT = False
SECURE_HSTS_SECONDS = 0
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
