"""Settings for 同心三原 流动e家. Everything that differs between machines comes from the
environment (or a `.env` file beside manage.py), read here and nowhere else.

Production needs at least SECRET_KEY, ALLOWED_HOSTS, DATABASE_URL, REDIS_URL, CACHE_URL,
PII_ENCRYPTION_KEYS and PII_HASH_KEY. With DEBUG=1 the development defaults below apply.
"""

import os
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import environ
from django.core.exceptions import ImproperlyConfigured

from sanyuan import redisconf

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
if (BASE_DIR / ".env").is_file():
    environ.Env.read_env(BASE_DIR / ".env")

DEBUG = env.bool("DEBUG", default=False)


def _secret(name: str, dev_default: str) -> str:
    """A secret from the environment; in DEBUG a fixed, publicly known development value."""
    value = env.str(name, default="")
    if value:
        return value
    if DEBUG:
        return dev_default
    raise ImproperlyConfigured(f"Set the environment variable {name} (see README).")


SECRET_KEY = _secret("SECRET_KEY", "dev-only-insecure-secret-key-" + "x" * 40)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["*"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

# Personal data. Keys are separate from SECRET_KEY so that rotating one never touches the
# other. PII_ENCRYPTION_KEYS: comma-separated Fernet keys, the first encrypts, all decrypt.
PII_ENCRYPTION_KEYS = env.list(
    "PII_ENCRYPTION_KEYS",
    default=["ZGV2LW9ubHktaW5zZWN1cmUtcGlpLWtleS0wMDAwMDA="] if DEBUG else [],
)
if not PII_ENCRYPTION_KEYS:
    raise ImproperlyConfigured("Set PII_ENCRYPTION_KEYS (see README).")
PII_HASH_KEY = _secret("PII_HASH_KEY", "dev-only-insecure-pii-hash-key")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "knox",
    "guardian",
    "axes",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "simple_history",
    "csp",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "sanyuan",
    "members",
    "learning",
    "activities",
    "forum",
    "transfers",
    "wechat_accounts",
    "appraisals",
    "dues",
    "hometown",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "sanyuan.security.RequestLimitsMiddleware",
    "csp.middleware.CSPMiddleware",
    "sanyuan.security.PermissionsPolicyMiddleware",
    "sanyuan.security.CacheControlMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "members.middleware.SessionIdleMiddleware",
    "members.middleware.SecondFactorMiddleware",
    "members.middleware.DenialAuditMiddleware",
    "sanyuan.idempotency.IdempotencyMiddleware",
    "sanyuan.pwa.OfflineKeyMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "sanyuan.upload.UploadRedirectMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
]

ROOT_URLCONF = "sanyuan.urls"
WSGI_APPLICATION = "sanyuan.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "sanyuan.context_processors.site",
                "members.context_processors.inbox",
                "wechat_accounts.context_processors.wechat_signin",
            ],
        },
    }
]

DATABASES = {
    "default": env.db("DATABASE_URL", default="postgres://postgres@127.0.0.1:5432/sanyuan")
}
DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("DB_CONN_MAX_AGE", default=60))
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
# Behind pgbouncer in transaction mode a server-side cursor (QuerySet.iterator() in exports
# and rollups) may be fetched on another server connection than the one that declared it.
DATABASES["default"]["DISABLE_SERVER_SIDE_CURSORS"] = env.bool(
    "DB_DISABLE_SERVER_SIDE_CURSORS", default=False
)
# The hot lookups of sanyuan/prepared.py are also prepared on the server (PREPARE/EXECUTE,
# once per connection). Not behind pgbouncer in transaction mode: off with the above.
DB_SERVER_PREPARED_STATEMENTS = env.bool(
    "DB_SERVER_PREPARED_STATEMENTS",
    default=not DATABASES["default"]["DISABLE_SERVER_SIDE_CURSORS"],
)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env.str("REDIS_URL", default="redis://127.0.0.1:6379/0")
CACHE_URL = env.str("CACHE_URL", default="redis://127.0.0.1:6379/1")
# Redis Sentinel (sanyuan/redisconf.py): the sentinels, and the names under which they watch
# the broker's Redis and the cache's. REDIS_URL and CACHE_URL then give only the password and
# the database number.
REDIS_SENTINELS = redisconf.parse_sentinels(env.list("REDIS_SENTINELS", default=[]))
REDIS_SENTINEL_MASTER = env.str("REDIS_SENTINEL_MASTER", default="")
CACHE_SENTINEL_MASTER = env.str("CACHE_SENTINEL_MASTER", default="")
redisconf.check_sentinel_settings(REDIS_SENTINELS, REDIS_SENTINEL_MASTER, CACHE_SENTINEL_MASTER)
REDIS_SENTINEL_KWARGS = redisconf.sentinel_kwargs(env.str("REDIS_SENTINEL_PASSWORD", default=""))
if CACHE_URL.startswith("locmem://"):
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
else:
    CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": CACHE_URL,
            "KEY_PREFIX": env.str("CACHE_KEY_PREFIX", default="sanyuan"),
            "OPTIONS": {
                "SOCKET_CONNECT_TIMEOUT": 2,
                "SOCKET_TIMEOUT": 2,
                # A cache that is down must not take the site down with it.
                "IGNORE_EXCEPTIONS": True,
            },
        }
    }
    if CACHE_SENTINEL_MASTER:  # every command goes to the master (replicas may lag behind)
        CACHES["default"]["LOCATION"] = redisconf.master_url(CACHE_URL, CACHE_SENTINEL_MASTER)
        CACHES["default"]["OPTIONS"].update(
            CONNECTION_FACTORY="django_redis.pool.SentinelConnectionFactory",
            SENTINELS=REDIS_SENTINELS,
            SENTINEL_KWARGS=REDIS_SENTINEL_KWARGS,
        )
DJANGO_REDIS_LOG_IGNORED_EXCEPTIONS = True

AUTH_USER_MODEL = "members.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "members.backends.MemberBackend",
    "members.backends.StaffBackend",
    "guardian.backends.ObjectPermissionBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 8},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "members:login"
LOGIN_REDIRECT_URL = "learning:home"
LOGOUT_REDIRECT_URL = "members:login"

