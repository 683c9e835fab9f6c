"""Mini-program subscribe messages: templates per notice kind, values fitted to WeChat's
keyword limits, the send and each way it can fail."""

import datetime as dt

import pytest

from sanyuan import wechat
from tests.conftest import WECHAT_MINI_APP

SEND = "/cgi-bin/message/subscribe/send"
MINI = WECHAT_MINI_APP[0]
TEMPLATES = {
    "notice": {"template_id": "TPL-NOTICE", "fields": {"thing1": "title", "time2": "sent_at"}},
    "review_outcome": {
        "template_id": "TPL-REVIEW",
        "fields": {"thing1": "title", "phrase2": "outcome", "name3": "reviewer"},
    },
}


@pytest.fixture
def templates(wechat_fake, settings):
    settings.WECHAT_SUBSCRIBE_TEMPLATES = TEMPLATES
    wechat_fake.add_template("TPL-NOTICE", ["thing1", "time2"])
    wechat_fake.add_template("TPL-REVIEW", ["thing1", "phrase2", "name3"])
    return wechat_fake


def sent_at():
    return dt.datetime(2026, 3, 1, 7, 5, tzinfo=dt.UTC)  # 15:05 in Shanghai


def test_a_subscribed_member_gets_the_message_with_the_documented_body(templates):
    templates.subscribe(MINI, "o-1", "TPL-NOTICE")
    msgid = wechat.send_subscribe_notice(
        openid="o-1",
        kind="activity",  # no template of its own: the "notice" template
        values={"title": "三月主题党日活动安排", "sent_at": sent_at()},
        page="pages/notices/detail?id=7",
    )
    assert isinstance(msgid, int)
    assert templates.sent == [
        {
            "touser": "o-1",
            "template_id": "TPL-NOTICE",
            "data": {
                "thing1": {"value": "三月主题党日活动安排"},
                "time2": {"value": "2026年3月1日 15:05"},
            },
            "miniprogram_state": "formal",
            "lang": "zh_CN",
            "page": "pages/notices/detail?id=7",
        }
    ]


def test_a_kind_with_its_own_template_uses_it(templates):
    templates.subscribe(MINI, "o-1", "TPL-REVIEW")
    wechat.send_subscribe_notice(
        openid="o-1",
        kind="review_outcome",
        values={"title": "修改申请已审核", "outcome": "已通过", "reviewer": "王建国"},
    )
    assert templates.sent[0]["template_id"] == "TPL-REVIEW"
    assert "page" not in templates.sent[0]


def test_a_member_who_did_not_subscribe_falls_back_to_sms(templates):
    templates.subscribe(MINI, "o-2", "TPL-REVIEW")  # a user, but not of this template
    with pytest.raises(wechat.WechatRefusedError) as caught:
        wechat.send_subscribe_notice(
            openid="o-2", kind="notice", values={"title": "通知", "sent_at": sent_at()}
        )
    assert caught.value.errcode == 43101
    assert caught.value.decision == wechat.Decision.FALLBACK_SMS
    assert templates.sent == []


def test_one_subscription_allows_one_message(templates):
    templates.subscribe(MINI, "o-1", "TPL-NOTICE")
    values = {"title": "通知", "sent_at": sent_at()}
    wechat.send_subscribe_notice(openid="o-1", kind="notice", values=values)
    with pytest.raises(wechat.WechatRefusedError):
        wechat.send_subscribe_notice(openid="o-1", kind="notice", values=values)
    assert len(templates.sent) == 1


def test_an_openid_of_no_mini_program_user_falls_back_to_sms(templates):
    with pytest.raises(wechat.WechatRefusedError) as caught:
        wechat.send_subscribe_notice(
            openid="o-stranger", kind="notice", values={"title": "通知", "sent_at": sent_at()}
        )
    assert caught.value.errcode == 40003


def test_data_that_breaks_the_template_is_refused_with_47003_and_given_up(templates):
    templates.subscribe(MINI, "o-1", "TPL-NOTICE")
    with pytest.raises(wechat.WechatArgumentError) as caught:
        wechat.send_subscribe_message(
            openid="o-1", template_id="TPL-NOTICE", data={"thing1": {"value": "通知"}}
        )
    assert caught.value.errcode == 47003
    assert "time2" in caught.value.reason
    assert caught.value.decision == wechat.Decision.GIVE_UP


def test_a_thing_longer_than_twenty_characters_is_refused_by_wechat_but_shortened_here(
    templates,
):
    templates.subscribe(MINI, "o-1", "TPL-NOTICE", times=2)
    title = "关于做好二〇二六年度流动党员集中学习培训工作的通知"
    raw = {"thing1": {"value": title}, "time2": {"value": "2026年3月1日 15:05"}}
    with pytest.raises(wechat.WechatArgumentError):
        wechat.send_subscribe_message(openid="o-1", template_id="TPL-NOTICE", data=raw)
    wechat.send_subscribe_notice(
        openid="o-1", kind="notice", values={"title": title, "sent_at": sent_at()}
    )
    sent = templates.sent[0]["data"]["thing1"]["value"]
    assert len(sent) == 20 and sent.endswith("…") and title.startswith(sent[:-1])


