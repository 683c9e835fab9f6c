"""Versioned caching of API answers that change rarely for one person (issue 26).

A cached answer is kept per account and URL, stamped with the version of every database
table that was read while it was made (from authentication to the last serializer), and
served again only while all those versions are unchanged. Every write to a table, through
any code path that goes through Django's database connection (ORM saves and deletes,
`QuerySet.update()`, `bulk_create`, raw SQL, Celery tasks), gives the table a new random
version: nothing a cached answer was made from can change without the answer being thrown
away. Versions are random tokens rather than counters, so a version key that the cache
evicted can never come back with a value an old answer carries.

- Reads are recorded by a database execute wrapper (installed on every connection) while a
  cached view runs; writes are noted by the same wrapper, the table version replaced at once
  and again when the transaction commits (a reader between the two stores an answer that the
  second bump throws away).
- A hit costs one cache round trip (MGET of the versions and the answer); the answer carries
  an ETag, and `If-None-Match` gets 304.
- Tables read only to authenticate, written on every request or never part of an answer
  (UNTRACKED_TABLES), and UPDATEs that set only columns no answer shows (QUIET_COLUMNS) bump
  nothing.
- An answer is never cached when its view wrote to the database, when it is not a 200, or
  for an anonymous request. `RESPONSE_CACHE_SECONDS` bounds how long an answer lives (what
  depends on the clock, such as an activity that has started, is at most that late); 0
  turns the cache off.
"""

import hashlib
import re
import secrets
import threading
from contextlib import contextmanager
from functools import partial, wraps

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.http import HttpResponse

VERSION_PREFIX = "rv:"
ENTRY_PREFIX = "rc:"
ALL_TABLES = "*"  # bumped by writes the wrapper cannot attribute to a table

# Re-read on every request (authentication, sessions) or written on every request and never
# shown in a cached answer.
UNTRACKED_TABLES = frozenset(
    {
        "knox_authtoken",
        "django_session",
        "axes_accessattempt",
        "axes_accessfailurelog",
        "axes_accesslog",
        "members_auditlog",
        "sanyuan_loginthrottle",
        "django_celery_results_taskresult",
    }
)
# UPDATEs that set only these columns change no cached answer (engagement stamps kept on the
# archive row for the dashboard; the login time).
QUIET_COLUMNS = {
    "members_member": frozenset({"last_studied_at", "last_attended_at", "last_posted_at"}),
    "members_user": frozenset({"last_login"}),
}

_READ_TABLES = re.compile(r'(?:FROM|JOIN)\s+"([A-Za-z0-9_]+)"')
_WRITE_TABLE = re.compile(
    r'^\s*(?:INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+"?([A-Za-z0-9_]+)"?', re.IGNORECASE
)
_SET_CLAUSE = re.compile(r"\bSET\b(.*?)(?:\bWHERE\b|\bFROM\b|$)", re.IGNORECASE | re.DOTALL)
_SET_COLUMN = re.compile(r'"([A-Za-z0-9_]+)"\s*=')
_WRITE_WORD = re.compile(r"\b(?:INSERT|UPDATE|DELETE|TRUNCATE|MERGE)\b", re.IGNORECASE)

_local = threading.local()


# Writes ----------------------------------------------------------------------------------


def _written_tables(sql: str) -> set[str] | None:
    """The tables a statement writes, an empty set for a read, None when it writes somewhere
    the wrapper cannot tell (then every answer is thrown away)."""
    head = sql.lstrip()[:8].upper()
    if head.startswith("SELECT") or head.startswith(("SAVEPOIN", "RELEASE", "ROLLBACK")):
        return set()
    if head.startswith(("INSERT", "UPDATE", "DELETE")):
        match = _WRITE_TABLE.match(sql)
        if match is None:
            return None
        table = match.group(1)
        if table in UNTRACKED_TABLES:
            return set()
        quiet = QUIET_COLUMNS.get(table)
        if quiet and head.startswith("UPDATE"):
            clause = _SET_CLAUSE.search(sql)
            columns = set(_SET_COLUMN.findall(clause.group(1))) if clause else set()
            if columns and columns <= quiet:
                return set()
        return {table}
    if head.startswith(("WITH", "TRUNCATE", "MERGE")) and _WRITE_WORD.search(sql):
        return None
    return set()


def bump(tables) -> None:
    """Give these tables new versions (every cached answer made from them is gone)."""
    cache.set_many({VERSION_PREFIX + table: secrets.token_hex(8) for table in tables}, None)


