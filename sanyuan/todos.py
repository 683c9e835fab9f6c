"""The staff 工作台's to-dos, gathered from the providers each app lists in
settings.STAFF_TODO_PROVIDERS (as OFFLINE_PRECACHE_PROVIDERS gathers offline pages), so that
a later feature adds its own without the 工作台 knowing it.

A provider is `staff_todos(user) -> list[dict]`; each dict has `label` (Chinese), `count`
(int), `url`, and optionally `capped` (the count stopped at TODO_COUNT_CAP), `hint`,
`priority` (URGENT, ATTENTION or ROUTINE; default ROUTINE) and `since` (when the oldest item
began waiting). It scopes through its app's permissions and costs one or two indexed queries.

The 工作台 shows the most urgent first: people waiting for an answer (a review, a reply, an
arrival to confirm) before members to keep in touch with, before branch routines; within a
priority, what has waited longest.
"""

import logging
from datetime import datetime

from django.conf import settings
from django.utils import timezone
from django.utils.module_loading import import_string

logger = logging.getLogger(__name__)

TODO_COUNT_CAP = 999
URGENT, ATTENTION, ROUTINE = 1, 2, 3  # someone waits for us; members to reach; routines


def capped_count(qs) -> tuple[int, bool]:
    """How many rows `qs` holds, counting at most TODO_COUNT_CAP + 1 of them (a county's
    overdue contacts need not be counted to the last one to say "999+")."""
    count = qs.order_by()[: TODO_COUNT_CAP + 1].count()
    return min(count, TODO_COUNT_CAP), count > TODO_COUNT_CAP


def oldest(qs, field: str) -> datetime | None:
    """The earliest value of `field` in `qs` (one indexed query): since when the oldest item
    has waited."""
    return qs.order_by(field).values_list(field, flat=True).first()


def waited_days(since: datetime | None, now: datetime | None = None) -> int | None:
    if since is None:
        return None
    return max(0, ((now or timezone.now()) - since).days)


def staff_todos(user) -> list[dict]:
    """Every provider's to-dos with something to do, most urgent first (priority, then the
    longest wait; the settings' order breaks ties). Each gets `waited_days`."""
    todos: list[dict] = []
    for path in settings.STAFF_TODO_PROVIDERS:
        provider = import_string(path)
        todos.extend(item for item in provider(user) if item.get("count"))
    now = timezone.now()
    for todo in todos:
        todo.setdefault("priority", ROUTINE)
        todo["waited_days"] = waited_days(todo.get("since"), now)
    todos.sort(key=lambda todo: (todo["priority"], -(todo["waited_days"] or 0)))
    return todos


def member_todos(user) -> list[dict]:
    """首页's 我的待办: every provider in settings.MEMBER_TODO_PROVIDERS (`member_todos(user)
    -> list[dict]` with `label`, `count`, `url`), those with something to do, in the
    settings' order. A provider that fails is logged and left out: the home page still opens."""
    todos: list[dict] = []
    for path in settings.MEMBER_TODO_PROVIDERS:
        try:
            todos.extend(t for t in import_string(path)(user) if t.get("count"))
        except Exception:
            logger.exception("member to-do provider %s failed", path)
    return todos
