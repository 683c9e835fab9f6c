"""The letter's filling-in rules: capital numerals, ages, dates."""

from datetime import date

import pytest

from transfers.sheets import age_on, capital_digits, capital_number, chinese_date


@pytest.mark.parametrize(
    ("number", "text"),
    [
        (1, "壹"),
        (7, "柒"),
        (10, "壹拾"),
        (11, "壹拾壹"),
        (12, "壹拾贰"),
        (30, "叁拾"),
        (45, "肆拾伍"),
        (90, "玖拾"),
    ],
)
def test_months_and_validity_are_written_in_capitals(number, text):
    assert capital_number(number) == text


@pytest.mark.parametrize("number", [0, 100, -1])
def test_capitals_outside_one_to_ninety_nine_are_refused(number):
    with pytest.raises(ValueError):
        capital_number(number)


def test_years_are_written_digit_by_digit():
    assert capital_digits(2026) == "贰零贰陆"
    assert capital_digits(2030) == "贰零叁零"


def test_the_age_counts_the_birthday():
    assert age_on(date(1990, 6, 15), date(2026, 6, 14)) == 35
    assert age_on(date(1990, 6, 15), date(2026, 6, 15)) == 36


def test_dates_are_arabic_without_leading_zeros():
    assert chinese_date(date(2026, 3, 7)) == "2026年3月7日"
