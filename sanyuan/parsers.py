"""Request parsers with Chinese errors (DRF's say `JSON parse error - …` in English), and the
nesting check every JSON body passes before it is parsed: Python's JSON parser recurses, and a
body nested a few thousand levels deep ended in a RecursionError, a 500 and a traceback."""

import re

from rest_framework import parsers
from rest_framework.exceptions import ParseError

MAX_JSON_DEPTH = 64
TOO_DEEP = "请求内容嵌套过深。"
NOT_JSON = "请求内容不是有效的 JSON。"
BAD_UPLOAD = "上传内容格式不正确。"

_STRING = re.compile(rb'"(?:[^"\\]|\\.)*"', re.DOTALL)
_NOT_BRACKET = re.compile(rb"[^\[\]{}]+")
_INNERMOST = re.compile(rb"\[\]|\{\}")


def json_too_deep(body: bytes, limit: int = MAX_JSON_DEPTH) -> bool:
    """Whether arrays and objects in `body` nest deeper than `limit`, without parsing it.

    Strings are dropped, then everything but brackets; each pass then removes the innermost
    pairs, so a body nested `d` deep is empty after `d` passes. Every step runs in the regex
    engine (C), a few passes over the bytes at most for any real body. A body whose brackets
    do not match stops early and is left to the parser to refuse."""
    if body.count(b"[") + body.count(b"{") <= limit:
        return False
    brackets = _NOT_BRACKET.sub(b"", _STRING.sub(b"", body))
    for _ in range(limit):
        reduced = _INNERMOST.sub(b"", brackets)
        if not reduced or reduced == brackets:
            return False
        brackets = reduced
    return _INNERMOST.search(brackets) is not None


class JSONParser(parsers.JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        try:
            return super().parse(stream, media_type, parser_context)
        except RecursionError as exc:  # deeper than the middleware's check could see
            raise ParseError(TOO_DEEP) from exc
        except ParseError as exc:
            raise ParseError(NOT_JSON) from exc


class MultiPartParser(parsers.MultiPartParser):
    def parse(self, stream, media_type=None, parser_context=None):
        try:
            return super().parse(stream, media_type, parser_context)
        except ParseError as exc:
            raise ParseError(BAD_UPLOAD) from exc


class FormParser(parsers.FormParser):
    pass