SESSION_ENGINE = "django.contrib.sessions.backends.db"
# Sessions end after an idle period (members.middleware.SessionIdleMiddleware moves the expiry
# forward on use, at most once per SESSION_IDLE_REFRESH_SECONDS); staff sessions idle out sooner.
SESSION_IDLE_SECONDS = env.int("SESSION_IDLE_SECONDS", default=60 * 60 * 24 * 7)
STAFF_SESSION_IDLE_SECONDS = env.int("STAFF_SESSION_IDLE_SECONDS", default=60 * 60)
SESSION_IDLE_REFRESH_SECONDS = env.int("SESSION_IDLE_REFRESH_SECONDS", default=60)
SESSION_COOKIE_AGE = SESSION_IDLE_SECONDS
# 记住我 (members only): the phone keeps an HttpOnly device token; the login page there asks
# only for the password, and the member's session idles out after this long instead of
# SESSION_IDLE_SECONDS. Listed and removable in 我的 → 登录设备.
MEMBER_REMEMBER_IDLE_SECONDS = env.int("MEMBER_REMEMBER_IDLE_SECONDS", default=60 * 60 * 24 * 30)
MEMBER_REMEMBER_COOKIE = "sanyuan_device"
SESSION_SAVE_EVERY_REQUEST = False
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文")]
# Chinese for what Django's own zh_Hans catalogues leave in English (locale/README in the .po
# headers): read before Django's, also by the admin's JavaScript catalogue.
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = env.path("STATIC_ROOT", default=BASE_DIR / "staticfiles")
STATICFILES_DIRS = [BASE_DIR / "static"]
# Uploaded files are never served from MEDIA_URL directly: views check permission, then
# stream them (or, behind nginx, hand over with X-Accel-Redirect to FILES_X_ACCEL_PREFIX).
MEDIA_URL = "/media/"
MEDIA_ROOT = env.path("MEDIA_ROOT", default=BASE_DIR / "media")
FILES_X_ACCEL_PREFIX = env.str("FILES_X_ACCEL_PREFIX", default="")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

# Django REST framework and the OpenAPI schema.
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "members.api.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "sanyuan.api.PageNumberPagination",
    # Chinese parse errors (sanyuan/parsers.py); JSON nesting is checked before parsing.
    "DEFAULT_PARSER_CLASSES": [
        "sanyuan.parsers.JSONParser",
        "sanyuan.parsers.FormParser",
        "sanyuan.parsers.MultiPartParser",
    ],
    "PAGE_SIZE": 20,
    "DEFAULT_SCHEMA_CLASS": "sanyuan.schema.AutoSchema",
    # `?format=` must not pick another renderer (it made a 404 answer claim image/*).
    "URL_FORMAT_OVERRIDE": None,
    "EXCEPTION_HANDLER": "sanyuan.api.exception_handler",
    "DEFAULT_THROTTLE_RATES": {"anon": "120/min", "user": "600/min", "auth": "30/min"},
    "NUM_PROXIES": env.int("TRUSTED_PROXY_COUNT", default=0),
    # DRF's JSON text written by orjson (sanyuan/renderers.py).
    "DEFAULT_RENDERER_CLASSES": ["sanyuan.renderers.OrjsonRenderer"]
    + (["rest_framework.renderers.BrowsableAPIRenderer"] if DEBUG else []),
}
SPECTACULAR_SETTINGS = {
    "TITLE": "同心三原 流动e家 API",
    "DESCRIPTION": "小程序与移动端使用的接口。认证：`Authorization: Token <token>`。",
    "VERSION": "1.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # Every operation documents the error answers it may give (400/401/403/404/409/429).
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "sanyuan.schema.document_error_responses",
    ],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # Choice sets that share a field name get explicit names (keeps `check --deploy` clean).
    "ENUM_NAME_OVERRIDES": {
        "OrganizationKindEnum": "members.models.Organization.Kind",
        "NoticeKindEnum": "members.models.Notice.Kind",
        "ChangeRequestStatusEnum": "members.models.ChangeRequest.Status",
        "MemberStatusEnum": "members.choices.MemberStatus",
        "ArticleStatusEnum": "learning.models.Article.Status",
        "ArticleAudienceEnum": "learning.models.Article.Audience",
        "ArticleCategoryEnum": "learning.models.Article.Category",
        # activities
        "ActivityKindEnum": "activities.models.Activity.Kind",
        "ActivityStatusEnum": "activities.models.Activity.Status",
        "ActivityMaterialKindEnum": "activities.models.ActivityMaterial.Kind",
        "AttendanceStatusEnum": "activities.models.Attendance.Status",
        "ActivityAudienceEnum": "activities.models.Activity.Audience",
        # forum
        "ForumThreadKindEnum": "forum.models.Thread.Kind",
        "ForumBoardEnum": "forum.models.Board",
        "ForumReportReasonEnum": "forum.models.PostReport.Reason",
        "ForumReportStatusEnum": "forum.models.PostReport.Status",
        # transfers
        "TransferKindEnum": "transfers.models.Transfer.Kind",
        "TransferStatusEnum": "transfers.models.Transfer.Status",
        "IncomingMemberStatusEnum": ["away", "returned"],
        # appraisals
        "AppraisalRatingEnum": "appraisals.models.Rating",
        "AppraisalDecisionEnum": "appraisals.models.AppraisalParticipant.Decision",
        # dues
        "DuesEntryKindEnum": "dues.models.DuesEntry.Kind",
        "DuesReceiptKindEnum": "dues.models.DuesReceipt.Kind",
        "DuesReceiptMethodEnum": "dues.models.DuesReceipt.Method",
        "DuesOfflineMethodEnum": ["cash", "bank_transfer"],
        "DuesOrderStatusEnum": "dues.models.DuesOrder.Status",
        "DuesOrderChannelEnum": "dues.models.DuesOrder.Channel",
        "DuesCategoryEnum": "dues.models.DuesAccount.Category",
        # hometown
        "SupportCaseKindEnum": "hometown.models.SupportCase.Kind",
        "SupportCaseStatusEnum": "hometown.models.SupportCase.Status",
        "SupportCaseStepKindEnum": "hometown.models.SupportCaseStep.Kind",
        "ContributionKindEnum": "hometown.models.Contribution.Kind",
        "ContributionStatusEnum": "hometown.models.Contribution.Status",
    },
}
REST_KNOX = {
    "TOKEN_TTL": timedelta(seconds=env.int("TOKEN_IDLE_SECONDS", default=60 * 60 * 24 * 7)),
    "AUTO_REFRESH": True,  # expiry moves forward with use: an idle timeout
    "MIN_REFRESH_INTERVAL": 600,
    "AUTH_HEADER_PREFIX": "Token",
}

