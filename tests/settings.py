"""Test settings: production settings with what tests need changed, nothing more.

Each pytest-xdist worker gets its own PostgreSQL test database (pytest-django adds the
suffix) and its own two Redis databases (cache, broker), so `cache.clear()` and queue
contents never cross workers. SANYUAN_TEST_SLOT (0-3) separates concurrent test runs on one
machine.
"""

import os
import tempfile

os.environ.setdefault("SECRET_KEY", "test-secret-key-" + "t" * 48)
os.environ.setdefault("PII_ENCRYPTION_KEYS", "dGVzdC1vbmx5LXBpaS1lbmNyeXB0aW9uLWtleS0wMDA=")
os.environ.setdefault("PII_HASH_KEY", "test-only-pii-hash-key-0000000000")
os.environ.setdefault("ALLOWED_HOSTS", "testserver,localhost,127.0.0.1")
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/sanyuan")

_slot = int(os.environ.get("SANYUAN_TEST_SLOT", "0"))
_worker = os.environ.get("PYTEST_XDIST_WORKER", "gw0")
_worker_index = int(_worker[2:]) if _worker.startswith("gw") and _worker[2:].isdigit() else 0
REDIS_CACHE_DB = (_slot * 4 + _worker_index * 2) % 16
REDIS_BROKER_DB = REDIS_CACHE_DB + 1
_redis_host = os.environ.get("TEST_REDIS_HOST", "redis://127.0.0.1:6379")
os.environ["CACHE_URL"] = f"{_redis_host}/{REDIS_CACHE_DB}"
os.environ["REDIS_URL"] = f"{_redis_host}/{REDIS_BROKER_DB}"
# Subprocesses of fault tests point at a throwaway Redis with TEST_BROKER_URL.
os.environ["CELERY_BROKER_URL"] = (
    os.environ.get("TEST_BROKER_URL") or f"{_redis_host}/{REDIS_BROKER_DB}"
)
os.environ["CELERY_RESULT_BACKEND"] = (
    os.environ.get("TEST_BROKER_URL") or f"{_redis_host}/{REDIS_BROKER_DB}"
)
os.environ["CELERY_QUEUE"] = f"sanyuan-test-{_slot}-{_worker_index}"

from sanyuan.settings import *  # noqa: E402, F403
from sanyuan.settings import DATABASES, STORAGES  # noqa: E402

TEST_RUN_DIR = tempfile.mkdtemp(prefix=f"sanyuan-test-{_slot}-{_worker_index}-")

DATABASES["default"]["TEST"] = {"NAME": f"test_sanyuan_s{_slot}"}
# Migration tests change tables under a live connection, which a statement prepared on the
# server does not survive: on only in tests/sanyuan/test_prepared.py.
DB_SERVER_PREPARED_STATEMENTS = False
DATABASES["default"]["CONN_MAX_AGE"] = 0

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
SECURE_SSL_REDIRECT = False
# Business-logic tests run tasks inline; tests of the queue itself start real workers and
# pass CELERY_TASK_ALWAYS_EAGER=0 (and the other variables below) to those processes.
CELERY_TASK_ALWAYS_EAGER = os.environ.get("CELERY_TASK_ALWAYS_EAGER", "1") == "1"
SMS_BACKEND = os.environ.get("SMS_BACKEND", "file")
SMS_FILE_PATH = __import__("pathlib").Path(
    os.environ.get("SMS_FILE_PATH") or os.path.join(TEST_RUN_DIR, "sms.jsonl")
)
# No quiet hours unless a test sets them (with a frozen clock): a run at 22:00 Beijing time
# would otherwise hold every notice SMS.
NOTICE_SMS_QUIET_START = NOTICE_SMS_QUIET_END = "00:00"
NOTICE_RETRY_BACKOFF_BASE = float(os.environ.get("NOTICE_RETRY_BACKOFF_BASE", "0"))
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
MEDIA_ROOT = os.path.join(TEST_RUN_DIR, "media")
STORAGES = {
    **STORAGES,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# Versioned answer caching (sanyuan/respcache.py) is off here, so that query-count tests pin
# the work of building each answer; tests/sanyuan/test_respcache.py and
# tests/hardening/test_tier_matrix_cached.py turn it on.
RESPONSE_CACHE_SECONDS = 0
