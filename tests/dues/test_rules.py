"""The amount table: a test per band edge, in fen, rounded half up (DUES_ROUNDING)."""

import pytest

from dues import rules

W, R = rules.WAGE, rules.RETIREE


@pytest.mark.parametrize(
    ("category", "base_fen", "expected"),
    [
        # wage: ≤ 3,000 0.5 %; > 3,000 to ≤ 5,000 1 %; > 5,000 to ≤ 10,000 1.5 %; > 10,000 2 %
        (W, 0, 0),
        (W, 300_000, 1_500),  # 3,000.00 → 15.00 (edge belongs to the lower band)
        (W, 300_001, 3_000),  # 3,000.01 → 1 % = 30.0001 → 30.00
        (W, 500_000, 5_000),
        (W, 500_001, 7_500),  # 1.5 % of 5,000.01 = 75.00015
        (W, 1_000_000, 15_000),
        (W, 1_000_001, 20_000),  # 2 % of 10,000.01 = 200.0002
        # retirees: pension ≤ 5,000 0.5 %, above 1 %
        (R, 500_000, 2_500),
        (R, 500_001, 5_000),
    ],
)
def test_each_band_edge(category, base_fen, expected):
    assert rules.monthly_amount(category, base_fen=base_fen) == expected


def test_half_a_fen_rounds_up_by_default_and_half_even_when_set(settings):
    # 0.5 % of 2,345.00 yuan = 11.725 yuan = 1172.5 fen
    assert rules.monthly_amount(W, base_fen=234_500) == 1_173
    settings.DUES_ROUNDING = "ROUND_HALF_EVEN"
    assert rules.monthly_amount(W, base_fen=234_500) == 1_172
    settings.DUES_ROUNDING = "ROUND_DOWN"
    with pytest.raises(ValueError):
        rules.monthly_amount(W, base_fen=234_500)


def test_fixed_categories_and_unknown_amounts():
    assert rules.monthly_amount(rules.STUDENT_OR_UNEMPLOYED) == 20
    assert rules.monthly_amount(rules.FARMER, fixed_fen=50) == 50
    assert rules.monthly_amount(rules.HARDSHIP, fixed_fen=0) == 0
    assert rules.monthly_amount(W) is None  # no reviewed base yet
    assert rules.monthly_amount(rules.FARMER) is None


@pytest.mark.parametrize(
    ("category", "fixed", "ok"),
    [
        (rules.FARMER, 19, False),
        (rules.FARMER, 20, True),
        (rules.FARMER, 100, True),
        (rules.FARMER, 101, False),
        (rules.HARDSHIP, 0, True),
        (rules.HARDSHIP, -1, False),
        (rules.HARDSHIP, 100_000, True),
        (rules.HARDSHIP, 2**40, False),
        (W, 50, False),
        (W, None, True),
    ],
)
def test_the_fixed_amount_fits_the_category(category, fixed, ok):
    assert (rules.check_fixed_amount(category, fixed) is None) is ok


@pytest.mark.parametrize(
    ("text", "fen"),
    [
        ("3500", 350_000),
        ("3,500.5", 350_050),
        ("0.2元", 20),
        ("1.234", None),
        ("-1", None),
        ("abc", None),
        ("", None),
        ("NaN", None),
    ],
)
def test_yuan_as_typed(text, fen):
    assert rules.parse_yuan(text) == fen
