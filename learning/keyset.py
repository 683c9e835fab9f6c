"""Keyset pages over (timestamp, id), newest first: page 1,000 costs what page 1 costs.

A cursor is "o<micros>.<id>" (rows older than that key) or "n<micros>.<id>" (newer). Pages
read LIMIT n+1 rows on an index that ends with the same two columns.
"""

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.db.models import Q, QuerySet

from sanyuan.errors import ServiceError

_CURSOR = re.compile(r"^([on])(\d{1,18})\.(\d{1,18})$")
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICRO = timedelta(microseconds=1)


@dataclass
class Page:
    results: list
    next_cursor: str | None
    previous_cursor: str | None


def _encode(direction: str, when: datetime, pk: int) -> str:
    micros = (when - _EPOCH) // _MICRO
    return f"{direction}{micros}.{pk}"


def _decode(cursor: str) -> tuple[str, datetime, int]:
    match = _CURSOR.match(cursor or "")
    if not match:
        raise ServiceError("分页游标无效。", field="cursor")
    direction, micros, pk = match.groups()
    try:
        when = _EPOCH + int(micros) * _MICRO
    except OverflowError as exc:
        raise ServiceError("分页游标无效。", field="cursor") from exc
    return direction, when, int(pk)


def keyset_page(qs: QuerySet, *, field: str, cursor: str | None, page_size: int) -> Page:
    """Rows of `qs` ordered by (`field`, id) descending, one page after or before `cursor`.

    Rows whose `field` is NULL are never listed (callers filter them out)."""
    direction, when, pk = ("o", None, None) if not cursor else _decode(cursor)
    if when is not None:
        if direction == "o":
            qs = qs.filter(Q(**{f"{field}__lt": when}) | Q(**{field: when, "pk__lt": pk}))
        else:
            qs = qs.filter(Q(**{f"{field}__gt": when}) | Q(**{field: when, "pk__gt": pk}))
    order = (f"-{field}", "-id") if direction == "o" else (field, "id")
    rows = list(qs.order_by(*order)[: page_size + 1])
    more = len(rows) > page_size
    rows = rows[:page_size]
    if direction == "n":
        rows.reverse()
    if not rows:
        return Page(results=[], next_cursor=None, previous_cursor=None)
    first, last = rows[0], rows[-1]
    has_older = more if direction == "o" else True
    has_newer = (when is not None) if direction == "o" else more
    return Page(
        results=rows,
        next_cursor=_encode("o", getattr(last, field), last.pk) if has_older else None,
        previous_cursor=_encode("n", getattr(first, field), first.pk) if has_newer else None,
    )
