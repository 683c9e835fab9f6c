"""Error tracking: unhandled errors of the web processes and Celery tasks (and log records at
ERROR) go to a self-hosted Sentry or GlitchTip when SENTRY_DSN is set (settings.py calls
`init_error_tracking`); without a DSN nothing is sent anywhere.

No personal data leaves the process. sentry-sdk is told not to collect it (no default PII,
no request bodies, no local variables), and every event and transaction then passes
`scrub_event`, which does not trust that:
- request bodies and cookies are dropped; the Authorization, Cookie and forwarding headers
  and every query-string value except paging and filters are replaced;
- `user` keeps only the account id;
- values under keys that name personal fields (name, id_number, phone, password, token, …)
  are replaced wherever they appear (extra, contexts, breadcrumb data, tags);
- in every remaining string, 18-character resident ID numbers become `[id]`, mobile
  numbers `[phone]`, and any run of Chinese characters (also percent-encoded) `[text]`: the site's personal data
  (names, addresses, notes) is Chinese text, while the code's own messages are English, so
  Chinese text in an error is data. Exception messages and SQL stay readable otherwise.
"""

import re
from urllib.parse import parse_qsl, urlencode

FILTERED = "[filtered]"
ID_NUMBER = re.compile(r"(?<!\d)\d{6}[ -]?\d{8}[ -]?\d{3}[\dXx](?!\d)")
PHONE = re.compile(r"(?<!\d)(?:\+?86[ -]?)?1[3-9]\d(?:[ -]?\d{4}){2}(?!\d)")
HAN = "\u3007\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f\U00031350-\U000323af"
CHINESE_TEXT = re.compile(rf"[{HAN}]+(?:[·•・\s]*[{HAN}]+)*")
# the same, percent-encoded in a URL (three-byte UTF-8 sequences of U+3000 to U+9FFF)
ENCODED_CHINESE = re.compile(r"(?:%E[3-9](?:%[89AB][0-9A-F]){2})+", re.IGNORECASE)
SENSITIVE_KEYS = frozenset(
    {
        "name", "username", "real_name", "full_name", "id_number", "idnumber", "id_card",
        "phone", "mobile", "tel", "email", "address", "destination_address", "employer",
        "emergency_contact", "family_situation", "mindset_note", "note", "comment", "reason",
        "q", "openid", "ip_address", "remote_addr", "x-forwarded-for", "x-real-ip",
        "authorization", "cookie", "cookies", "set-cookie", "idempotency-key", "code", "otp",
    }
)  # fmt: skip
SENSITIVE_PARTS = ("password", "secret", "token", "session", "csrf", "phone", "id_number")
SAFE_QUERY_KEYS = frozenset(
    {"page", "page_size", "cursor", "ordering", "status", "board", "kind", "category",
     "organization", "format"}
)  # fmt: skip


def mask_text(text: str) -> str:
    text = ID_NUMBER.sub("[id]", text)
    text = PHONE.sub("[phone]", text)
    text = ENCODED_CHINESE.sub("[text]", text)
    return CHINESE_TEXT.sub("[text]", text)


def sensitive_key(key) -> bool:
    lowered = str(key).lower()
    return lowered in SENSITIVE_KEYS or any(part in lowered for part in SENSITIVE_PARTS)


def scrub(value, *, by_key: bool = True):
    """A copy of `value` with every string masked and, when `by_key`, the values under
    personal keys replaced."""
    if isinstance(value, dict):
        return {
            key: FILTERED
            if by_key and sensitive_key(key) and item not in (None, "")
            else scrub(item, by_key=by_key)
            for key, item in value.items()
        }
    if isinstance(value, list | tuple):
        return [scrub(item, by_key=by_key) for item in value]
    if isinstance(value, str):
        return mask_text(value)
    return value


def scrub_query_string(query) -> str:
    if isinstance(query, dict | list):
        query = urlencode(query, doseq=True)
    pairs = parse_qsl(query or "", keep_blank_values=True)
    return urlencode([(key, value if key in SAFE_QUERY_KEYS else FILTERED) for key, value in pairs])


def _scrub_request(request: dict) -> dict:
    request.pop("data", None)
    request.pop("cookies", None)
    if "query_string" in request:
        request["query_string"] = scrub_query_string(request["query_string"])
    if isinstance(request.get("env"), dict):
        request["env"] = {
            key: value for key, value in request["env"].items() if key != "REMOTE_ADDR"
        }
    return request


def _drop_local_variables(event: dict) -> None:
    exceptions = (event.get("exception") or {}).get("values") or []
    for exception in exceptions:
        for frame in (exception.get("stacktrace") or {}).get("frames") or []:
            frame.pop("vars", None)
    for thread in (event.get("threads") or {}).get("values") or []:
        for frame in (thread.get("stacktrace") or {}).get("frames") or []:
            frame.pop("vars", None)


# The SDK's own descriptions (runtime, os, packages) carry keys such as "name" that are no
# one's name: only their text is masked.
SDK_SECTIONS = frozenset({"sdk", "contexts", "modules", "debug_meta"})


def scrub_event(event: dict, hint: dict | None = None) -> dict:
    """sentry-sdk's before_send and before_send_transaction."""
    if isinstance(event.get("request"), dict):
        event["request"] = _scrub_request(event["request"])
    user_id = (event.pop("user", None) or {}).get("id")
    _drop_local_variables(event)
    event = {key: scrub(value, by_key=key not in SDK_SECTIONS) for key, value in event.items()}
    if user_id:
        event["user"] = {"id": user_id}
    return event


def init_error_tracking(*, dsn: str, environment: str, traces_sample_rate: float) -> None:
    import sentry_sdk
    from sentry_sdk.integrations.celery import CeleryIntegration
    from sentry_sdk.integrations.django import DjangoIntegration

    sentry_sdk.init(
        dsn=dsn,
        environment=environment,
        traces_sample_rate=traces_sample_rate,
        integrations=[DjangoIntegration(), CeleryIntegration()],
        send_default_pii=False,
        max_request_body_size="never",
        include_local_variables=False,
        before_send=scrub_event,
        before_send_transaction=scrub_event,
    )