# Login lockout (django-axes): keyed on the account together with the client address, so that
# someone who knows an ID number cannot lock its owner out from elsewhere.
AXES_FAILURE_LIMIT = env.int("LOGIN_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("LOGIN_COOLOFF_MINUTES", default=30))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_USERNAME_CALLABLE = "members.backends.axes_username"
AXES_CLIENT_IP_CALLABLE = "sanyuan.net.client_ip"
AXES_RESET_ON_SUCCESS = True
AXES_SENSITIVE_PARAMETERS = ["password", "id_number", "code", "otp", "phone"]
AXES_LOCKOUT_CALLABLE = "members.backends.axes_lockout_response"
AXES_VERBOSE = False
# Cache-Control (sanyuan.security.CacheControlMiddleware): `no-store` for answers under these
# path prefixes (the whole API among them), except those matching CACHE_CONTROL_MAY_STORE
# (regular expressions: public reference data and the article files the service worker keeps);
# `private, no-cache` for a member's own pages the service worker keeps offline (首页, 学习,
# 活动, 消息; it revalidates them). tests/sanyuan/test_cache_control.py walks every URL and
# fails on one that belongs to no class.
CACHE_CONTROL_NO_STORE = [
    "/staff/",
    "/admin/",
    "/me/",
    "/accounts/",
    "/api/",
    "/forum/",
    "/wechat/",
    "/offline/precache.json",
]
CACHE_CONTROL_MAY_STORE = [
    r"^/api/schema/",
    r"^/api/docs/",
    r"^/api/regions/$",
    r"^/api/skills/$",
    r"^/api/articles/\d+/(cover/\w+|attachments/\d+)/$",
]
CACHE_CONTROL_REVALIDATE = [
    r"^/$",
    r"^/study/",
    r"^/articles/",
    r"^/activities/",
    r"^/notices/",
]

# Versioned caching of member API answers (sanyuan/respcache.py): how long one lives at most
# (what depends on the clock is at most this late; every database write invalidates exactly
# the answers made from the written table at once). 0 turns it off.
RESPONSE_CACHE_SECONDS = env.int("RESPONSE_CACHE_SECONDS", default=60)

# A staff account meets at most this many refusals a day for an ID number whose archive is out
# of its scope (members.services.duplicates); then archive creation and roster checks get 429.
DUPLICATE_REFUSALS_PER_DAY = env.int("DUPLICATE_REFUSALS_PER_DAY", default=20)

# A full ID number or phone in `GET /api/members/?q=` (it would land in access logs):
# "deprecated" answers it with `Deprecation: true` (this release: the mini-program may still
# send it); "refused" answers 400 naming `POST /api/members/search/` (the next release).
MEMBER_QUERY_FULL_NUMBER = env.str("MEMBER_QUERY_FULL_NUMBER", default="deprecated")

# Virus scanning of uploaded documents through clamd (sanyuan/virusscan.py): `host:port` or
# the path of clamd's local socket; empty: no scanning. Configured but not answering: uploads
# are refused.
CLAMD_ADDRESS = env.str("CLAMD_ADDRESS", default="")
CLAMD_TIMEOUT_SECONDS = env.float("CLAMD_TIMEOUT_SECONDS", default=30)

# Login throttles against password spraying (members.services.login_throttle): failed logins
# per client address (IPv6 per /64) across accounts, and per account across addresses, in a
# window; the next attempt answers 429 until the window ends. Successes never count.
LOGIN_THROTTLE_ADDRESS_FAILURES = env.int("LOGIN_THROTTLE_ADDRESS_FAILURES", default=30)
LOGIN_THROTTLE_ACCOUNT_FAILURES = env.int("LOGIN_THROTTLE_ACCOUNT_FAILURES", default=10)
LOGIN_THROTTLE_WINDOW_SECONDS = env.int("LOGIN_THROTTLE_WINDOW_SECONDS", default=600)
# Number of reverse proxies in front of gunicorn; the client address is read from
# X-Forwarded-For only this many hops deep, so that a forged header changes nothing.
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)

GUARDIAN_RAISE_403 = False
GUARDIAN_MONKEY_PATCH_USER = False
ANONYMOUS_USER_NAME = None

# Celery: Redis broker, JSON only, a task is acknowledged after it ran, tasks are sent
# after the transaction commits (DjangoTask.delay_on_commit).
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default=REDIS_URL)
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_IGNORE_RESULT = True
CELERY_RESULT_EXPIRES = 3600
CELERY_TASK_TIME_LIMIT = 300
CELERY_TASK_SOFT_TIME_LIMIT = 240
CELERY_TASK_DEFAULT_QUEUE = env.str("CELERY_QUEUE", default="sanyuan")
CELERY_BROKER_TRANSPORT_OPTIONS = {
    # A task whose worker died unacknowledged runs again after this many seconds.
    "visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT", default=3600),
    "unacked_restore_interval": env.int("CELERY_UNACKED_RESTORE_INTERVAL", default=10),
    "unacked_restore_throttle": env.int("CELERY_UNACKED_RESTORE_THROTTLE", default=10),
    "socket_timeout": 5,
    "socket_connect_timeout": 2,
}
_plain_broker_url = CELERY_BROKER_URL
if REDIS_SENTINEL_MASTER:
    CELERY_BROKER_URL = redisconf.kombu_sentinel_url(CELERY_BROKER_URL, REDIS_SENTINELS)
    CELERY_BROKER_TRANSPORT_OPTIONS.update(
        master_name=REDIS_SENTINEL_MASTER, sentinel_kwargs=REDIS_SENTINEL_KWARGS
    )
    CELERY_RESULT_BACKEND_TRANSPORT_OPTIONS = {
        "master_name": REDIS_SENTINEL_MASTER,
        "sentinel_kwargs": REDIS_SENTINEL_KWARGS,
    }
