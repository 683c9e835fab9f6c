"""Keyset pages over one or more indexed columns, for every list of every app whose data grows:
page 1,000 costs what page 1 costs.

A cursor is one opaque format everywhere (URL-safe base64 of a small JSON array): a row's key
and a direction, `n` (further along the ordering) or `p` (back towards the start). The rows are
fetched with a row-value comparison `(a, b) < (x, y)` on the index columns and LIMIT
page_size + 1; no OFFSET anywhere. `page_url` builds the `next`/`previous` links of the API's
keyset lists (`{next, previous, results}`) and of the pages.
"""

import base64
import json
from dataclasses import dataclass
from datetime import datetime

from django.db.models import F, QuerySet
from django.db.models.fields.tuple_lookups import (
    TupleGreaterThan,
    TupleLessThan,
)
from django.db.models.lookups import GreaterThan, LessThan

from sanyuan.errors import ServiceError

INVALID = "分页游标无效。"


@dataclass
class Page:
    results: list
    next_cursor: str | None
    previous_cursor: str | None


def _plain(value):
    if isinstance(value, datetime):
        return {"t": value.isoformat()}
    return value


def _typed(value):
    if isinstance(value, dict) and set(value) == {"t"}:
        return datetime.fromisoformat(value["t"])
    return value


def encode(direction: str, values: tuple) -> str:
    raw = json.dumps([direction, [_plain(v) for v in values]], separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode(cursor: str, size: int) -> tuple[str, tuple]:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        direction, values = json.loads(base64.urlsafe_b64decode(padded.encode()).decode())
        values = tuple(_typed(v) for v in values)
    except (ValueError, TypeError, UnicodeDecodeError) as exc:
        raise ServiceError(INVALID, field="cursor") from exc
    if direction not in ("n", "p") or len(values) != size:
        raise ServiceError(INVALID, field="cursor")
    for value in values:
        if not isinstance(value, bool | int | datetime) or (
            isinstance(value, int) and not -(2**63) < value < 2**63
        ):
            raise ServiceError(INVALID, field="cursor")
    return direction, values


def _after(fields: tuple[str, ...], values: tuple, *, greater: bool):
    if len(fields) == 1:
        lookup = GreaterThan if greater else LessThan
        return lookup(F(fields[0]), values[0])
    lookup = TupleGreaterThan if greater else TupleLessThan
    return lookup(tuple(F(name) for name in fields), values)


def keyset_page(
    qs: QuerySet,
    *,
    fields: tuple[str, ...],
    descending: bool,
    cursor: str | None,
    page_size: int,
) -> Page:
    """One page of `qs` ordered by `fields` (all ascending or all descending)."""
    direction, anchor = decode(cursor, len(fields)) if cursor else ("n", None)
    forward = direction == "n"
    # Walking forward along a descending order means smaller keys, and so on.
    greater = forward != descending
    base = qs
    if anchor is not None:
        qs = qs.filter(_after(fields, anchor, greater=greater))
    ascending_fetch = greater
    order = [name if ascending_fetch else f"-{name}" for name in fields]
    rows = list(qs.order_by(*order)[: page_size + 1])
    more = len(rows) > page_size
    rows = rows[:page_size]
    if not forward:
        rows.reverse()

    def key(row):
        return tuple(getattr(row, name) for name in fields)

    if not rows:
        return Page([], None, None)
    if forward:
        next_cursor = encode("n", key(rows[-1])) if more else None
        previous_cursor = encode("p", key(rows[0])) if anchor is not None else None
    else:
        # The anchor may be synthetic (a page ending at the newest post): ask whether
        # anything follows instead of assuming it.
        beyond = base.filter(_after(fields, key(rows[-1]), greater=not descending)).exists()
        next_cursor = encode("n", key(rows[-1])) if beyond else None
        previous_cursor = encode("p", key(rows[0])) if more else None
    return Page(rows, next_cursor, previous_cursor)


def page_url(request, cursor: str | None, *, drop: tuple[str, ...] = ()) -> str | None:
    """The absolute URL of the same list at `cursor` (None: no such page), keeping the other
    query parameters except `drop`. Works for DRF requests and plain Django requests."""
    if cursor is None:
        return None
    params = getattr(request, "query_params", request.GET).copy()
    params["cursor"] = cursor
    for name in drop:
        params.pop(name, None)
    return request.build_absolute_uri(f"{request.path}?{params.urlencode()}")


def page_query(request, cursor: str | None) -> str | None:
    """The query string (for a page's own links) of the same list at `cursor`."""
    if cursor is None:
        return None
    params = request.GET.copy()
    params["cursor"] = cursor
    return params.urlencode()


def page_links(request, page: Page) -> dict:
    """Query strings of a page's links: `first` (only beyond the first page), `previous`,
    `next` (None where there is none) and `filters` (the list's filters without a cursor)."""
    params = request.GET.copy()
    params.pop("cursor", None)
    return {
        "filters": params.urlencode(),
        "first": params.urlencode() if request.GET.get("cursor") else None,
        "previous": page_query(request, page.previous_cursor),
        "next": page_query(request, page.next_cursor),
    }


def request_page(request, qs: QuerySet, *, fields, descending: bool, page_size: int) -> Page:
    """A page's list at the request's `cursor`; a cursor that does not parse gives the first
    page (a page, unlike the API, has no field to show the error on)."""
    cursor = request.GET.get("cursor") or None
    try:
        return keyset_page(
            qs, fields=fields, descending=descending, cursor=cursor, page_size=page_size
        )
    except ServiceError:
        return keyset_page(
            qs, fields=fields, descending=descending, cursor=None, page_size=page_size
        )
