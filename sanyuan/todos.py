"""The staff 工作台's to-dos, gathered from the providers each app lists in
settings.STAFF_TODO_PROVIDERS (as OFFLINE_PRECACHE_PROVIDERS gathers offline pages), so that
a later feature adds its own without the 工作台 knowing it.

A provider is `staff_todos(user) -> list[dict]`; each dict has `label` (Chinese), `count`
(int), `url`, and optionally `capped` (the count stopped at TODO_COUNT_CAP) and `hint`. It
scopes through its app's permissions and costs one or two indexed queries.
"""

import logging

from django.conf import settings
from django.utils.module_loading import import_string

logger = logging.getLogger(__name__)

TODO_COUNT_CAP = 999


def capped_count(qs) -> tuple[int, bool]:
    """How many rows `qs` holds, counting at most TODO_COUNT_CAP + 1 of them (a county's
    overdue contacts need not be counted to the last one to say "999+")."""
    count = qs.order_by()[: TODO_COUNT_CAP + 1].count()
    return min(count, TODO_COUNT_CAP), count > TODO_COUNT_CAP


def staff_todos(user) -> list[dict]:
    """Every provider's to-dos with something to do, in the order the settings list them."""
    todos: list[dict] = []
    for path in settings.STAFF_TODO_PROVIDERS:
        provider = import_string(path)
        todos.extend(item for item in provider(user) if item.get("count"))
    return todos
