"""Querysets compiled once per process and run again with other values (issue 26).

Turning a queryset into SQL costs the ORM more than the database needs to answer a lookup by
key: the token lookup every API request makes (a knox token with its account, the archive and
its organisations, about 90 columns) took some 3 ms of compilation for a 0.3 ms query. A
`PreparedQuery` compiles its queryset once, with marker values where the caller's values go,
and afterwards only swaps the values in and turns the rows into model instances the way
Django's own `ModelIterable` does (converters such as decryption, `select_related`
objects, deferred fields). Only for querysets whose SQL never depends on anything but those
values (no clock, no settings read while building).

On PostgreSQL the statement is also prepared on the server (PREPARE once per connection,
then EXECUTE), so that the database does not plan it again either: the token lookup's six
joins over tables with many indexes took PostgreSQL ~0.6 ms to plan and 0.1 ms to run.
`DB_SERVER_PREPARED_STATEMENTS` turns this off (it is off by default behind pgbouncer in
transaction mode, whose server connections do not keep a session's prepared statements).
"""

import itertools
import re
import secrets
import threading

from django.conf import settings
from django.db import DatabaseError, connections, transaction
from django.db.models.query import get_related_populators

from sanyuan import respcache

_names = itertools.count(1)
DUPLICATE_PREPARED_STATEMENT = "42P05"  # prepared before in this session: use it
_PLACEHOLDER = re.compile(r"%%|%s")
_TABLES = re.compile(r'(?:FROM|JOIN)\s+"([A-Za-z0-9_]+)"')


def _numbered(sql: str) -> str:
    """Django's `%s` placeholders as PostgreSQL's `$1, $2, …` (and `%%` as `%`)."""
    count = itertools.count(1)
    return _PLACEHOLDER.sub(lambda m: "%" if m.group() == "%%" else f"${next(count)}", sql)


def _marker(kind, index: int):
    """A value for parameter `index` that no real value equals (found again by equality in
    the compiled parameters: fields turn a value into their own type while preparing it)."""
    if kind is int:
        return -(secrets.randbits(62) | (1 << 61)) - index
    if kind is str:
        return f"\x1fprepared:{index}:{secrets.token_hex(16)}"
    raise TypeError("parameters of a prepared query are str or int")


class PreparedQuery:
    def __init__(self, build, kinds=(str,)):
        """`build(*values)` returns the queryset; it is called once, with markers of the
        given kinds (str or int) where the values go."""
        self._build = build
        self._kinds = tuple(kinds)
        self._compiled = None
        self._lock = threading.Lock()

    def _compile(self):
        markers = [_marker(kind, i) for i, kind in enumerate(self._kinds)]
        queryset = self._build(*markers)
        db = queryset.db
        compiler = queryset.query.get_compiler(using=db)
        sql, params = compiler.as_sql()
        slots = []
        for position, value in enumerate(params):
            for index, marker in enumerate(markers):
                if type(value) is type(marker) and value == marker:
                    slots.append((position, index))
        if sorted(index for _, index in slots) != list(range(len(markers))):
            raise ValueError("every value must appear once as a plain query parameter")
        klass_info, select = compiler.klass_info, compiler.select
        start, end = klass_info["select_fields"][0], klass_info["select_fields"][-1] + 1
        return {
            "db": db,
            "sql": sql,
            "name": f"sanyuan_prepared_{next(_names)}",
            "server": True,  # False once PREPARE failed for it (then plain statements)
            "tables": tuple(set(_TABLES.findall(sql))),
            "params": list(params),
            "slots": slots,
            "compiler": compiler,
            "model": klass_info["model"],
            "init_list": [column[0].target.attname for column in select[start:end]],
            "range": (start, end),
            "populators": get_related_populators(klass_info, select, db),
            "annotations": dict(compiler.annotation_col_map or {}),
        }

    def __call__(self, *values) -> list:
        compiled = self._compiled
        if compiled is None:
            with self._lock:
                if self._compiled is None:
                    self._compiled = self._compile()
            compiled = self._compiled
        params = list(compiled["params"])
        for position, index in compiled["slots"]:
            params[position] = values[index]
        db = compiled["db"]
        connection = connections[db]
        with connection.cursor() as cursor:
            if self._server_prepared(connection, cursor, compiled):
                # The execute wrapper cannot see the tables behind EXECUTE: an answer being
                # cached depends on them all the same.
                respcache.depends_on(*compiled["tables"])
                placeholders = ", ".join(["%s"] * len(params))
                cursor.execute(f"EXECUTE {compiled['name']} ({placeholders})", params)
            else:
                cursor.execute(compiled["sql"], params)
            rows = cursor.fetchall()
        model, init_list = compiled["model"], compiled["init_list"]
        start, end = compiled["range"]
        objects = []
        for row in compiled["compiler"].results_iter([rows]):
            obj = model.from_db(db, init_list, row[start:end])
            for populator in compiled["populators"]:
                populator.populate(row, obj)
            for name, position in compiled["annotations"].items():
                setattr(obj, name, row[position])
            objects.append(obj)
        return objects

    @staticmethod
    def _server_prepared(connection, cursor, compiled) -> bool:
        """Whether the statement is prepared on this connection's server session (preparing
        it now if needed, inside a savepoint so that a refusal changes nothing)."""
        if (
            not compiled["server"]
            or connection.vendor != "postgresql"
            or not settings.DB_SERVER_PREPARED_STATEMENTS
        ):
            return False
        raw = connection.connection
        known = getattr(connection, "_sanyuan_prepared", None)
        if known is None or known[0] is not raw:
            known = (raw, set())  # a new session has none
            connection._sanyuan_prepared = known
        if compiled["name"] in known[1]:
            return True
        try:
            with transaction.atomic(using=connection.alias):
                cursor.execute(f"PREPARE {compiled['name']} AS {_numbered(compiled['sql'])}")
        except DatabaseError as exc:
            if getattr(exc.__cause__, "pgcode", None) != DUPLICATE_PREPARED_STATEMENT:
                compiled["server"] = False
                return False
        known[1].add(compiled["name"])
        return True
