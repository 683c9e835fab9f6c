"""Queries compiled once per process (sanyuan/prepared.py) and, on PostgreSQL, prepared on
the server once per connection: the same rows as the ORM, EXECUTE after the first use, a
fresh session prepares again, a statement the server refuses to prepare runs plainly, and a
cached answer made through EXECUTE still depends on the tables behind it."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from members.models import Member, Organization
from members.services.archive import member_update
from sanyuan.prepared import PreparedQuery
from tests.conftest import client_for

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def server_prepared(settings):
    """On for these tests, on a session with no statement prepared before or after them."""
    settings.DB_SERVER_PREPARED_STATEMENTS = True

    def forget():
        with connection.cursor() as cursor:
            cursor.execute("DEALLOCATE ALL")
        connection._sanyuan_prepared = None

    forget()
    yield
    forget()


def _statements(queries) -> list[str]:
    return [q["sql"].split()[0] for q in queries.captured_queries]


def test_the_token_lookup_is_prepared_once_then_executed(world):
    client = client_for(world.member_a.user)
    with CaptureQueriesContext(connection) as first:
        built = client.get("/api/me/")
    with CaptureQueriesContext(connection) as second:
        again = client.get("/api/me/")
    assert built.status_code == again.status_code == 200
    assert again.json() == built.json() and again.json()["name"] == "张三"
    assert "PREPARE" in _statements(first) or "EXECUTE" in _statements(first)
    assert _statements(second)[0] == "EXECUTE"
    assert "PREPARE" not in _statements(second)


def test_rows_equal_the_orms_and_a_new_session_prepares_again(world):
    lookup = PreparedQuery(
        lambda code: Organization.objects.filter(code=code).select_related("parent")
    )
    first = lookup(world.branch_a1.code)
    assert [(o.pk, o.name, o.parent.name) for o in first] == [
        (world.branch_a1.pk, world.branch_a1.name, world.branch_a1.parent.name)
    ]
    assert lookup("no-such-code") == []
    with CaptureQueriesContext(connection) as queries:
        lookup(world.branch_a2.code)
    assert _statements(queries) == ["EXECUTE"]
    # A new session (the connection was opened again) has no statements: prepared again.
    with connection.cursor() as cursor:
        cursor.execute("DEALLOCATE ALL")
    connection._sanyuan_prepared = (object(), connection._sanyuan_prepared[1])
    with CaptureQueriesContext(connection) as queries:
        again = lookup(world.branch_a2.code)
    assert [o.pk for o in again] == [world.branch_a2.pk]
    assert _statements(queries) == ["SAVEPOINT", "PREPARE", "RELEASE", "EXECUTE"]
    # The record lost, the session still holding it: used as it is.
    connection._sanyuan_prepared = None
    with CaptureQueriesContext(connection) as queries:
        assert [o.pk for o in lookup(world.branch_a1.code)] == [world.branch_a1.pk]
    assert _statements(queries)[-1] == "EXECUTE"


def test_a_statement_the_server_refuses_runs_plainly_and_the_transaction_goes_on(
    world, monkeypatch
):
    from sanyuan import prepared

    monkeypatch.setattr(prepared, "_numbered", lambda sql: "SELEC nothing")
    odd = PreparedQuery(lambda code: Organization.objects.filter(code=code))
    assert [o.pk for o in odd(world.county.code)] == [world.county.pk]
    with CaptureQueriesContext(connection) as queries:
        assert [o.pk for o in odd(world.county.code)] == [world.county.pk]
    assert _statements(queries) == ["SELECT"]
    assert Member.objects.filter(pk=world.member_a.pk).exists()  # the transaction is fine


def test_a_cached_answer_made_through_execute_sees_an_archive_edit(world, settings):
    settings.RESPONSE_CACHE_SECONDS = 60
    client = client_for(world.member_a.user)
    for _ in range(3):
        assert client.get("/api/me/").json()["employer"] != "新单位有限公司"
    member_update(actor=world.staff_a, member=world.member_a, employer="新单位有限公司")
    assert client.get("/api/me/").json()["employer"] == "新单位有限公司"


@pytest.mark.parametrize(
    "env, expected",
    [({}, "True"), ({"DB_DISABLE_SERVER_SIDE_CURSORS": "1"}, "False")],
)
def test_behind_pgbouncer_in_transaction_mode_nothing_is_prepared_on_the_server(env, expected):
    """pgbouncer's transaction mode (DB_DISABLE_SERVER_SIDE_CURSORS=1, README) hands each
    transaction any server connection, which would not know a session's statements."""
    import os
    import subprocess
    import sys

    run = {
        key: value
        for key, value in os.environ.items()
        if key not in ("DB_DISABLE_SERVER_SIDE_CURSORS", "DB_SERVER_PREPARED_STATEMENTS")
    }
    run.update(env, DJANGO_SETTINGS_MODULE="sanyuan.settings", DEBUG="0")
    out = subprocess.run(
        [
            sys.executable,
            "-c",
            "import django; django.setup(); from django.conf import settings; "
            "print(settings.DB_SERVER_PREPARED_STATEMENTS)",
        ],
        env=run,
        capture_output=True,
        text=True,
        check=True,
    )
    assert out.stdout.strip() == expected
