"""The access_token: fetched from stable_token once for all processes, cached, refreshed
after WeChat refuses it (force_refresh only when normal mode hands the refused one back)."""

import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest
import redis
from django.core.cache import cache

from sanyuan import wechat
from sanyuan.wechat import token as token_module
from tests.conftest import WECHAT_MINI_APP, free_port

ROOT = Path(__file__).resolve().parents[2]
SEND = "/cgi-bin/message/subscribe/send"
OPENID = "o-mini-member-1"


@pytest.fixture
def subscribed(wechat_fake):
    """A mini-program user subscribed to one template, allowed many messages."""
    wechat_fake.add_template("TPL-1", ["thing1"])
    wechat_fake.subscribe(WECHAT_MINI_APP[0], OPENID, "TPL-1", times=10)
    return wechat_fake


def send_one():
    return wechat.send_subscribe_message(
        openid=OPENID, template_id="TPL-1", data={"thing1": {"value": "新通知"}}
    )


def test_the_token_is_fetched_once_then_served_from_the_cache(wechat_fake):
    first = wechat.access_token(wechat.mini_app())
    second = wechat.access_token(wechat.mini_app())
    assert first == second and first.startswith("TOKEN-")
    assert wechat_fake.stable_token_calls == 1
    assert wechat_fake.force_refresh_calls == 0


def test_the_token_is_cached_for_expires_in_less_the_margin(wechat_fake, settings):
    settings.WECHAT_TOKEN_MARGIN_SECONDS = 300
    app = wechat.mini_app()
    wechat.access_token(app)
    ttl = cache.ttl(token_module.token_cache_key(app))
    assert 7200 - 300 - 60 < ttl <= 7200 - 300


def test_a_token_near_its_end_is_cached_for_half_its_remaining_life(settings):
    settings.WECHAT_TOKEN_MARGIN_SECONDS = 300
    assert token_module._cache_seconds(7200) == 6900
    assert token_module._cache_seconds(400) == 200
    assert token_module._cache_seconds(1) == 1


def test_a_wrong_secret_is_refused_with_40125_and_gives_up(wechat_fake, settings):
    settings.WECHAT_MINI_APP_SECRET = "not-the-secret"
    with pytest.raises(wechat.WechatConfigError) as caught:
        wechat.access_token(wechat.mini_app())
    assert caught.value.errcode == 40125
    assert caught.value.decision == wechat.Decision.GIVE_UP
    assert "not-the-secret" not in str(caught.value)
    assert cache.get(token_module.token_cache_key(wechat.mini_app())) is None


def test_an_unknown_app_id_is_refused_with_40013(wechat_fake, settings):
    settings.WECHAT_MINI_APP_ID = "wx-nobody"
    with pytest.raises(wechat.WechatConfigError) as caught:
        wechat.access_token(wechat.mini_app())
    assert caught.value.errcode == 40013


def test_an_unconfigured_app_raises_a_config_error_without_calling_wechat(wechat_fake, settings):
    settings.WECHAT_MINI_APP_SECRET = ""
    with pytest.raises(wechat.WechatConfigError):
        wechat.access_token(wechat.mini_app())
    assert wechat_fake.stable_token_calls == 0


def _ask_at_once(count: int) -> list:
    barrier = threading.Barrier(count)
    results: list = []

    def ask():
        barrier.wait()
        try:
            results.append(wechat.access_token(wechat.mini_app()))
        except Exception as exc:  # reported by the assertion below
            results.append(exc)

    threads = [threading.Thread(target=ask) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return results


def test_threads_asking_at_once_cause_one_stable_token_call(wechat_fake):
    wechat_fake.slow("/cgi-bin/stable_token", 0.5)  # all of them arrive while it is fetched
    results = _ask_at_once(8)
    assert len(results) == 8 and len(set(results)) == 1, results
    assert isinstance(results[0], str)
    assert wechat_fake.stable_token_calls == 1


def test_without_redis_the_process_lock_still_makes_one_call(wechat_fake, settings):
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    assert not hasattr(cache, "lock")
    wechat_fake.slow("/cgi-bin/stable_token", 0.3)
    results = _ask_at_once(5)
    assert len(set(results)) == 1 and isinstance(results[0], str), results
    assert wechat_fake.stable_token_calls == 1


PROCESS_SCRIPT = """
import os, sys, time, pathlib
import django
django.setup()
from django.conf import settings
settings.WECHAT_API_BASE_URL = sys.argv[1]
settings.WECHAT_MINI_APP_ID, settings.WECHAT_MINI_APP_SECRET = sys.argv[2], sys.argv[3]
from sanyuan import wechat
print("ready", flush=True)
go = pathlib.Path(sys.argv[4])
deadline = time.monotonic() + 30
while not go.exists() and time.monotonic() < deadline:
    time.sleep(0.005)
print(wechat.access_token(wechat.mini_app()), flush=True)
"""


def test_processes_asking_at_once_cause_one_stable_token_call(wechat_fake, tmp_path):
    wechat_fake.slow("/cgi-bin/stable_token", 0.5)
    go = tmp_path / "go"
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "tests.settings"}
    command = [sys.executable, "-c", PROCESS_SCRIPT, wechat_fake.url, *WECHAT_MINI_APP, str(go)]
    processes = [
        subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE, text=True)
        for _ in range(3)
    ]
    try:
        for process in processes:  # every process is set up and waiting for the signal
            assert process.stdout.readline().strip() == "ready"
        go.touch()
        tokens = [process.communicate(timeout=60)[0].strip() for process in processes]
    finally:
        for process in processes:
            process.kill()
    assert all(process.returncode == 0 for process in processes)
    assert len(set(tokens)) == 1 and tokens[0].startswith("TOKEN-"), tokens
    assert wechat_fake.stable_token_calls == 1


