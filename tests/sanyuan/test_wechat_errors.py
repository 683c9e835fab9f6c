"""Each WeChat errcode maps to one error class and one decision; settings are checked at start."""

import subprocess
import sys

import pytest

from sanyuan import wechat
from sanyuan.wechat.checks import wechat_settings_check

D = wechat.Decision


@pytest.mark.parametrize(
    "errcode, error, decision",
    [
        (-1, wechat.WechatBusyError, D.RETRY),
        (45009, wechat.WechatRateLimitError, D.RETRY),
        (45011, wechat.WechatRateLimitError, D.RETRY),
        (40001, wechat.WechatTokenError, D.REFRESH_TOKEN),
        (40014, wechat.WechatTokenError, D.REFRESH_TOKEN),
        (42001, wechat.WechatTokenError, D.REFRESH_TOKEN),
        (40029, wechat.WechatCodeError, D.GIVE_UP),
        (40163, wechat.WechatCodeError, D.GIVE_UP),
        (42003, wechat.WechatCodeError, D.GIVE_UP),
        (40226, wechat.WechatLoginBlockedError, D.GIVE_UP),
        (43101, wechat.WechatRefusedError, D.FALLBACK_SMS),
        (40003, wechat.WechatRefusedError, D.FALLBACK_SMS),
        (47003, wechat.WechatArgumentError, D.GIVE_UP),
        (40037, wechat.WechatArgumentError, D.GIVE_UP),
        (41030, wechat.WechatArgumentError, D.GIVE_UP),
        (40013, wechat.WechatConfigError, D.GIVE_UP),
        (40125, wechat.WechatConfigError, D.GIVE_UP),
        (40164, wechat.WechatConfigError, D.GIVE_UP),
        (48001, wechat.WechatConfigError, D.GIVE_UP),
    ],
)
def test_each_errcode_has_its_error_and_decision(errcode, error, decision):
    exc = wechat.error_for(errcode, "errmsg from wechat")
    assert type(exc) is error
    assert exc.decision == decision
    assert exc.errcode == errcode
    assert exc.reason == f"wechat {errcode}: errmsg from wechat"
    assert exc.message  # Chinese text a person may be shown


def test_an_errcode_not_listed_gives_up_with_its_reason():
    exc = wechat.error_for(61451, "invalid parameter")
    assert type(exc) is wechat.WechatError
    assert exc.decision == D.GIVE_UP
    assert "61451" in exc.reason


def test_a_network_error_is_retried():
    exc = wechat.WechatNetworkError("timed out")
    assert exc.decision == D.RETRY and exc.errcode is None
    assert exc.reason == "wechat network: timed out"


def test_decisions_are_plain_strings_for_logs_and_dead_letters():
    assert [str(decision) for decision in D] == [
        "retry",
        "refresh_token",
        "give_up",
        "fallback_sms",
    ]


def test_an_app_never_shows_its_secret():
    app = wechat.WechatApp(kind="mini", app_id="wx1", secret="s3cret")
    assert "s3cret" not in repr(app)


# The MP_verify file ------------------------------------------------------------------------


def test_no_verify_file_when_not_configured(settings):
    settings.WECHAT_MP_VERIFY_FILE = {"name": "", "content": ""}
    assert wechat.mp_verify_file() is None


def test_the_verify_file_content_defaults_to_the_code_in_its_name(settings):
    settings.WECHAT_MP_VERIFY_FILE = {"name": "MP_verify_HzPnYOUNdYYA.txt", "content": ""}
    assert wechat.mp_verify_file() == ("MP_verify_HzPnYOUNdYYA.txt", "HzPnYOUNdYYA")


def test_the_verify_file_content_can_be_given(settings):
    settings.WECHAT_MP_VERIFY_FILE = {"name": "MP_verify_abc.txt", "content": "xyz\n"}
    assert wechat.mp_verify_file() == ("MP_verify_abc.txt", "xyz")


@pytest.mark.parametrize(
    "name",
    [
        "verify.txt",
        "MP_verify_../etc.txt",
        "MP_verify_a.txt/x",
        "MP_verify_.txt",
        "MP_verify_a.txt\n.txt",
    ],
)
def test_a_verify_file_name_not_of_wechats_form_is_not_served_and_fails_the_check(settings, name):
    settings.WECHAT_MP_VERIFY_FILE = {"name": name, "content": ""}
    assert wechat.mp_verify_file() is None
    assert [error.id for error in wechat_settings_check(None)] == ["sanyuan.E011"]


# The system check ----------------------------------------------------------------------------


def test_the_check_passes_with_nothing_or_everything_configured(settings):
    assert wechat_settings_check(None) == []
    settings.WECHAT_MP_APP_ID, settings.WECHAT_MP_APP_SECRET = "wx1", "s1"
    settings.WECHAT_MINI_APP_ID, settings.WECHAT_MINI_APP_SECRET = "wx2", "s2"
    settings.WECHAT_SUBSCRIBE_TEMPLATES = {
        "notice": {"template_id": "T1", "fields": {"thing1": "title", "time2": "sent_at"}}
    }
    settings.WECHAT_MP_VERIFY_FILE = {"name": "MP_verify_abc123.txt", "content": ""}
    assert wechat_settings_check(None) == []


def test_an_app_id_without_its_secret_fails_the_check(settings):
    settings.WECHAT_MINI_APP_ID = "wx2"
    assert [error.id for error in wechat_settings_check(None)] == ["sanyuan.E010"]


@pytest.mark.parametrize(
    "templates",
    [
        ["not", "an", "object"],
        {"notice": "TPL"},
        {"notice": {"template_id": "", "fields": {"thing1": "title"}}},
        {"notice": {"template_id": "T", "fields": {}}},
        {"notice": {"template_id": "T", "fields": {"thing": "title"}}},  # no number
        {"notice": {"template_id": "T", "fields": {"colour1": "title"}}},  # unknown type
        {"notice": {"template_id": "T", "fields": {"thing1": ""}}},
    ],
)
def test_malformed_templates_fail_the_check_and_switch_the_channel_off(settings, templates):
    settings.WECHAT_SUBSCRIBE_TEMPLATES = templates
    assert {error.id for error in wechat_settings_check(None)} == {"sanyuan.E012"}
    if isinstance(templates, dict):
        assert wechat.subscribe_template("notice") is None


def test_an_unknown_mini_program_state_fails_the_check(settings):
    settings.WECHAT_MINI_PROGRAM_STATE = "production"
    assert [error.id for error in wechat_settings_check(None)] == ["sanyuan.E013"]


def _check(**wechat_env):
    from tests.sanyuan.test_settings import ROOT, production_env

    return subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env=production_env(**wechat_env),
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_the_environment_configures_wechat_and_the_check_runs_at_start():
    templates = '{"notice": {"template_id": "T1", "fields": {"thing1": "title"}}}'
    good = _check(
        WECHAT_MINI_APP_ID="wx2",
        WECHAT_MINI_APP_SECRET="s2",
        WECHAT_SUBSCRIBE_TEMPLATES=templates,
        WECHAT_MP_VERIFY_FILE="MP_verify_abc123.txt",
    )
    assert good.returncode == 0, good.stdout + good.stderr
    bad = _check(WECHAT_MINI_APP_ID="wx2", WECHAT_SUBSCRIBE_TEMPLATES='{"notice": "T1"}')
    assert bad.returncode != 0
    assert "sanyuan.E010" in bad.stderr and "sanyuan.E012" in bad.stderr