def test_an_unknown_template_is_refused_with_40037(templates):
    templates.subscribe(MINI, "o-1", "TPL-NOTICE")
    with pytest.raises(wechat.WechatArgumentError) as caught:
        wechat.send_subscribe_message(
            openid="o-1", template_id="TPL-GONE", data={"thing1": {"value": "x"}}
        )
    assert caught.value.errcode == 40037


def test_a_page_not_in_the_released_mini_program_is_refused_with_41030(templates):
    templates.pages = {"pages/index/index"}
    templates.subscribe(MINI, "o-1", "TPL-NOTICE")
    with pytest.raises(wechat.WechatArgumentError) as caught:
        wechat.send_subscribe_notice(
            openid="o-1",
            kind="notice",
            values={"title": "通知", "sent_at": sent_at()},
            page="pages/nowhere",
        )
    assert caught.value.errcode == 41030


@pytest.mark.parametrize(
    "errcode, error", [(45009, wechat.WechatRateLimitError), (-1, wechat.WechatBusyError)]
)
def test_rate_limits_and_busy_answers_are_retried_later(templates, errcode, error):
    templates.subscribe(MINI, "o-1", "TPL-NOTICE")
    templates.fail_next(SEND, errcode)
    values = {"title": "通知", "sent_at": sent_at()}
    with pytest.raises(error) as caught:
        wechat.send_subscribe_notice(openid="o-1", kind="notice", values=values)
    assert caught.value.decision == wechat.Decision.RETRY
    wechat.send_subscribe_notice(openid="o-1", kind="notice", values=values)  # the retry
    assert len(templates.sent) == 1


def test_the_mini_program_state_setting_reaches_wechat(templates, settings):
    settings.WECHAT_MINI_PROGRAM_STATE = "trial"
    templates.subscribe(MINI, "o-1", "TPL-NOTICE")
    wechat.send_subscribe_notice(
        openid="o-1", kind="notice", values={"title": "通知", "sent_at": sent_at()}
    )
    assert templates.sent[0]["miniprogram_state"] == "trial"


def test_without_templates_the_channel_is_off(wechat_fake, settings):
    settings.WECHAT_SUBSCRIBE_TEMPLATES = {}
    assert wechat.subscribe_template("notice") is None
    assert wechat.subscribe_template_ids() == {}
    with pytest.raises(wechat.WechatConfigError):
        wechat.send_subscribe_notice(openid="o-1", kind="notice", values={"title": "x"})
    assert sum(wechat_fake.calls.values()) == 0


def test_the_template_ids_for_wx_request_subscribe_message(templates):
    assert wechat.subscribe_template_ids() == {
        "notice": "TPL-NOTICE",
        "review_outcome": "TPL-REVIEW",
    }


# Fitting values to keyword types (no network) ---------------------------------------------


def fit(keyword: str, value):
    template = wechat.SubscribeTemplate(kind="x", template_id="T", fields={keyword: "v"})
    return wechat.subscribe_data(template, {"v": value})[keyword]["value"]


@pytest.mark.parametrize(
    "keyword, value, expected",
    [
        ("thing1", "  三月  主题党日 ", "三月 主题党日"),
        ("thing1", "一" * 25, "一" * 19 + "…"),
        ("phrase2", "已通过", "已通过"),
        ("name3", "王建国", "王建国"),
        ("name3", "欧阳" + "一" * 12, "欧阳" + "一" * 7 + "…"),
        ("name3", "Alexander Hamilton-Burr", "Alexander Hamilton-…"),
        ("character_string4", "CR-2026-0042", "CR-2026-0042"),
        ("number5", 42, "42"),
        ("number5", "3.5", "3.5"),
        ("date6", dt.date(2026, 3, 1), "2026年3月1日"),
        ("time7", dt.time(9, 30), "09:30"),
        ("amount8", "¥12.50", "¥12.50"),
        ("phone_number9", "+86-029-32212345", "+86-029-32212345"),
        ("letter10", "ABC", "ABC"),
    ],
)
def test_values_are_fitted_to_their_keyword_type(keyword, value, expected):
    assert fit(keyword, value) == expected


def test_an_aware_time_is_shown_in_local_time():
    moment = dt.datetime(2026, 10, 1, 8, 0, tzinfo=dt.UTC)
    assert fit("time1", moment) == "2026年10月1日 16:00"
    assert fit("date2", moment) == "2026年10月1日 16:00"


@pytest.mark.parametrize(
    "keyword, value",
    [
        ("phrase1", "审核已经通过了"),  # more than five characters
        ("phrase1", "OK"),  # not Chinese
        ("number2", "十二"),
        ("number2", "1" * 33),
        ("character_string3", "编号12"),
        ("character_string3", "A" * 33),
        ("letter4", "abc1"),
        ("thing5", ""),
        ("thing5", None),
        ("time6", "明天上午"),
        ("thing5", "第一行\x07"),
    ],
)
def test_a_value_that_cannot_fit_is_refused_before_sending(keyword, value):
    with pytest.raises(wechat.WechatArgumentError) as caught:
        fit(keyword, value)
    assert caught.value.decision == wechat.Decision.GIVE_UP
    assert keyword in caught.value.reason


def test_a_missing_value_is_refused_before_sending():
    template = wechat.SubscribeTemplate(kind="x", template_id="T", fields={"thing1": "title"})
    with pytest.raises(wechat.WechatArgumentError):
        wechat.subscribe_data(template, {})