# Answers stored by this process: a write inside a transaction bumps its table at once again
# when an answer was stored since its last bump (that answer may have been made inside the
# same transaction, as in a test or a request that reads what it wrote).
_stored = [0]


def _note_writes(connection, tables: set[str]) -> None:
    if not connection.in_atomic_block:
        bump(tables)
        return
    # Per transaction and table: at once (reads inside this transaction see the change), and
    # once more after the commit (answers other connections made in between, from the rows
    # as they were before). `run_on_commit` is a new list after every commit, rollback or
    # savepoint rollback, so a transaction is known by it.
    state = getattr(connection, "_respcache_pending", None)
    if state is None or state[0] is not connection.run_on_commit:
        state = (connection.run_on_commit, {})
        connection._respcache_pending = state
    bumped = state[1]
    now = _stored[0]
    new = {table for table in tables if table not in bumped}
    stale = {table for table in tables if bumped.get(table, now) != now}
    if not new and not stale:
        return
    bump(new | stale)
    for table in new | stale:
        bumped[table] = now
    if new:
        transaction.on_commit(partial(bump, new), using=connection.alias)


def execute_wrapper(execute, sql, params, many, context):
    """Installed on every database connection (sanyuan.apps): records the tables a cached
    view reads and bumps the tables every statement writes."""
    result = execute(sql, params, many, context)
    written = _written_tables(sql)
    if written is None:
        written = {ALL_TABLES}
    if written:
        recording = getattr(_local, "reads", None)
        if recording is not None:
            _local.wrote = True
        _note_writes(context["connection"], written)
    else:
        recording = getattr(_local, "reads", None)
        if recording is not None:
            recording.update(_READ_TABLES.findall(sql))
    return result


def install(sender=None, connection=None, **kwargs) -> None:
    """`connection_created` receiver: wrap the new connection's statements (once)."""
    # First in the list: `connection.execute_wrapper()` contexts (the query counter) pop the
    # last one when they end.
    if execute_wrapper not in connection.execute_wrappers:
        connection.execute_wrappers.insert(0, execute_wrapper)


# Reads -----------------------------------------------------------------------------------

# Per view, every table any of its answers was made from (learnt as answers are made): the
# versions fetched with each lookup.
_DEPENDENCIES: dict[str, set[str]] = {}


def _start_recording():
    previous = (getattr(_local, "reads", None), getattr(_local, "wrote", False))
    _local.reads, _local.wrote = set(), False
    return previous


def _stop_recording(previous):
    reads, wrote = _local.reads, _local.wrote
    _local.reads, _local.wrote = previous
    return reads, wrote


def depends_on(*tables: str) -> None:
    """For code that serves database rows from another cache (the grant lists): the answer
    being made depends on these tables as if it had read them."""
    reads = getattr(_local, "reads", None)
    if reads is not None:
        reads.update(tables)


@contextmanager
def tables_read():
    """The tables read inside the block, for code that keeps rows in another cache: store
    them beside the rows and call `depends_on(*tables)` when serving from that cache. The
    reads still count for the answer being made, if one is."""
    outer = getattr(_local, "reads", None)
    _local.reads = found = set()
    try:
        yield found
    finally:
        _local.reads = outer
        if outer is not None:
            outer.update(found)


def _etag(body: bytes) -> str:
    return '"' + hashlib.blake2b(body, digest_size=10).hexdigest() + '"'


def _not_modified(request, etag: str) -> bool:
    wanted = request.META.get("HTTP_IF_NONE_MATCH", "")
    return bool(wanted) and (wanted.strip() == "*" or etag in wanted)


def _answer(request, entry) -> HttpResponse:
    etag, content_type, headers, body = (
        entry["etag"],
        entry["type"],
        entry["headers"],
        entry["body"],
    )
    if _not_modified(request, etag):
        response = HttpResponse(status=304)
    else:
        response = HttpResponse(body, content_type=content_type)
    for name, value in headers:
        response[name] = value
    response["ETag"] = etag
    return response


# Set again on every answer by DRF (Allow, Vary) or by the response itself.
_DROPPED_HEADERS = frozenset({"content-type", "content-length", "allow", "vary", "etag"})


