"""Reading numbers that users type or put in URLs.

`str.isdigit()` is True for "²" and "١" (int() then fails or reads another script), and an
id longer than PostgreSQL's bigint ends in a database error: both were 500s. Use these.
"""

MAX_DIGITS = 18  # every 18-digit number fits a bigint
MAX_ID = 2**63 - 1  # PostgreSQL's bigint: bounds for id fields of API input


def parse_int(raw, default=None):
    """A non-negative integer from ASCII digits only (at most 18), else `default`."""
    if isinstance(raw, bool):
        return default
    if isinstance(raw, int):
        return raw if 0 <= raw < 10**MAX_DIGITS else default
    text = str(raw if raw is not None else "").strip()
    if not text or len(text) > MAX_DIGITS or not (text.isascii() and text.isdigit()):
        return default
    return int(text)


def is_id(raw) -> bool:
    return parse_int(raw) is not None
