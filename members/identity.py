"""Resident ID numbers (GB 11643), names and phone numbers: normalising and checking input.

Each function returns the normalised value or raises ServiceError with a Chinese message that
tells the person what is wrong with what they typed.
"""

import re
import unicodedata
from datetime import date

from django.utils import timezone

from sanyuan.errors import ServiceError

# First two digits: provinces, autonomous regions, municipalities; 71 Taiwan, 81 Hong Kong,
# 82 Macao (and 83, residence permits of Taiwan residents).
PROVINCE_CODES = frozenset(
    "11 12 13 14 15 21 22 23 31 32 33 34 35 36 37 41 42 43 44 45 46 "
    "50 51 52 53 54 61 62 63 64 65 71 81 82 83".split()
)
_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK_CHARS = "10X98765432"
_FULLWIDTH = str.maketrans("０１２３４５６７８９Ｘｘx", "0123456789XXX")


def _is_junk(char: str) -> bool:
    return char.isspace() or unicodedata.category(char) in ("Cc", "Cf", "Zs", "Zl", "Zp")


def _strip_edges(value: str) -> str:
    """Trim whitespace and invisible characters (zero-width spaces, BOM) around a value."""
    start, end = 0, len(value)
    while start < end and _is_junk(value[start]):
        start += 1
    while end > start and _is_junk(value[end - 1]):
        end -= 1
    return value[start:end]


def id_number_check_digit(first17: str) -> str:
    total = sum(int(d) * w for d, w in zip(first17, _WEIGHTS, strict=True))
    return _CHECK_CHARS[total % 11]


def normalize_id_number(raw, *, field: str = "id_number") -> str:
    """The canonical 18-character form of a resident ID number, or ServiceError."""
    if not isinstance(raw, str) or not raw.strip():
        raise ServiceError("请填写身份证号码。", field=field)
    value = _strip_edges(raw).translate(_FULLWIDTH)
    for char in value:
        if char in "0123456789X":
            continue
        if _is_junk(char):
            raise ServiceError("身份证号码中间不能有空格或不可见字符。", field=field)
        if char.isdigit():
            raise ServiceError("身份证号码只能使用数字0-9和末位的X。", field=field)
        raise ServiceError(f"身份证号码含有无效字符“{char}”。", field=field)
    if len(value) != 18:
        raise ServiceError(f"身份证号码应为18位，您输入了{len(value)}位。", field=field)
    if "X" in value[:17]:
        raise ServiceError("身份证号码只有最后一位可以是X。", field=field)
    if value[:2] not in PROVINCE_CODES:
        raise ServiceError("身份证号码前两位不是有效的省级行政区代码。", field=field)
    birth = id_number_birth_date(value)
    if birth is None:
        raise ServiceError("身份证号码中的出生日期无效。", field=field)
    if birth > timezone.localdate():
        raise ServiceError("身份证号码中的出生日期晚于今天。", field=field)
    if birth.year < 1900:
        raise ServiceError("身份证号码中的出生日期早于1900年。", field=field)
    if id_number_check_digit(value[:17]) != value[17]:
        raise ServiceError("身份证号码校验位不正确，请逐位核对。", field=field)
    return value


def id_number_birth_date(value: str) -> date | None:
    try:
        return date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError:
        return None


def id_number_sex(value: str) -> str:
    return "male" if int(value[16]) % 2 else "female"


def mask_id_number(value: str) -> str:
    """`610422********1234`: region code and last four, never the birth date."""
    if not value:
        return ""
    return value[:6] + "*" * 8 + value[-4:]


# Look-alike dots people type inside minority names (维吾尔族, 哈萨克族 …).
_DOTS = (
    "\u00b7\u2022\u2027\u30fb\uff65\u2219\u22c5\uff0e\u0387\u2e31\ua78f\u318d\u16eb.\u02d1\u2024"
)
# CJK ideographs: Extension A, the unified block, compatibility ideographs, Extensions B–G and
# I (U+20000–U+3134F), Extension H (U+31350–U+323AF), and 〇 (U+3007, "ling", in real names).
_NAME_RE = re.compile(
    r"^[\u3007\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f\U00031350-\U000323af·]+$"
)


def normalize_name(raw, *, field: str = "name") -> str:
    """A person's name as on the ID card: Chinese characters and the middle dot `·`."""
    if not isinstance(raw, str) or not raw.strip():
        raise ServiceError("请填写姓名。", field=field)
    value = unicodedata.normalize("NFC", _strip_edges(raw))
    value = "".join("·" if char in _DOTS else char for char in value)
    if any(_is_junk(char) for char in value):
        raise ServiceError("姓名中间不能有空格或不可见字符。", field=field)
    if not _NAME_RE.match(value):
        raise ServiceError("姓名只能包含汉字和间隔号“·”。", field=field)
    if value.startswith("·") or value.endswith("·") or "··" in value:
        raise ServiceError("姓名中的间隔号“·”位置不正确。", field=field)
    if not 2 <= len(value) <= 30:
        raise ServiceError("姓名应为2至30个字。", field=field)
    return value


_PHONE_FULLWIDTH = str.maketrans("０１２３４５６７８９＋", "0123456789+")


def normalize_phone(raw, *, field: str = "phone") -> str:
    """A mainland mobile number, 11 digits starting with 1."""
    if not isinstance(raw, str) or not raw.strip():
        raise ServiceError("请填写手机号码。", field=field)
    value = _strip_edges(raw).translate(_PHONE_FULLWIDTH)
    value = re.sub(r"[\s\-()]", "", value)
    if value.startswith("+86"):
        value = value[3:]
    elif value.startswith("0086"):
        value = value[4:]
    if not re.fullmatch(r"1[3-9]\d{9}", value):
        raise ServiceError("手机号码格式不正确，应为11位数字。", field=field)
    return value


def mask_phone(value: str) -> str:
    return value[:3] + "****" + value[-4:] if len(value) == 11 else value


def is_full_identifier(raw) -> bool:
    """Whether a search term is a whole ID number or mobile number: such a term never belongs
    in a URL (access logs, browser history), only in a POST body."""
    if not isinstance(raw, str) or not raw.strip():
        return False
    for check in (normalize_id_number, normalize_phone):
        try:
            check(raw)
        except ServiceError:
            continue
        return True
    return False