class CachedAnswerMixin:
    """For DRF views whose GET answers change rarely for one account: the answer is cached
    as described above. Recording starts before authentication, so that the tables read to
    find the account, its archive and its grants are dependencies too."""

    page = False  # a DRF answer (finalized by the view); CachedPageMixin: a Django page
    read_before_view: tuple[str, ...] = ()

    def dispatch(self, request, *args, **kwargs):
        if request.method != "GET" or not settings.RESPONSE_CACHE_SECONDS:
            return super().dispatch(request, *args, **kwargs)
        previous = _start_recording()
        try:
            depends_on(*self.read_before_view)
            return super().dispatch(request, *args, **kwargs)
        finally:
            _stop_recording(previous)

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if "get" in cls.__dict__:
            cls.get = _cached(cls.__dict__["get"], page=cls.page)


# Read by the middleware before a page's view runs (the session's account, its archive and
# organisation, the staff grants): pages depend on them as if the view had read them.
# (the grant tables are members.permissions.scope.GRANT_TABLES; tests/sanyuan/
# test_respcache.py checks that this list holds them.)
PAGE_ACCOUNT_TABLES = (
    "members_user",
    "members_member",
    "members_organization",
    "members_user_groups",
    "members_organizationuserobjectpermission",
    "members_organizationgroupobjectpermission",
    "auth_permission",
)


class CachedPageMixin(CachedAnswerMixin):
    """For server-rendered pages (Django class-based views) that change rarely for one
    account, such as 首页: the page is cached like an API answer. The session's account is
    found by middleware before the view, so the account's tables are declared as read. A
    request with flash messages waiting is answered fresh and not kept (the page shows and
    uses them up); anonymous visitors are never cached. Pages here carry no CSRF token and no
    CSP nonce (the policy has no inline script), so the bytes are the same for every
    request of the account."""

    page = True
    read_before_view = PAGE_ACCOUNT_TABLES


def _messages_waiting(request) -> bool:
    from django.contrib.messages import get_messages

    return len(get_messages(request)) > 0


def _cached(handler, page: bool = False):
    @wraps(handler)
    def get(view, request, *args, **kwargs):
        user = request.user
        if _local.__dict__.get("reads") is None or not user.is_authenticated:
            # Not recorded from the start (a HEAD request, the cache off) or anonymous.
            return handler(view, request, *args, **kwargs)
        if page and _messages_waiting(request):
            return handler(view, request, *args, **kwargs)
        name = f"{type(view).__module__}.{type(view).__qualname__}"
        path = f"{request.get_full_path()}|{request.META.get('HTTP_ACCEPT', '')}"
        digest = hashlib.blake2b(path.encode(), digest_size=12).hexdigest()
        key = f"{ENTRY_PREFIX}{name}:{user.pk}:{digest}"
        known = _DEPENDENCIES.setdefault(name, set())
        version_keys = [VERSION_PREFIX + table for table in (ALL_TABLES, *sorted(known))]
        found = cache.get_many([*version_keys, key])
        entry = found.get(key)
        if entry is not None and _fresh(entry, found):
            return _answer(request, entry)

        response = handler(view, request, *args, **kwargs)
        if not page:
            response = view.finalize_response(request, response)
        if hasattr(response, "render"):
            response.render()
        reads = _local.reads - UNTRACKED_TABLES
        known.update(reads)
        if (
            response.status_code != 200
            or _local.wrote
            or getattr(response, "streaming", False)
            or response.cookies  # set for this browser only (a language, a device token)
        ):
            return response
        versions = {t: found.get(VERSION_PREFIX + t) for t in (ALL_TABLES, *reads)}
        missing = [t for t, value in versions.items() if value is None]
        if missing:
            # Versions not read before the answer was made (a table this view had not read
            # before in this process, or one never written since the cache started): the
            # answer is not kept; the next one is.
            for table in missing:
                cache.add(VERSION_PREFIX + table, secrets.token_hex(8), None)
            return response
        entry = {
            "versions": versions,
            "etag": _etag(response.content),
            "type": response.get("Content-Type"),
            "headers": [(n, v) for n, v in response.items() if n.lower() not in _DROPPED_HEADERS],
            "body": response.content,
        }
        cache.set(key, entry, settings.RESPONSE_CACHE_SECONDS)
        _stored[0] += 1
        return _answer(request, entry)

    return get


def _fresh(entry, found) -> bool:
    """Every table the answer was made from still has the version it had then (a table this
    process has not learnt yet was not fetched: the answer is not trusted)."""
    versions = entry.get("versions") or {}
    return bool(versions) and all(
        found.get(VERSION_PREFIX + table, False) == value for table, value in versions.items()
    )
