"""What the printed letter shows (中国共产党党员组织关系介绍信, three parts: 存根, 介绍信, 回执).

The filling-in rules of the standard form: the year and month 党费交至 and the validity are
written in capital numerals (大写: 贰零贰陆年壹拾壹月, 有效期叁拾天) so they cannot be altered;
the options (男/女, 正式/预备) print only the one that applies; the signature is the seal
alone (no typed name of the issuing organisation); dates in Arabic numerals (GB/T 9704).
"""

from dataclasses import dataclass
from datetime import date

from members.models import Member

from .models import IntroductionLetter, Transfer

CAPITALS = "零壹贰叁肆伍陆柒捌玖"


def capital_digits(number: int) -> str:
    """Digit by digit, for years: 2026 → 贰零贰陆."""
    return "".join(CAPITALS[int(d)] for d in str(number))


def capital_number(number: int) -> str:
    """1–99 in capitals as amounts are written: 30 → 叁拾, 11 → 壹拾壹, 90 → 玖拾, 7 → 柒."""
    if not 0 < number < 100:
        raise ValueError(number)
    tens, ones = divmod(number, 10)
    text = f"{CAPITALS[tens]}拾" if tens else ""
    return text + (CAPITALS[ones] if ones else "")


def age_on(birth: date, day: date) -> int:
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


def chinese_date(day: date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


@dataclass(frozen=True)
class LetterSheet:
    number: str
    name: str
    sex: str
    age: int
    ethnicity: str
    standing: str  # 正式 or 预备
    id_number: str
    phone: str
    from_name: str
    to_name: str
    receipt_to_name: str
    dues_year: str
    dues_month: str
    validity: str
    validity_days: int
    issued_on: str
    expires_on: str
    incoming: bool

    @property
    def dues_text(self) -> str:
        return f"{self.dues_year}年{self.dues_month}月"


def letter_sheet(transfer: Transfer, letter: IntroductionLetter, member: Member) -> LetterSheet:
    """The printable content. `member` must carry its decrypted ID number: the caller audits
    the print as a reveal."""
    return LetterSheet(
        number=letter.number,
        name=member.name,
        sex=member.get_sex_display(),
        age=age_on(member.birth_date, letter.issued_on),
        ethnicity=member.ethnicity,
        standing="预备" if member.party_standing == "probationary" else "正式",
        id_number=member.id_number,
        phone=member.phone,
        from_name=letter.from_name,
        to_name=letter.to_name,
        receipt_to_name=letter.receipt_to_name or letter.from_name,
        dues_year=capital_digits(letter.dues_paid_until.year),
        dues_month=capital_number(letter.dues_paid_until.month),
        validity=capital_number(letter.validity_days),
        validity_days=letter.validity_days,
        issued_on=chinese_date(letter.issued_on),
        expires_on=chinese_date(letter.expires_on),
        incoming=transfer.kind == Transfer.Kind.INCOMING,
    )
