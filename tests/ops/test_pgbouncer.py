"""Behind pgbouncer in transaction mode (Debian's pgbouncer on a free port, in front of the
test database), QuerySet.iterator() needs DB_DISABLE_SERVER_SIDE_CURSORS: a server-side
cursor is declared on one server connection and may be fetched on another.

The failing case is made deterministic: the cursor is declared on the pool's only server
connection, another client then holds that connection in a transaction, so the next fetch
runs on a second server connection, where the cursor does not exist."""

import io
from contextlib import contextmanager

import psycopg2
import pytest
from django.db import DatabaseError, connection, connections
from django.db.backends.postgresql.base import DatabaseWrapper
from openpyxl import load_workbook

from members.models import Member
from members.services.exports import member_export
from tests.ops.servers import PgBouncer

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

ALIAS = "through_pgbouncer"


@pytest.fixture
def bouncer():
    db = connection.settings_dict
    server = PgBouncer(
        host=db["HOST"] or "127.0.0.1", port=int(db["PORT"] or 5432), user=db["USER"] or "postgres"
    )
    server.start()
    yield server
    server.stop()


@contextmanager
def through(bouncer: PgBouncer, *, disable_server_side_cursors: bool):
    """A Django connection to the test database through pgbouncer, configured as settings.py
    configures the default one from DB_DISABLE_SERVER_SIDE_CURSORS and DB_CONN_MAX_AGE=0."""
    settings_dict = {
        **connection.settings_dict,
        "HOST": "127.0.0.1",
        "PORT": bouncer.port,
        "CONN_MAX_AGE": 0,
        "DISABLE_SERVER_SIDE_CURSORS": disable_server_side_cursors,
    }
    wrapper = DatabaseWrapper(settings_dict, alias=ALIAS)
    connections[ALIAS] = wrapper
    try:
        yield wrapper
    finally:
        wrapper.close()
        del connections[ALIAS]


@contextmanager
def holding_a_server_connection(bouncer: PgBouncer):
    """Another client inside a transaction: pgbouncer gives it a server connection of its own
    until the transaction ends (here: the pool's idle one)."""
    other = psycopg2.connect(
        host="127.0.0.1", port=bouncer.port, dbname=connection.settings_dict["NAME"],
        user=bouncer.user,
    )  # fmt: skip
    try:
        with other.cursor() as cursor:
            cursor.execute("SELECT 1")  # opens the transaction (psycopg2 is not autocommit)
        yield
    finally:
        other.rollback()
        other.close()


def interleaved_iteration(bouncer: PgBouncer) -> list[int]:
    rows = Member.objects.using(ALIAS).order_by("pk").values_list("pk", flat=True)
    iterator = rows.iterator(chunk_size=1)
    first = [next(iterator)]  # DECLARE … WITH HOLD and the first FETCH, then the connection idles
    with holding_a_server_connection(bouncer):
        return first + list(iterator)


def test_without_the_setting_an_iterator_fails_behind_transaction_pooling(world, bouncer):
    with (
        through(bouncer, disable_server_side_cursors=False),
        # Django's error, or psycopg2's own from closing the cursor that is not there either
        pytest.raises((DatabaseError, psycopg2.Error), match="does not exist"),
    ):
        interleaved_iteration(bouncer)


def test_with_the_setting_iterators_and_the_member_export_work(world, bouncer):
    expected = list(Member.objects.order_by("pk").values_list("pk", flat=True))
    assert len(expected) > 2
    with through(bouncer, disable_server_side_cursors=True):
        assert interleaved_iteration(bouncer) == expected
        with holding_a_server_connection(bouncer):
            workbook = member_export(
                actor=world.county_staff,
                queryset=Member.objects.using(ALIAS).all(),
                filters={},
                ip=None,
            )
    rows = list(load_workbook(io.BytesIO(workbook), read_only=True).active.iter_rows())
    assert len(rows) == 1 + len(expected)
