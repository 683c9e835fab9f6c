import os
import subprocess
import sys
from pathlib import Path

from django.conf import settings

ROOT = Path(__file__).resolve().parents[2]


def production_env(**extra):
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DEBUG", "DJANGO_SETTINGS_MODULE", "DJANGO_ALLOW_ASYNC_UNSAFE"}
        and not key.startswith(("PYTEST", "SANYUAN"))
    }
    env.update(
        DJANGO_SETTINGS_MODULE="sanyuan.settings",
        SECRET_KEY="k3y-" + "Zq9!xR7@pL2#vB5$" * 4,
        ALLOWED_HOSTS="ldej.example.gov.cn",
        PII_ENCRYPTION_KEYS="dGVzdC1vbmx5LXBpaS1lbmNyeXB0aW9uLWtleS0wMDA=",
        PII_HASH_KEY="another-long-random-hash-key-000000",
    )
    env.update(extra)
    return env


def test_check_deploy_reports_nothing_with_production_settings():
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=production_env(),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_refuses_to_start_without_the_personal_data_keys():
    env = production_env()
    del env["PII_ENCRYPTION_KEYS"]
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0
    assert "PII_ENCRYPTION_KEYS" in result.stderr


def test_a_malformed_encryption_key_fails_the_system_check():
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env=production_env(PII_ENCRYPTION_KEYS="not-a-key"),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0
    assert "sanyuan.E001" in result.stderr


def test_locale_and_time_zone():
    assert settings.LANGUAGE_CODE == "zh-hans"
    assert settings.TIME_ZONE == "Asia/Shanghai"
    assert settings.USE_TZ is True
    assert settings.PII_HASH_KEY != settings.SECRET_KEY
    assert settings.PII_ENCRYPTION_KEYS[0] not in settings.SECRET_KEY
