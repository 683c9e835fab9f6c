"""Keyset pages over (starts_at, id): page 1,000 costs what page 1 costs, whatever the
direction. Cursors are opaque strings: "n" (next) or "p" (previous) + microseconds + "." + id.
"""

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.db.models import Q, QuerySet

from sanyuan.errors import ServiceError

_CURSOR = re.compile(r"^([np])(-?\d{1,17})\.(\d{1,18})$")
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


@dataclass
class KeysetPage:
    results: list
    next_cursor: str | None
    previous_cursor: str | None


def _key(obj) -> str:
    delta = obj.starts_at - _EPOCH
    micros = (delta.days * 86400 + delta.seconds) * 1_000_000 + delta.microseconds
    return f"{micros}.{obj.pk}"


def _parse(cursor: str | None):
    if not cursor:
        return None
    match = _CURSOR.match(cursor)
    if match is None:
        raise ServiceError("分页游标无效。", field="cursor")
    direction, micros, pk = match.groups()
    return direction, _EPOCH + timedelta(microseconds=int(micros)), int(pk)


def _after(ascending: bool, when, pk) -> Q:
    op = "gt" if ascending else "lt"
    return Q(**{f"starts_at__{op}": when}) | Q(starts_at=when, **{f"pk__{op}": pk})


def keyset_page(qs: QuerySet, *, ascending: bool, cursor: str | None, page_size: int) -> KeysetPage:
    parsed = _parse(cursor)
    order = ("starts_at", "pk") if ascending else ("-starts_at", "-pk")
    reverse_order = ("-starts_at", "-pk") if ascending else ("starts_at", "pk")
    if parsed is None or parsed[0] == "n":
        if parsed is not None:
            qs = qs.filter(_after(ascending, parsed[1], parsed[2]))
        rows = list(qs.order_by(*order)[: page_size + 1])
        more = len(rows) > page_size
        rows = rows[:page_size]
        return KeysetPage(
            results=rows,
            next_cursor=f"n{_key(rows[-1])}" if more and rows else None,
            previous_cursor=f"p{_key(rows[0])}" if parsed is not None and rows else None,
        )
    rows = list(
        qs.filter(_after(not ascending, parsed[1], parsed[2])).order_by(*reverse_order)[
            : page_size + 1
        ]
    )
    more = len(rows) > page_size
    rows = rows[:page_size][::-1]
    return KeysetPage(
        results=rows,
        next_cursor=f"n{_key(rows[-1])}" if rows else None,
        previous_cursor=f"p{_key(rows[0])}" if more and rows else None,
    )
