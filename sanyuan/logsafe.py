"""Log lines that a caller cannot forge: carriage returns, line feeds and other control
characters in logged values (a username, a path, a header) are written as escapes (`\\n`,
`\\r`, `\\t`, `\\x1b` …), so one record is always one line. Tracebacks keep their lines."""

import logging
import re

_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _escape(match: re.Match) -> str:
    char = match.group()
    if char in _NAMED:
        return _NAMED[char]
    return f"\\x{ord(char):02x}" if ord(char) < 0x100 else f"\\u{ord(char):04x}"


def log_safe(value) -> str:
    """`value` as text with every control character escaped."""
    return _CONTROL.sub(_escape, str(value))


class SafeFormatter(logging.Formatter):
    """The message of every record with control characters escaped (the traceback, added
    after the message, keeps its own line breaks)."""

    def formatMessage(self, record):
        record.message = log_safe(record.message)
        return super().formatMessage(record)
