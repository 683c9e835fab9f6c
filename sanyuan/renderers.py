"""The API's JSON renderer: DRF's output, written by orjson (issue 26).

DRF's `JSONRenderer` spends a noticeable part of a small answer in `json.dumps` with a Python
`default` hook. orjson writes the same bytes several times faster. What DRF does is kept:
UTF-8 without escapes (`UNICODE_JSON`), compact separators (`COMPACT_JSON`), no NaN
(`STRICT_JSON`: orjson would write `null`, so such data is refused as DRF refuses it),
`\\u2028`/`\\u2029` escaped, and every type orjson does not know (lazy translations, dates,
decimals, querysets …) through DRF's own encoder, so the text is the same as before.
Datetimes go through DRF's encoder too (`…Z` rather than orjson's `+00:00`).
An indented answer (`Accept: application/json; indent=4`) is left to DRF.
"""

import math

import orjson
from rest_framework.renderers import JSONRenderer
from rest_framework.utils.encoders import JSONEncoder

_OPTIONS = orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_NON_STR_KEYS
_default = JSONEncoder().default


def _has_nan(data) -> bool:
    if isinstance(data, float):
        return math.isnan(data) or math.isinf(data)
    if isinstance(data, dict):
        return any(_has_nan(value) for value in data.values())
    if isinstance(data, (list, tuple)):
        return any(_has_nan(value) for value in data)
    return False


class OrjsonRenderer(JSONRenderer):
    def render(self, data, accepted_media_type=None, renderer_context=None):
        if data is None:
            return b""
        if self.get_indent(accepted_media_type, renderer_context or {}) is not None:
            return super().render(data, accepted_media_type, renderer_context)
        text = orjson.dumps(data, default=_default, option=_OPTIONS)
        if self.strict and (b"null" in text) and _has_nan(data):
            raise ValueError("Out of range float values are not JSON compliant")
        if b"\xe2\x80\xa8" in text or b"\xe2\x80\xa9" in text:
            text = text.replace(b"\xe2\x80\xa8", b"\\u2028").replace(b"\xe2\x80\xa9", b"\\u2029")
        return text
