"""Template parameters fitted to the vendors' variable rules: one test per limit."""

import pytest

from sanyuan.sms import SmsParamError, is_opt_out
from sanyuan.sms.aliyun import ALIYUN_LIMITS
from sanyuan.sms.templates import mainland_number, render_params, template_code, template_spec
from sanyuan.sms.tencent import TENCENT_LIMITS


def spec(params, types=None):
    return template_spec("t", {"t": {"code": "C", "params": params, "types": types or {}}})


def test_aliyun_text_variable_is_cut_at_35_characters_ending_in_an_ellipsis():
    title = "关于开展“不忘初心、牢记使命”主题教育第二批集中学习暨专题组织生活会的通知安排"
    value = render_params(spec({"title": None}), {"title": title}, ALIYUN_LIMITS)["title"]
    assert len(value) == 35
    assert value == title[:34] + "…"


def test_a_text_that_fits_is_sent_unchanged():
    value = render_params(spec({"title": None}), {"title": " 支部大会 "}, ALIYUN_LIMITS)
    assert value == {"title": "支部大会"}


def test_tencent_text_variable_is_cut_at_12_characters():
    value = render_params(
        spec({"title": None}), {"title": "七月主题党日活动安排通知"}, TENCENT_LIMITS
    )
    assert value["title"] == "七月主题党日活动安排通知"  # exactly 12 fits
    value = render_params(
        spec({"title": None}), {"title": "七月主题党日活动安排的通知"}, TENCENT_LIMITS
    )
    assert value["title"] == "七月主题党日活动安排的…" and len(value["title"]) == 12


def test_a_configured_length_overrides_the_vendor_default():
    value = render_params(spec({"title": 8}), {"title": "关于召开支部委员会的通知"}, ALIYUN_LIMITS)
    assert value["title"] == "关于召开支部委…"  # 8 characters with the ellipsis


def test_cutting_never_splits_a_character_outside_the_basic_plane():
    value = render_params(spec({"title": 4}), {"title": "𠀀𠀁𠀂𠀃𠀄"}, TENCENT_LIMITS)
    assert value["title"] == "𠀀𠀁𠀂…"
    value["title"].encode("utf-8")  # a cut surrogate would not encode


def test_aliyun_code_longer_than_six_characters_fails_with_a_chinese_reason():
    with pytest.raises(SmsParamError, match="验证码"):
        render_params(spec({"code": None}, {"code": "code"}), {"code": "1234567"}, ALIYUN_LIMITS)
    ok = render_params(spec({"code": None}, {"code": "code"}), {"code": "12ab56"}, ALIYUN_LIMITS)
    assert ok == {"code": "12ab56"}


def test_tencent_code_must_be_digits_only():
    with pytest.raises(SmsParamError, match="数字"):
        render_params(spec({"code": None}, {"code": "code"}), {"code": "12ab56"}, TENCENT_LIMITS)


def test_aliyun_phone_variable_longer_than_15_characters_fails_and_is_never_cut():
    with pytest.raises(SmsParamError, match="不能截断"):
        render_params(
            spec({"tel": None}, {"tel": "phone"}), {"tel": "029-3242-5678-123"}, ALIYUN_LIMITS
        )


def test_a_number_variable_over_its_length_fails_instead_of_being_cut():
    with pytest.raises(SmsParamError, match="3 个字符"):
        render_params(spec({"n": 3}, {"n": "number"}), {"n": "1200"}, ALIYUN_LIMITS)


@pytest.mark.parametrize("limits", [ALIYUN_LIMITS, TENCENT_LIMITS], ids=["aliyun", "tencent"])
def test_a_link_in_a_text_variable_never_fits(limits):
    with pytest.raises(SmsParamError, match="链接"):
        render_params(spec({"title": 35}), {"title": "详见 https://ldej.example.cn/a/1"}, limits)


def test_aliyun_takes_a_link_in_a_variable_declared_link():
    link = "https://ldej.cn/a/12"
    assert render_params(spec({"u": None}, {"u": "link"}), {"u": link}, ALIYUN_LIMITS) == {
        "u": link
    }


def test_aliyun_link_longer_than_its_variable_fails_rather_than_being_cut():
    with pytest.raises(SmsParamError, match="链接长度"):
        render_params(
            spec({"u": 20}, {"u": "link"}), {"u": "https://ldej.cn/a/" + "9" * 20}, ALIYUN_LIMITS
        )


def test_tencent_refuses_a_link_even_in_a_variable_declared_link():
    with pytest.raises(SmsParamError, match="腾讯云"):
        render_params(spec({"u": None}, {"u": "link"}), {"u": "https://ldej.cn/a"}, TENCENT_LIMITS)


def test_a_missing_parameter_fails_and_extra_ones_are_dropped():
    with pytest.raises(SmsParamError, match="缺少参数“title”"):
        render_params(spec({"title": None}), {"name": "张三"}, ALIYUN_LIMITS)
    values = render_params(spec({"title": None}), {"title": "会", "minutes": 5}, ALIYUN_LIMITS)
    assert values == {"title": "会"}


def test_parameters_keep_the_template_order():
    values = render_params(spec({"b": None, "a": None}), {"a": "1", "b": "2"}, TENCENT_LIMITS)
    assert list(values) == ["b", "a"]


def test_the_older_string_form_of_a_template_still_resolves_its_code(settings):
    settings.SMS_TEMPLATES = {"legacy": "SMS_9", "new": {"code": "SMS_10", "params": {}}}
    assert template_code("legacy") == "SMS_9"
    assert template_code("new") == "SMS_10"
    assert template_code("unknown") == "unknown"


@pytest.mark.parametrize(
    ("raw", "number"),
    [
        ("13912345678", "13912345678"),
        ("+86 139-1234-5678", "13912345678"),
        ("008613912345678", "13912345678"),
        ("8613912345678", "13912345678"),
        ("12912345678", None),
        ("0293242567", None),
        ("", None),
    ],
)
def test_mainland_numbers_are_normalised_or_refused(raw, number):
    assert mainland_number(raw) == number


@pytest.mark.parametrize("text", ["TD", "td", " T D ", "退订", " 退 订。", "R", "r", "ＴＤ", "Ｒ"])
def test_opt_out_words(text):
    assert is_opt_out(text)


@pytest.mark.parametrize("text", ["", "TDD", "谢谢", "收到", "RT", "退订了吗", "好的R"])
def test_other_replies_are_not_opt_outs(text):
    assert not is_opt_out(text)