# A result backend given as the broker's URL follows the broker (through the sentinels too).
_result_backend = env.str("CELERY_RESULT_BACKEND", default=_plain_broker_url)
CELERY_RESULT_BACKEND = (
    CELERY_BROKER_URL if _result_backend == _plain_broker_url else _result_backend
)
if REDIS_SENTINEL_MASTER:
    # Celery reads these two environment variables in preference to the settings above.
    for _name, _value in [
        ("CELERY_BROKER_URL", CELERY_BROKER_URL),
        ("CELERY_RESULT_BACKEND", CELERY_RESULT_BACKEND),
    ]:
        if _name in os.environ:
            os.environ[_name] = _value
# Beat on several hosts (celery-redbeat): the schedule lives in the broker's Redis and only the
# beat holding the lock sends tasks; a standby takes over when the holder has not renewed the
# lock for CELERY_BEAT_LOCK_SECONDS (it renews on every wake-up, at most every 5 seconds).
CELERY_BEAT_SCHEDULER = "redbeat.RedBeatScheduler"
CELERY_BEAT_MAX_LOOP_INTERVAL = 5
CELERY_REDBEAT_KEY_PREFIX = f"{CELERY_TASK_DEFAULT_QUEUE}:beat"
CELERY_REDBEAT_LOCK_TIMEOUT = env.int("CELERY_BEAT_LOCK_SECONDS", default=30)
_redbeat = redisconf.redbeat_settings(
    _plain_broker_url, REDIS_SENTINELS, REDIS_SENTINEL_MASTER, REDIS_SENTINEL_KWARGS
)
CELERY_REDBEAT_REDIS_URL = _redbeat["redbeat_redis_url"]
CELERY_REDBEAT_REDIS_OPTIONS = _redbeat["redbeat_redis_options"]
# A request must not hang when the broker is down: try once, then leave it to the sweeper.
CELERY_TASK_PUBLISH_RETRY_POLICY = {
    "max_retries": 1,
    "interval_start": 0,
    "interval_step": 0.2,
    "interval_max": 0.5,
}
CELERY_BROKER_CONNECTION_TIMEOUT = 2
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TIMEZONE = TIME_ZONE
# Lost-contact alerts (失联风险) and the dashboard: a member not contacted for
# CONTACT_OVERDUE_DAYS is "contact overdue"; no contact, login or study for LOST_CONTACT_DAYS
# is a lost-contact risk.
CONTACT_OVERDUE_DAYS = env.int("CONTACT_OVERDUE_DAYS", default=90)
LOST_CONTACT_DAYS = env.int("LOST_CONTACT_DAYS", default=90)
LOST_CONTACT_ESCALATE_DAYS = 30
STATS_ROLLUP_SECONDS = env.float("STATS_ROLLUP_SECONDS", default=300.0)
STATS_LIVE_MAX_MEMBERS = env.int("STATS_LIVE_MAX_MEMBERS", default=5_000)
HOSTING_QR_TTL_SECONDS = 600  # a member's arrival QR code is good for ten minutes

NOTICE_SWEEP_SECONDS = env.float("NOTICE_SWEEP_SECONDS", default=60.0)
# How often Aliyun receipts of notice SMS are polled (QuerySendDetails).
NOTICE_SMS_RECEIPT_POLL_SECONDS = env.float("NOTICE_SMS_RECEIPT_POLL_SECONDS", default=900.0)
# Activities: reminders go out this long before the start; the sweep runs this often.
ACTIVITY_REMINDER_LEAD_HOURS = env.int("ACTIVITY_REMINDER_LEAD_HOURS", default=24)
ACTIVITY_REMINDER_SWEEP_SECONDS = env.float("ACTIVITY_REMINDER_SWEEP_SECONDS", default=300.0)
# Periodic jobs (celery beat). Each app's entries are listed here, in one place.
CELERY_BEAT_SCHEDULE: dict = {
    # members: re-send notices that a lost task or a down broker left behind
    "notice-sweep": {"task": "members.notice-sweep", "schedule": NOTICE_SWEEP_SECONDS},
    "notice-sms-receipts": {
        "task": "members.notice-sms-receipts",
        "schedule": NOTICE_SMS_RECEIPT_POLL_SECONDS,
    },
    # members: delete expired API tokens (requests check only their own token)
    "token-cleanup": {"task": "members.token-cleanup", "schedule": 3600.0},
    # members: delete roster files of dry runs nobody confirmed within a day
    "roster-cleanup": {"task": "members.roster-cleanup", "schedule": 3600.0},
    # members: export files past EXPORT_TTL_SECONDS are deleted
    "export-expire": {"task": "members.export-expire", "schedule": 3600.0},
    # members: flag, clear and escalate lost-contact risks; refresh the dashboard rollups
    "lost-contact-scan": {"task": "members.lost-contact-scan", "schedule": 3600.0},
    "stats-rollup": {"task": "members.stats-rollup", "schedule": STATS_ROLLUP_SECONDS},
    # members: temporary branches' membership follows the archive (proposals to their staff)
    "temporary-branch-sync": {"task": "members.temporary-branch-sync", "schedule": 3600.0},
    # learning: scheduled articles go out when due; feed sources are polled when due
    "learning-publish-due": {"task": "learning.article-publish-due", "schedule": 60.0},
    "learning-feed-sync": {"task": "learning.feed-sync-due", "schedule": 300.0},
    # activities: remind the audience of activities starting within the lead time (once each)
    "activity-reminders": {
        "task": "activities.send-reminders",
        "schedule": ACTIVITY_REMINDER_SWEEP_SECONDS,
    },
    # forum: —
    # transfers: letters past their validity without receipt go back to staff attention
    "transfer-letters-expire": {"task": "transfers.expire-letters", "schedule": 3600.0},
    # appraisals: remind participants and staff before each stage of a round closes (once each)
    "appraisal-reminders": {"task": "appraisals.send-reminders", "schedule": 3600.0},
    # dues: the month's dues are assessed and members reminded on the due day and 15 days
    # later (each once); unpaid orders are queried (lost callbacks) and closed; yesterday's
    # trade bill is reconciled after WeChat Pay publishes it (10:00 Beijing time)
    "dues-daily": {"task": "dues.daily", "schedule": 3600.0},
    "dues-orders-sweep": {"task": "dues.orders-sweep", "schedule": 300.0},
    "dues-reconcile": {"task": "dues.reconcile", "schedule": 3600.0},
    # hometown: support cases without a step for SUPPORT_CASE_STALE_DAYS remind the home branch
    "support-cases-remind": {"task": "hometown.remind-stale-cases", "schedule": 86400.0},
    # hardening: delete audit events older than AUDIT_RETENTION_DAYS (daily)
    "audit-purge": {"task": "members.audit-purge", "schedule": 86400.0},
}