def test_a_token_the_fake_expired_is_refreshed_once_and_the_call_succeeds(subscribed):
    send_one()
    subscribed.expire_tokens()  # our cache still holds it; WeChat answers 42001
    assert send_one() is not None
    assert len(subscribed.sent) == 2
    assert subscribed.stable_token_calls == 2
    assert subscribed.force_refresh_calls == 0  # normal mode already hands out a new one
    assert subscribed.calls[SEND] == 3  # refused once, then sent


def test_a_refused_token_that_normal_mode_still_hands_out_is_force_refreshed_once(subscribed):
    send_one()
    subscribed.revoke_tokens()
    assert send_one() is not None
    assert subscribed.force_refresh_calls == 1
    assert subscribed.stable_token_calls == 3  # first fetch, normal mode again, forced
    assert len(subscribed.sent) == 2


def test_workers_refused_at_once_share_one_forced_refresh(subscribed):
    send_one()
    subscribed.revoke_tokens()
    barrier = threading.Barrier(4)
    errors: list = []

    def send():
        barrier.wait()
        try:
            send_one()
        except Exception as exc:
            errors.append(exc)

    threads = [threading.Thread(target=send) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert errors == []
    assert len(subscribed.sent) == 5
    assert subscribed.force_refresh_calls == 1


@pytest.mark.parametrize("errcode", [40001, 40014])
def test_a_token_wechat_calls_invalid_is_force_refreshed_once_then_the_send_succeeds(
    subscribed, errcode
):
    """40014 (invalid access_token) takes the same road as 40001: normal mode still hands
    out the token WeChat refused, so it is refreshed by force, once, and the send goes."""
    send_one()
    refused = wechat.access_token(wechat.mini_app())
    subscribed.fail_next(SEND, errcode)
    assert wechat.error_for(errcode).decision == wechat.Decision.REFRESH_TOKEN
    assert send_one() is not None
    assert subscribed.force_refresh_calls == 1
    assert subscribed.stable_token_calls == 3  # first fetch, normal mode again, forced
    assert subscribed.calls[SEND] == 3  # sent, refused with errcode, sent again
    assert len(subscribed.sent) == 2
    assert wechat.access_token(wechat.mini_app()) != refused


def test_a_token_refused_again_after_the_refresh_surfaces_as_a_token_error(subscribed):
    send_one()
    subscribed.fail_next(SEND, 40001, times=2)
    with pytest.raises(wechat.WechatTokenError) as caught:
        send_one()
    assert caught.value.decision == wechat.Decision.REFRESH_TOKEN
    assert subscribed.calls[SEND] == 3  # the first send, then two refused: no third try


def test_no_second_force_refresh_within_thirty_seconds(subscribed):
    send_one()
    subscribed.revoke_tokens()
    send_one()  # forced once
    subscribed.revoke_tokens()
    with pytest.raises(wechat.WechatTokenError):
        send_one()
    assert subscribed.force_refresh_calls == 1


def test_with_the_cache_down_the_token_is_still_fetched(wechat_fake, settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": f"redis://127.0.0.1:{free_port()}/0",  # nothing listens there
            "OPTIONS": {"IGNORE_EXCEPTIONS": True, "SOCKET_CONNECT_TIMEOUT": 1},
        }
    }
    with pytest.raises(redis.ConnectionError):
        cache.lock("probe").acquire()  # the lock really is unavailable
    assert wechat.access_token(wechat.mini_app()).startswith("TOKEN-")
    assert wechat.access_token(wechat.mini_app()).startswith("TOKEN-")
    assert wechat_fake.stable_token_calls == 2  # nothing cached: each call fetches


def test_a_busy_stable_token_is_a_retry_and_nothing_is_cached(wechat_fake):
    wechat_fake.fail_next("/cgi-bin/stable_token", -1)
    with pytest.raises(wechat.WechatBusyError) as caught:
        wechat.access_token(wechat.mini_app())
    assert caught.value.decision == wechat.Decision.RETRY
    assert wechat.access_token(wechat.mini_app()).startswith("TOKEN-")
    assert wechat_fake.stable_token_calls == 2
