import pytest
import time_machine

from members.identity import (
    mask_id_number,
    normalize_id_number,
    normalize_name,
    normalize_phone,
)
from sanyuan.errors import ServiceError
from tests.factories import valid_id_number

VALID = "61042219850315001X"


def error_of(func, value):
    with pytest.raises(ServiceError) as info:
        func(value)
    return info.value.message


def test_a_valid_id_number_is_returned_unchanged():
    assert normalize_id_number(VALID) == VALID


@pytest.mark.parametrize(
    "raw",
    [
        "  61042219850315001X  ",
        "\u300061042219850315001X\u3000",  # full-width spaces around
        "\u200b61042219850315001X\ufeff",  # zero-width space and BOM around
        "\t61042219850315001X\n",
    ],
)
def test_surrounding_whitespace_and_invisible_characters_are_trimmed(raw):
    assert normalize_id_number(raw) == VALID


def test_full_width_digits_and_lowercase_x_are_normalised():
    assert normalize_id_number("６１０４２２１９８５０３１５００１ｘ") == VALID
    assert normalize_id_number("61042219850315001x") == VALID
    assert normalize_id_number("61042219850315001Ｘ") == VALID


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("610422 19850315001X", "不能有空格或不可见字符"),
        ("610422\u200b19850315001X", "不能有空格或不可见字符"),
        ("610422\u00a019850315001X", "不能有空格或不可见字符"),
        ("٦١٠٤٢٢19850315001X", "只能使用数字0-9"),  # Arabic-Indic digits
        ("६१०४२२19850315001X", "只能使用数字0-9"),  # Devanagari digits
        ("61042219850315001Y", "无效字符"),
        ("6104221985031500-1", "无效字符"),
        ("61042219850315001", "应为18位"),
        ("61042219850315001X1", "应为18位"),
        ("6104221985031500X1", "只有最后一位可以是X"),
        ("99042219850315001X", "省级行政区代码"),
        ("00042219850315001X", "省级行政区代码"),
        ("", "请填写身份证号码"),
        ("   ", "请填写身份证号码"),
    ],
)
def test_malformed_id_numbers_get_a_clear_message(raw, message):
    assert message in error_of(normalize_id_number, raw)


def test_an_impossible_birth_date_is_rejected():
    first17 = "61042219850230001"  # 30 February
    from members.identity import id_number_check_digit

    assert "出生日期无效" in error_of(normalize_id_number, first17 + id_number_check_digit(first17))


@time_machine.travel("2026-11-27 12:00 +0800")
def test_a_birth_date_in_the_future_is_rejected():
    future = valid_id_number(birth="20270101")
    assert "晚于今天" in error_of(normalize_id_number, future)
    assert normalize_id_number(valid_id_number(birth="20261127"))


def test_a_wrong_check_digit_is_rejected():
    assert "校验位不正确" in error_of(normalize_id_number, "610422198503150011")


def test_the_masked_form_hides_the_birth_date():
    assert mask_id_number(VALID) == "610422********001X"
    assert len(mask_id_number(VALID)) == 18


@pytest.mark.parametrize(
    "raw",
    [
        "阿依古丽·买买提",
        "阿依古丽•买买提",  # bullet
        "阿依古丽・买买提",  # katakana middle dot
        "阿依古丽.买买提",  # full stop
        "阿依古丽．买买提",  # full-width full stop
        "阿依古丽‧买买提",  # hyphenation point
        " 阿依古丽·买买提 ",
    ],
)
def test_minority_names_keep_one_canonical_middle_dot(raw):
    assert normalize_name(raw) == "阿依古丽·买买提"


@pytest.mark.parametrize(
    "name",
    [
        "李〇",  # U+3007, in real names
        "王\U00031350",  # the first character of CJK Extension H
        "王\U000323af",  # its last
        "阿依古丽·买买提",
    ],
)
def test_names_accept_ling_cjk_extension_h_and_the_middle_dot(name):
    assert normalize_name(name) == name


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("张 三", "不能有空格"),
        ("王\U000323b0", "只能包含汉字"),  # just past Extension H
        ("张\u200b三", "不能有空格"),
        ("ZhangSan", "只能包含汉字"),
        ("张三3", "只能包含汉字"),
        ("<b>张三</b>", "只能包含汉字"),
        ("·张三", "位置不正确"),
        ("张··三", "位置不正确"),
        ("张", "2至30个字"),
        ("", "请填写姓名"),
    ],
)
def test_bad_names_get_a_clear_message(raw, message):
    assert message in error_of(normalize_name, raw)


@pytest.mark.parametrize("raw", ["13912345678", "+86 139-1234-5678", "１３９１２３４５６７８"])
def test_phone_numbers_are_normalised(raw):
    assert normalize_phone(raw) == "13912345678"


@pytest.mark.parametrize("raw", ["1391234567", "23912345678", "139123456789", "电话"])
def test_bad_phone_numbers_are_rejected(raw):
    assert "手机号码格式不正确" in error_of(normalize_phone, raw)