# Learning library: syncing the county public account (三原县党建) and study records.
# Feeds are fetched only from these hosts (".example.com" allows its subdomains), never from
# private, loopback or link-local addresses unless LEARNING_FEED_ALLOW_PRIVATE_ADDRESSES.
LEARNING_FEED_ALLOWED_HOSTS = env.list(
    "LEARNING_FEED_ALLOWED_HOSTS", default=["api.weixin.qq.com", "mp.weixin.qq.com"]
)
LEARNING_FEED_ALLOW_PRIVATE_ADDRESSES = env.bool(
    "LEARNING_FEED_ALLOW_PRIVATE_ADDRESSES", default=False
)
LEARNING_FEED_ALLOW_HTTP = env.bool("LEARNING_FEED_ALLOW_HTTP", default=False)
LEARNING_FEED_MAX_BYTES = env.int("LEARNING_FEED_MAX_BYTES", default=5 * 1024 * 1024)
LEARNING_FEED_TIMEOUT_SECONDS = env.float("LEARNING_FEED_TIMEOUT_SECONDS", default=15.0)
LEARNING_FEED_RETRY_BACKOFF_BASE = env.float("LEARNING_FEED_RETRY_BACKOFF_BASE", default=60.0)
# The official account API (freepublish/batchget); app id and secret only from the environment.
LEARNING_WECHAT_API_BASE = env.str("WECHAT_API_BASE", default="https://api.weixin.qq.com")
LEARNING_WECHAT_APP_ID = env.str("WECHAT_APP_ID", default="")
LEARNING_WECHAT_APP_SECRET = env.str("WECHAT_APP_SECRET", default="")
# An article counts as read to the end once its end is reached after this much visible time.
LEARNING_FINISH_MIN_SECONDS = env.int("LEARNING_FINISH_MIN_SECONDS", default=10)

# Notices: external channels.
NOTICE_SMS_DAILY_CAP = env.int("NOTICE_SMS_DAILY_CAP", default=5)
NOTICE_MAX_ATTEMPTS = env.int("NOTICE_MAX_ATTEMPTS", default=6)
NOTICE_RETRY_BACKOFF_BASE = env.float("NOTICE_RETRY_BACKOFF_BASE", default=30.0)
NOTICE_RETRY_BACKOFF_MAX = 3600
NOTICE_SWEEP_GRACE_SECONDS = env.int("NOTICE_SWEEP_GRACE_SECONDS", default=30)
NOTICE_SENDING_TIMEOUT_SECONDS = env.int("NOTICE_SENDING_TIMEOUT_SECONDS", default=600)
# Notices by text message (README "Text messages to members"): local times between which no
# notice SMS goes out (held until the end; one-time codes are exempt), messages per county
# and month (0: no budget) and the share of it at which county staff are warned, recipients
# per batch of the sender.
NOTICE_SMS_QUIET_START = env.str("NOTICE_SMS_QUIET_START", default="22:00")
NOTICE_SMS_QUIET_END = env.str("NOTICE_SMS_QUIET_END", default="08:00")
NOTICE_SMS_MONTHLY_BUDGET = env.int("NOTICE_SMS_MONTHLY_BUDGET", default=0)
NOTICE_SMS_BUDGET_WARN_SHARE = env.float("NOTICE_SMS_BUDGET_WARN_SHARE", default=0.8)
NOTICE_SMS_BATCH_SIZE = env.int("NOTICE_SMS_BATCH_SIZE", default=1000)
# A push channel tried before the text message (members/services/notice_push.py): the
# mini-program's subscribe messages for members who accepted the kind's template. Empty: off.
NOTICE_PUSH_CHANNEL = env.str(
    "NOTICE_PUSH_CHANNEL", default="wechat_accounts.services.subscriptions.SUBSCRIBE_CHANNEL"
)
# Attempts at a push that fails transiently (WeChat busy, quota) before the text goes instead.
NOTICE_PUSH_MAX_ATTEMPTS = env.int("NOTICE_PUSH_MAX_ATTEMPTS", default=3)

# WeChat (sanyuan/wechat/, README "What the county sets up for WeChat"): the official account
# (服务号) for web sign-in (网页授权 snsapi_base), the mini-program for its login
# (jscode2session) and subscribe messages. Base URLs are settings so tests talk to a local fake.
WECHAT_API_BASE_URL = env.str("WECHAT_API_BASE_URL", default="https://api.weixin.qq.com")
WECHAT_OPEN_BASE_URL = env.str("WECHAT_OPEN_BASE_URL", default="https://open.weixin.qq.com")
WECHAT_MP_APP_ID = env.str("WECHAT_MP_APP_ID", default="")
WECHAT_MP_APP_SECRET = env.str("WECHAT_MP_APP_SECRET", default="")
WECHAT_MINI_APP_ID = env.str("WECHAT_MINI_APP_ID", default="")
WECHAT_MINI_APP_SECRET = env.str("WECHAT_MINI_APP_SECRET", default="")
# The domain-verification file WeChat asks for when the 网页授权域名 is set: its name
# (MP_verify_<code>.txt) and content (by default the <code> part of the name).
WECHAT_MP_VERIFY_FILE = {
    "name": env.str("WECHAT_MP_VERIFY_FILE", default=""),
    "content": env.str("WECHAT_MP_VERIFY_CONTENT", default=""),
}
# Subscribe-message templates per notice kind ("notice" is the fallback for kinds without
# their own), as JSON: {"notice": {"template_id": "…", "fields": {"thing1": "title",
# "time2": "sent_at"}}}; each keyword (its type is the name without the digits) is filled
# from the named value. Empty: the channel is off.
WECHAT_SUBSCRIBE_TEMPLATES = env.json("WECHAT_SUBSCRIBE_TEMPLATES", default={})
# The mini-program page a subscribe message opens ("{notice_id}" is replaced), e.g.
# "pages/notices/detail?id={notice_id}"; empty: the message opens nothing.
WECHAT_SUBSCRIBE_PAGE = env.str("WECHAT_SUBSCRIBE_PAGE", default="")
# Which version of the mini-program a subscribe message opens: formal, trial or developer.
WECHAT_MINI_PROGRAM_STATE = env.str("WECHAT_MINI_PROGRAM_STATE", default="formal")
WECHAT_TIMEOUT_SECONDS = env.float("WECHAT_TIMEOUT_SECONDS", default=5.0)
# The cached access_token is dropped this long before WeChat's expires_in runs out.
WECHAT_TOKEN_MARGIN_SECONDS = env.int("WECHAT_TOKEN_MARGIN_SECONDS", default=300)
# How long a WeChat sign-in waits for the member to log in and bind (and an OAuth state lives).
WECHAT_BIND_PENDING_SECONDS = env.int("WECHAT_BIND_PENDING_SECONDS", default=600)

