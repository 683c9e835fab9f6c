"""The amount of party dues (党费) a member owes a month, by the party's rules, in one table.

Amounts are integers in fen. A wage earner's and a retiree's dues are a percentage of the
monthly base (after-tax wage, pension) by band; the band's upper edge belongs to the band
("≤ 3,000 yuan 0.5 %"). Farmers pay a fixed 0.2–1 yuan a month that staff set; students,
laid-off or unemployed members and members on relief or 低保 pay 0.2 yuan; members in
hardship pay less or nothing on the branch committee's decision with the higher
committee's approval (a fixed amount staff record with the decision). Rounding of the
percentage to whole fen: settings.DUES_ROUNDING (ROUND_HALF_UP by default).

Imports no model: the services and selectors call it with plain values.
"""

import decimal
from decimal import Decimal

from django.conf import settings

WAGE, RETIREE, FARMER, STUDENT_OR_UNEMPLOYED, HARDSHIP = (
    "wage",
    "retiree",
    "farmer",
    "student_or_unemployed",
    "hardship",
)
CATEGORY_LABELS = {
    WAGE: "在职（按工资收入）",
    RETIREE: "离退休（按离退休费）",
    FARMER: "农民",
    STUDENT_OR_UNEMPLOYED: "学生、下岗失业或领取低保",
    HARDSHIP: "生活困难（经批准少交或免交）",
}
# (upper edge in fen, inclusive; None: no upper edge) -> rate
PERCENT_BANDS = {
    WAGE: (
        (300_000, Decimal("0.005")),
        (500_000, Decimal("0.01")),
        (1_000_000, Decimal("0.015")),
        (None, Decimal("0.02")),
    ),
    RETIREE: (
        (500_000, Decimal("0.005")),
        (None, Decimal("0.01")),
    ),
}
FIXED_FEN = {STUDENT_OR_UNEMPLOYED: 20}
FARMER_MIN_FEN, FARMER_MAX_FEN = 20, 100
HARDSHIP_MAX_FEN = 100_000  # a reduced amount: never more than 1,000 yuan a month
ROUNDINGS = ("ROUND_HALF_UP", "ROUND_HALF_EVEN")


def needs_base(category: str) -> bool:
    """The categories whose amount follows the declared income base."""
    return category in PERCENT_BANDS


def needs_fixed_amount(category: str) -> bool:
    """The categories whose monthly amount staff set (farmers; hardship by decision)."""
    return category in (FARMER, HARDSHIP)


def rate_for(category: str, base_fen: int) -> Decimal:
    for upper, rate in PERCENT_BANDS[category]:
        if upper is None or base_fen <= upper:
            return rate
    raise AssertionError("the last band has no upper edge")


def rounding() -> str:
    name = getattr(settings, "DUES_ROUNDING", "ROUND_HALF_UP")
    if name not in ROUNDINGS:
        raise ValueError(f"DUES_ROUNDING must be one of {ROUNDINGS}")
    return getattr(decimal, name)


def monthly_amount(
    category: str, *, base_fen: int | None = None, fixed_fen: int | None = None
) -> int | None:
    """Dues for one month in fen; None when the amount cannot be known yet (a wage earner
    or retiree without a reviewed base, a farmer or hardship case without an amount)."""
    if category in PERCENT_BANDS:
        if base_fen is None:
            return None
        if base_fen < 0:
            raise ValueError("the base cannot be negative")
        exact = Decimal(base_fen) * rate_for(category, base_fen)
        return int(exact.quantize(Decimal(1), rounding=rounding()))
    if category in FIXED_FEN:
        return FIXED_FEN[category]
    if category in (FARMER, HARDSHIP):
        return fixed_fen
    raise ValueError(f"unknown dues category {category!r}")


def check_fixed_amount(category: str, fixed_fen: int | None) -> str | None:
    """A Chinese message when the fixed amount does not fit the category, else None."""
    if category == FARMER:
        if fixed_fen is None or not FARMER_MIN_FEN <= fixed_fen <= FARMER_MAX_FEN:
            return "农民党员每月交纳党费0.2元至1元，请填写该范围内的金额。"
    elif category == HARDSHIP:
        if fixed_fen is None or not 0 <= fixed_fen <= HARDSHIP_MAX_FEN:
            return "请填写经批准的每月交纳金额（免交填0）。"
    elif fixed_fen is not None:
        return "该类别按规定计算金额，无需填写固定金额。"
    return None


def yuan(fen: int | None) -> str:
    """`12.35` for 1235 fen ('' for None), for pages and exports."""
    if fen is None:
        return ""
    sign = "-" if fen < 0 else ""
    fen = abs(fen)
    return f"{sign}{fen // 100}.{fen % 100:02d}"


def parse_yuan(text) -> int | None:
    """Fen from what a person typed in yuan (`3500`, `3500.5`, `3,500.50`); None when it is
    not an amount with at most two decimals."""
    cleaned = str(text or "").strip().replace(",", "").replace("，", "")
    cleaned = cleaned.removesuffix("元")
    try:
        value = Decimal(cleaned)
    except decimal.InvalidOperation:
        return None
    if not value.is_finite() or value.as_tuple().exponent < -2 or value < 0:
        return None
    if value > Decimal("100000000"):
        return None
    return int(value * 100)
