"""Every route of the URL conf, with real objects of side a or side b (tests/hardening/
conftest.py, `scoped_world`) in its parameters, for the tier matrix to call as every principal.

`ROUTE_OBJECTS` names, per URL name, the objects a route is called with; a route with
parameters that is missing from it fails `test_every_route_with_parameters_is_in_the_matrix`,
so a new endpoint or page cannot stay out of the matrix.
"""

import io
import json
import re
import zipfile

from django.urls import URLPattern, URLResolver, get_resolver

MISSING = 999_999_999  # an id no row has: the route's 404


def _walk(patterns, prefix="", namespace=""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            ns = pattern.namespace or ""
            yield from _walk(
                pattern.url_patterns,
                prefix + str(pattern.pattern),
                f"{namespace}{ns}:" if ns else namespace,
            )
        elif isinstance(pattern, URLPattern):
            yield prefix + str(pattern.pattern), f"{namespace}{pattern.name or ''}", pattern


def routes(prefix: str) -> list[tuple[str, str]]:
    """(route, URL name) of every route under `prefix` ("api/", "staff/", ""), the admin's
    excepted (the matrix walks the admin by its registry)."""
    return [
        (route, name)
        for route, name, _ in _walk(get_resolver().url_patterns)
        if route.startswith(prefix) and not route.startswith("admin/")
    ]


def _obj(attr):
    return lambda w, s: [{"pk": getattr(s, attr).pk}]


# URL name → the parameters to call it with, for one side `s` of the world `w`.
ROUTE_OBJECTS = {
    # API: registry
    "api:my-change-request-withdraw": _obj("change_request"),
    "api:change-request-detail": _obj("change_request"),
    "api:change-request-approve": _obj("change_request"),
    "api:change-request-reject": _obj("change_request"),
    "api:change-request-evidence": lambda w, s: [
        {"pk": s.change_request.pk, "evidence_pk": s.evidence.pk}
    ],
    "api:temporary-branch-dissolve": _obj("branch"),  # not a temporary branch: 404
    "api:temporary-branch-proposal-decide": lambda w, s: [{"pk": MISSING}],
    "api:hosting-accept": lambda w, s: [{"pk": w.hosting.pk if s is w.a else MISSING}],
    "api:hosting-decline": lambda w, s: [{"pk": w.hosting.pk if s is w.a else MISSING}],
    "api:member-detail": _obj("member"),
    "api:member-history": _obj("member"),
    "api:member-contacts": _obj("member"),
    "api:member-reveal-id-number": _obj("member"),
    "api:member-activation-code": _obj("member"),
    "api:notice-read": _obj("notice"),
    # API: learning
    "api:article-detail": _obj("article"),
    "api:article-study": _obj("article"),
    "api:article-saved": _obj("article"),
    "api:article-study-figures": _obj("article"),
    "api:article-cover": lambda w, s: [{"pk": s.article.pk, "size": "original"}],
    "api:article-attachment": lambda w, s: [{"pk": s.article.pk, "attachment_pk": s.attachment.pk}],
    # API: activities
    **{
        f"api:activity-{name}": _obj("activity")
        for name in (
            "detail",
            "publish",
            "cancel",
            "held",
            "attendance",
            "study",
            "participation",
            "materials",
        )
    },
    "api:activity-material": _obj("material"),
    "api:activity-material-file": _obj("material"),
    # API: forum
    **{
        f"api:forum-thread{name}": lambda w, s: [{"pk": s.thread.pk}, {"pk": s.reflection.pk}]
        for name in ("", "-posts", "-read", "-share", "-staff-read", "-moderation")
    },
    **{
        f"api:forum-post{name}": lambda w, s: [{"pk": s.post.pk}, {"pk": s.reflection_post.pk}]
        for name in ("", "-moderation", "-reports")
    },
    "api:forum-report-resolve": lambda w, s: [{"pk": MISSING}],
    "api:forum-image": _obj("image"),
    # API: appraisals
    **{
        f"api:{name}": _obj("appraisal")
        for name in (
            "my-appraisal",
            "appraisal-self-assessment",
            "appraisal-ballot",
            "appraisal-detail",
            "appraisal-tallies",
            "appraisal-close-ballot",
            "appraisal-paper-tally",
            "appraisal-ratings",
            "appraisal-finish",
        )
    },
    **{
        f"api:appraisal-rating-{name}": lambda w, s: [
            {"pk": s.appraisal.pk, "member_pk": s.member.pk}
        ]
        for name in ("approve", "reject")
    },
    # API: transfers (routes that had no row yet; s.transfer is prepared out of the county)
    **{
        f"api:{name}": _obj("transfer")
        for name in (
            "my-transfer",
            "my-transfer-withdraw",
            "transfer-detail",
            "transfer-approve",
            "transfer-reject",
            "transfer-accept",
            "transfer-withdraw",
            "transfer-letter",
            "transfer-receipt",
        )
    },
    # API: dues (receipts, entries and orders of the world's members are in
    # test_tier_matrix_dues.py; here the walk meets their 404)
    **{f"api:dues-{name}": _obj("member") for name in ("member", "account", "base", "payments")},
    **{
        f"api:{name}": lambda w, s: [{"pk": MISSING}]
        for name in ("dues-correction", "dues-receipt", "dues-refund", "my-dues-receipt")
    },
    "api:my-dues-order": lambda w, s: [{"out_trade_no": "DF0000NONE"}],
    # API: hometown ties
    "api:support-case-detail": _obj("support_case"),
    "api:support-case-step": _obj("support_case"),
    "api:contribution-decide": _obj("contribution"),
    # Pages: registry
    "members:my-change-request": _obj("change_request"),
    "members:change-request-field": lambda w, s: [{"row": "phone"}, {"row": "id_number"}],
    "members:staff-member": _obj("member"),
    "members:staff-change-request": _obj("change_request"),
    "members:staff-roster": lambda w, s: [{"pk": MISSING}],
    "members:notice-open": _obj("notice"),
    "members:staff-export": lambda w, s: [{"pk": MISSING}],
    "members:staff-export-download": lambda w, s: [{"pk": MISSING}],
    # Pages: learning
    "learning:article": _obj("article"),
    "learning:article-finish": _obj("article"),
    "learning:article-save": _obj("article"),
    "learning:staff-article-study": _obj("article"),
    "learning:staff-article-study-export": _obj("article"),
    # Pages: activities
    **{
        f"activities:{name}": _obj("activity")
        for name in (
            "detail",
            "reply",
            "study",
            "staff-detail",
            "staff-edit",
            "staff-publish",
            "staff-held",
            "staff-cancel",
            "staff-material-add",
            "staff-attendance",
            "staff-attendance-export",
        )
    },
    "activities:staff-attendance-reply": _obj("activity"),
    "activities:material-file": _obj("material"),
    "activities:staff-material-delete": _obj("material"),
    # Pages: forum
    **{
        f"forum:{name}": lambda w, s: [{"pk": s.thread.pk}, {"pk": s.reflection.pk}]
        for name in ("thread", "thread-moderate", "thread-share", "thread-staff-read")
    },
    **{
        f"forum:{name}": lambda w, s: [{"pk": s.post.pk}, {"pk": s.reflection_post.pk}]
        for name in ("post-edit", "post-delete", "post-report", "post-moderate")
    },
    "forum:image": _obj("image"),
    # Pages: appraisals
    **{
        f"appraisals:{name}": _obj("appraisal")
        for name in ("my-detail", "my-ballot", "staff-detail", "staff-paper-tally", "staff-export")
    },
    # Pages: dues
    "dues:staff-member": _obj("member"),
    "dues:staff-receipt": lambda w, s: [{"pk": MISSING}],
    "dues:receipt": lambda w, s: [{"pk": MISSING}],
    "dues:order": lambda w, s: [{"out_trade_no": "DF0000NONE"}],
    "forum:staff-report-resolve": lambda w, s: [{"pk": MISSING}],
    # WeChat bindings: the world has none, so every principal gets 404 (or 403 / login).
    "api:my-wechat-binding": lambda w, s: [{"pk": MISSING}],
    "wechat_accounts:unbind": lambda w, s: [{"pk": MISSING}],
    "wechat_accounts:mp-verify": lambda w, s: [{"name": "MP_verify_abc123.txt"}],
    # Transfers (each side holds a prepared out-of-county transfer of its member)
    **{
        name: _obj("transfer")
        for name in (
            "api:my-transfer",
            "api:my-transfer-withdraw",
            "api:transfer-detail",
            "api:transfer-approve",
            "api:transfer-reject",
            "api:transfer-accept",
            "api:transfer-withdraw",
            "api:transfer-letter",
            "api:transfer-receipt",
            "transfers:my-detail",
            "transfers:staff-detail",
            "transfers:staff-letter",
            "transfers:staff-receipt",
        )
    },
    # Pages: hometown ties
    "hometown:my-case": _obj("support_case"),
    "hometown:staff-case": _obj("support_case"),
    "hometown:staff-campaign": lambda w, s: [{"year": w.campaign.year if s is w.a else 1999}],
}


def fill(route: str, kwargs: dict) -> str:
    """The path of `route` with its parameters filled in."""

    def value(match):
        return str(kwargs[match.group(2)])

    return "/" + re.sub(r"<(?:(\w+):)?(\w+)>", value, route)


def has_parameters(route: str) -> bool:
    return "<" in route


def urls_for(w, prefix: str, side) -> list[str]:
    """Every GET-able URL under `prefix` for one side: routes without parameters once (only
    for side a), routes with parameters with that side's objects."""
    urls = []
    for route, name in routes(prefix):
        if not has_parameters(route):
            if side is w.a:
                urls.append(fill(route, {}))
            continue
        for kwargs in ROUTE_OBJECTS[name](w, side):
            urls.append(fill(route, kwargs))
    return urls


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def readable(response) -> str:
    """The text of an answer, whatever its kind: HTML and JSON as text, an Excel workbook as
    the XML of all its parts (cell strings are inside), a streamed file as its bytes."""
    if getattr(response, "streaming", False):
        raw = b"".join(response.streaming_content)
    else:
        raw = response.content
    if raw[:2] == b"PK":
        try:
            with zipfile.ZipFile(io.BytesIO(raw)) as book:
                return "\n".join(
                    book.read(name).decode("utf-8", "replace") for name in book.namelist()
                )
        except zipfile.BadZipFile:
            pass
    return raw.decode("utf-8", "replace")


def json_keys(text: str) -> set[str]:
    """Every key anywhere in a JSON answer (empty for anything that is not JSON)."""
    try:
        payload = json.loads(text)
    except ValueError:
        return set()
    keys: set[str] = set()
    stack = [payload]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            keys.update(item)
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return keys