# Text messages. Chinese gateways send approved templates with parameters, never free text.
# console / file / http (generic JSON) send one by one; aliyun / tencent use the vendors' SDKs
# and batch APIs (README "Text messages (SMS gateways)").
SMS_BACKEND = env.str("SMS_BACKEND", default="console" if DEBUG else "http")
SMS_FILE_PATH = Path(env.str("SMS_FILE_PATH", default=str(BASE_DIR / "var" / "sms.jsonl")))
SMS_HTTP_URL = env.str("SMS_HTTP_URL", default="")
SMS_HTTP_TOKEN = env.str("SMS_HTTP_TOKEN", default="")
# Seconds to wait for any SMS gateway (http, aliyun, tencent).
SMS_HTTP_TIMEOUT = env.float("SMS_HTTP_TIMEOUT", default=5.0)
SMS_SIGN_NAME = env.str("SMS_SIGN_NAME", default="三原县委组织部")
SMS_ALIYUN_ACCESS_KEY_ID = env.str("SMS_ALIYUN_ACCESS_KEY_ID", default="")
SMS_ALIYUN_ACCESS_KEY_SECRET = env.str("SMS_ALIYUN_ACCESS_KEY_SECRET", default="")
SMS_ALIYUN_ENDPOINT = env.str("SMS_ALIYUN_ENDPOINT", default="dysmsapi.aliyuncs.com")
SMS_ALIYUN_PROTOCOL = env.str("SMS_ALIYUN_PROTOCOL", default="https")
SMS_TENCENT_SECRET_ID = env.str("SMS_TENCENT_SECRET_ID", default="")
SMS_TENCENT_SECRET_KEY = env.str("SMS_TENCENT_SECRET_KEY", default="")
SMS_TENCENT_SDK_APP_ID = env.str("SMS_TENCENT_SDK_APP_ID", default="")
SMS_TENCENT_REGION = env.str("SMS_TENCENT_REGION", default="ap-guangzhou")
SMS_TENCENT_ENDPOINT = env.str("SMS_TENCENT_ENDPOINT", default="sms.tencentcloudapi.com")
SMS_TENCENT_PROTOCOL = env.str("SMS_TENCENT_PROTOCOL", default="https")
# The vendors sign neither Tencent's callbacks nor Aliyun's HTTP batch pushes: their URLs carry
# this secret (…/?token=…). Aliyun pushes through MNS are RSA-signed instead; their certificate
# must come from one of these URL prefixes.
SMS_CALLBACK_TOKEN = env.str("SMS_CALLBACK_TOKEN", default="")
SMS_MNS_CERT_URL_PREFIXES = env.list(
    "SMS_MNS_CERT_URL_PREFIXES",
    default=["https://mnstest.oss-cn-hangzhou.aliyuncs.com/", "https://mns-cert.oss-cn-"],
)
# Per kind: the approved template's code at the vendor, its variables in template order with
# their maximum length (None: the vendor's default for the variable's type; README cites the
# rules) and, where not "text", their type (code, number, phone, time, money, link).
SMS_TEMPLATES = {
    # 您的验证码为${code}，${minutes}分钟内有效，请勿告诉他人。
    "one_time_code": {
        "code": env.str("SMS_TEMPLATE_ONE_TIME_CODE", default="SMS_OTP"),
        "params": {"code": None, "minutes": 3},
        "types": {"code": "code", "minutes": "number"},
    },
    # ${name}同志，组织已为您签发流动e家激活码，请向所在党组织工作人员领取。
    "staff_code_issued": {
        "code": env.str("SMS_TEMPLATE_STAFF_CODE_ISSUED", default="SMS_STAFF_CODE"),
        "params": {"name": None},
    },
    # 您有一条新通知：${title}，请登录流动e家查看。
    "notice": {
        "code": env.str("SMS_TEMPLATE_NOTICE", default="SMS_NOTICE"),
        "params": {"title": None},
    },
    # 您提交的档案修改申请有了审核结果：${title}，请登录流动e家查看。
    "notice_review_outcome": {
        "code": env.str("SMS_TEMPLATE_NOTICE_REVIEW", default="SMS_NOTICE_REVIEW"),
        "params": {"title": None},
    },
    # 活动提醒：${title}，请按时参加，详情请登录流动e家查看。
    "notice_activity_reminder": {
        "code": env.str("SMS_TEMPLATE_NOTICE_REMINDER", default="SMS_NOTICE_REMINDER"),
        "params": {"title": None},
    },
}

# WeChat Pay API v3 (sanyuan/wechatpay/, README "WeChat Pay"). WECHATPAY_MERCHANTS is a JSON
# list: which merchant collects for which organisation subtree, with the paths of its keys.
WECHATPAY_BASE_URL = env.str("WECHATPAY_BASE_URL", default="https://api.mch.weixin.qq.com")
WECHATPAY_NOTIFY_URL = env.str("WECHATPAY_NOTIFY_URL", default="")
try:
    WECHATPAY_MERCHANTS = env.json("WECHATPAY_MERCHANTS", default=[])
except ValueError as exc:
    raise ImproperlyConfigured("WECHATPAY_MERCHANTS is not valid JSON (see README).") from exc
if not isinstance(WECHATPAY_MERCHANTS, list):
    raise ImproperlyConfigured("WECHATPAY_MERCHANTS must be a JSON list of merchants.")
WECHATPAY_TIMEOUT_SECONDS = env.float("WECHATPAY_TIMEOUT_SECONDS", default=10.0)

EMAIL_BACKEND = {
    "console": "django.core.mail.backends.console.EmailBackend",
    "smtp": "django.core.mail.backends.smtp.EmailBackend",
    "locmem": "django.core.mail.backends.locmem.EmailBackend",
}[env.str("EMAIL_BACKEND", default="console" if DEBUG else "smtp")]
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="noreply@localhost")

# One-time codes for activation and password reset.
ONE_TIME_CODE_TTL = timedelta(minutes=10)
ONE_TIME_CODE_STAFF_TTL = timedelta(hours=72)
ONE_TIME_CODE_MAX_ATTEMPTS = 5
# (limit, window in seconds) for sending codes.
ONE_TIME_CODE_RATES = {
    "archive": [(1, 60), (5, 86400)],
    "phone": [(1, 60), (10, 86400)],
    "ip": [(20, 3600)],
}
# Phone + code login for members (POST /api/auth/login-code/, …/verify/): the code lives
# LOGIN_CODE_TTL and dies after ONE_TIME_CODE_MAX_ATTEMPTS wrong tries; it signs in only an
# activated archive whose phone the member confirmed (by a code sent to it) within
# PHONE_CONFIRMED_DAYS, since carriers give a number to someone else after a while.
PHONE_CONFIRMED_DAYS = env.int("PHONE_CONFIRMED_DAYS", default=365)
LOGIN_CODE_TTL = timedelta(minutes=env.int("LOGIN_CODE_TTL_MINUTES", default=5))
# (limit, window in seconds) for sending login codes: per number asked for (registered or
# not, so that a 429 tells nothing) and per client address.
LOGIN_CODE_RATES = {
    "phone": [(1, 60), (10, 86400)],
    "ip": [(20, 3600)],
}
PRIVACY_NOTICE_VERSION = "2026-11"

SITE_NAME = "同心三原 流动e家"

# Installable web app and offline reading (sanyuan/pwa.py, templates/pwa/sw.js): each app
# names the pages a member will want offline; the service worker fetches at most this many.
OFFLINE_PRECACHE_PROVIDERS = [
    "members.offline.precache_urls",
    "activities.offline.precache_urls",
    "learning.offline.precache_urls",
]
OFFLINE_PRECACHE_MAX = env.int("OFFLINE_PRECACHE_MAX", default=40)
# The staff 工作台's to-dos (sanyuan/todos.py): each app names its provider.
STAFF_TODO_PROVIDERS = [
    "members.todos.staff_todos",
    "forum.todos.staff_todos",
    "activities.todos.staff_todos",
    "transfers.todos.staff_todos",
    "appraisals.todos.staff_todos",
    "dues.todos.staff_todos",
    "hometown.todos.staff_todos",
]
# 首页's 我的待办 for members (sanyuan.todos.member_todos): unanswered activities, unfinished
# required study.
MEMBER_TODO_PROVIDERS = [
    "activities.todos.member_todos",
    "learning.todos.member_todos",
    "forum.todos.member_todos",
]
# Exports (members/services/export_jobs.py): up to EXPORT_INLINE_MAX_ROWS rows are answered in
# the request; more run as a Celery task and the file is kept EXPORT_TTL_SECONDS. Each export
# names its writer.
EXPORT_INLINE_MAX_ROWS = env.int("EXPORT_INLINE_MAX_ROWS", default=2_000)
EXPORT_TTL_SECONDS = env.int("EXPORT_TTL_SECONDS", default=24 * 3600)
EXPORT_WRITERS = {
    "members.archive": "members.services.exports.member_export_writer",
    "learning.study": "learning.exports.study_export_writer",
}
# transfers: where 党费交至 comes from once a dues ledger exists (a dotted path to
# `func(member=...) -> date | None`; empty: staff enter it on the letter). See transfers/dues.py.
TRANSFER_DUES_PAID_UNTIL = "dues.interface.paid_until"

# Party dues (dues/, README "Party dues (党费)"): amounts in fen, rounded half up (ROUND_HALF_UP,
# or ROUND_HALF_EVEN) from the declared monthly base; due on this day of each month; a
# reminder again this many days later; members this many months behind are listed for
# their branch staff; an unpaid online order is closed after ORDER_MINUTES.
DUES_ROUNDING = env.str("DUES_ROUNDING", default="ROUND_HALF_UP")
DUES_DUE_DAY = env.int("DUES_DUE_DAY", default=5)
DUES_SECOND_REMINDER_DAYS = 15
DUES_BEHIND_MONTHS = 6
DUES_ORDER_MINUTES = 30
DUES_MAX_MONTHS_AHEAD = 12
# hometown: a family support case (困难帮扶) without a step for this many days reminds the
# home branch (Celery beat, daily); 回馈标兵 are published as 优秀典型 articles through this
# function (a dotted path, `func(*, actor, title, summary, body) -> int` the article's id;
# feature apps do not import each other).
SUPPORT_CASE_STALE_DAYS = 30
HOMETOWN_EXEMPLAR_PUBLISHER = "learning.services.exemplars.exemplar_publish"
# /metrics reports the outbox of the app that keeps it (sanyuan imports no app).
METRICS_OUTBOX_COUNTS = "members.metrics.outbox_counts"

# forum: the author's edit window, flood limits per member (Redis counters) and photos per post.
FORUM_EDIT_WINDOW_SECONDS = env.int("FORUM_EDIT_WINDOW_SECONDS", default=30 * 60)
FORUM_POSTS_PER_MINUTE = env.int("FORUM_POSTS_PER_MINUTE", default=5)
FORUM_THREADS_PER_DAY = env.int("FORUM_THREADS_PER_DAY", default=10)
FORUM_MAX_IMAGES_PER_POST = env.int("FORUM_MAX_IMAGES_PER_POST", default=4)

# Security. Behind the proxy, TLS terminates at nginx, which sets X-Forwarded-Proto.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SECURE_REDIRECT_EXEMPT = [r"^healthz/$"]
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = False
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SILENCED_SYSTEM_CHECKS = [
    # HSTS preload is a decision for the operator of the domain, not for the code.
    "security.W021",
]

SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"


# Content-Security-Policy (django-csp): no inline script or style anywhere, no other origins.
# Staff pages, the admin, the API docs (drf-spectacular sidecar, split view) and the service
# worker all work under it; tests/browser/test_security_headers.py listens for violations.
def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:", "blob:"],
        "font-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "worker-src": ["'self'"],
        "manifest-src": ["'self'"],
        "frame-src": ["'none'"],
        "frame-ancestors": ["'none'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        # 党费 → 微信支付 submits a form that the site answers with a redirect to WeChat's
        # silent authorisation (snsapi_base); browsers apply form-action to that redirect.
        "form-action": ["'self'", _origin(WECHAT_OPEN_BASE_URL)],
    }
}
# Browser features no page uses are switched off (sanyuan.security.PermissionsPolicyMiddleware).
PERMISSIONS_POLICY = env.str(
    "PERMISSIONS_POLICY",
    default=(
        "accelerometer=(), autoplay=(), camera=(), display-capture=(), geolocation=(), "
        "gyroscope=(), magnetometer=(), microphone=(), midi=(), payment=(), usb=(), "
        "interest-cohort=()"
    ),
)

# Request limits. Bodies above REQUEST_MAX_BODY_BYTES are refused with 413 before they are
# read (nginx's client_max_body_size should be the same); form and JSON bodies above
# DATA_UPLOAD_MAX_MEMORY_SIZE, too many fields or files get a Chinese 400/413, never a 500.
REQUEST_MAX_BODY_BYTES = env.int("REQUEST_MAX_BODY_BYTES", default=30 * 1024 * 1024)
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_NUMBER_FIELDS = 1000
DATA_UPLOAD_MAX_NUMBER_FILES = 10

# Benchmarks only: report the SQL query count of each response in `X-Query-Count`.
if env.bool("BENCH_QUERY_COUNT", default=False):
    MIDDLEWARE.insert(0, "sanyuan.middleware.QueryCountHeaderMiddleware")
# Second factor (django-otp, TOTP) for staff. Accounts of these tiers must enrol a device
# and give its code at every login (web, admin and API); other staff may enrol voluntarily,
# and once they have, the code is asked of them too.
STAFF_OTP_REQUIRED_TIERS = env.list("STAFF_OTP_REQUIRED_TIERS", default=["county"])
OTP_TOTP_ISSUER = SITE_NAME
OTP_LOGIN_PENDING_SECONDS = 300

# Audit log: kept this long (at least 180 days; the purge task deletes older rows), and at
# most this many permission denials recorded per account or address and minute.
AUDIT_RETENTION_DAYS = max(180, env.int("AUDIT_RETENTION_DAYS", default=365))
AUDIT_DENIALS_PER_MINUTE = env.int("AUDIT_DENIALS_PER_MINUTE", default=10)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    # Control characters in logged values are escaped: a username with a line feed cannot
    # forge a log line (sanyuan/logsafe.py).
    "formatters": {
        "plain": {
            "()": "sanyuan.logsafe.SafeFormatter",
            "format": "%(asctime)s %(levelname)s %(name)s %(message)s",
        }
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {"axes": {"level": "WARNING"}},
}

# Operations: shared file storage, metrics, backups (README "Running in production").
# FILE_STORAGE=s3 keeps uploaded files in an S3-compatible bucket that every web and worker
# host shares (private objects; nginx fetches them with a short-lived signed URL after the
# permission check, see sanyuan/files.py). The default is the local MEDIA_ROOT.
FILE_STORAGE = env.str("FILE_STORAGE", default="local")
if FILE_STORAGE == "s3":
    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": env.str("S3_BUCKET"),
            "endpoint_url": env.str("S3_ENDPOINT_URL", default="") or None,
            "region_name": env.str("S3_REGION", default="") or None,
            "access_key": env.str("S3_ACCESS_KEY_ID", default="") or None,
            "secret_key": env.str("S3_SECRET_ACCESS_KEY", default="") or None,
            "addressing_style": env.str("S3_ADDRESSING_STYLE", default="path"),
            "location": env.str("S3_PREFIX", default=""),
            "signature_version": "s3v4",
            "default_acl": None,  # objects stay private; only signed URLs read them
            "querystring_auth": True,
            "querystring_expire": env.int("S3_SIGNED_URL_SECONDS", default=60),
            "file_overwrite": False,
        },
    }
elif FILE_STORAGE != "local":
    raise ImproperlyConfigured("FILE_STORAGE must be 'local' or 's3'.")
# /metrics (Prometheus text format): only from these networks (client address as seen through
# TRUSTED_PROXY_COUNT proxies) and, when METRICS_TOKEN is set, with `Authorization: Bearer …`.
METRICS_TOKEN = env.str("METRICS_TOKEN", default="")
METRICS_ALLOWED_NETWORKS = env.list("METRICS_ALLOWED_NETWORKS", default=["127.0.0.0/8", "::1/128"])
# `manage.py backup` / `restore` call these PostgreSQL client programs (same major version
# as the server).
BACKUP_PG_DUMP = env.str("BACKUP_PG_DUMP", default="pg_dump")
BACKUP_PG_RESTORE = env.str("BACKUP_PG_RESTORE", default="pg_restore")
MIDDLEWARE.insert(0, "sanyuan.metrics.MetricsMiddleware")
SECURE_REDIRECT_EXEMPT.append(r"^metrics$")

# Error tracking (sanyuan/errortracking.py) to a self-hosted Sentry or GlitchTip; nothing is
# sent without a DSN, and personal data is scrubbed from every event before it leaves.
SENTRY_DSN = env.str("SENTRY_DSN", default="")
SENTRY_ENVIRONMENT = env.str("SENTRY_ENVIRONMENT", default="production")
SENTRY_TRACES_SAMPLE_RATE = env.float("SENTRY_TRACES_SAMPLE_RATE", default=0.0)
if SENTRY_DSN:
    from sanyuan.errortracking import init_error_tracking

    init_error_tracking(
        dsn=SENTRY_DSN,
        environment=SENTRY_ENVIRONMENT,
        traces_sample_rate=SENTRY_TRACES_SAMPLE_RATE,
    )
