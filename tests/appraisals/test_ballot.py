"""The secret ballot (民主测评) through the API: what a ballot leaves in the database (every
table, history and audit included, and PostgreSQL's row versions), tallies hidden until the
close, and every refused ballot answering in Chinese without changing anything."""

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from appraisals import services
from appraisals.models import Appraisal, BallotRegister, BallotTally
from tests.appraisals.factories import ballot_for, open_round
from tests.conftest import client_for

pytestmark = pytest.mark.django_db
CHINESE = re.compile(r"[\u4e00-\u9fff]")
# Tables a signed-in request may touch whatever it does: the API token's idle expiry moves
# forward with use (knox AUTO_REFRESH). They say that the account was used, not for what.
SESSION_TABLES = {"knox_authtoken", "django_session"}


def snapshot() -> dict[str, set[tuple]]:
    """Every row of every table of the database, as text."""
    tables = connection.introspection.table_names(include_views=False)
    rows = {}
    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(f'SELECT * FROM "{table}"')
            rows[table] = {tuple(map(str, row)) for row in cursor.fetchall()}
    return rows


def columns(table: str) -> set[str]:
    with connection.cursor() as cursor:
        described = connection.introspection.get_table_description(cursor, table)
    return {column.name for column in described}


def changed_tables(before, after) -> dict[str, tuple[set, set]]:
    return {
        table: (before.get(table, set()) - after[table], after[table] - before.get(table, set()))
        for table in after
        if before.get(table) != after[table]
    }


def test_a_ballot_leaves_a_register_row_and_counters_and_nothing_that_names_its_content(aw):
    appraisal = open_round(aw)
    client = client_for(aw.member_a.user)
    client.get("/api/me/appraisals/")  # the token's first use is not the ballot's
    before = snapshot()
    counts_before = {
        (member, rating): count
        for member, rating, count in BallotTally.objects.filter(appraisal=appraisal).values_list(
            "member_id", "rating", "count"
        )
    }
    ballot = ballot_for(appraisal, aw.member_a, "excellent", {aw.paper.pk: "unqualified"})
    response = client.post(
        f"/api/appraisals/{appraisal.pk}/ballot/", {"ratings": ballot}, format="json"
    )
    assert response.status_code == 201, response.content
    assert response.json() == {"voted": True}  # the answer repeats nothing of the ballot
    after = snapshot()

    changes = changed_tables(before, after)
    assert set(changes) - SESSION_TABLES == {
        "appraisals_ballotregister",
        "appraisals_ballottally",
    }, sorted(changes)
    # The register: one new row (id, round, voter) and no other column — no rating, no time.
    assert columns("appraisals_ballotregister") == {"id", "appraisal_id", "voter_id"}
    gone, added = changes["appraisals_ballotregister"]
    assert not gone and len(added) == 1
    # The counters: no voter, no time; the three chosen moved by one, nothing else.
    assert columns("appraisals_ballottally") == {
        "id",
        "appraisal_id",
        "member_id",
        "rating",
        "count",
    }
    gone, added = changes["appraisals_ballottally"]
    assert len(added) == 3 and len(gone) == 3
    moved = {
        (member, rating): count - counts_before[(member, rating)]
        for member, rating, count in BallotTally.objects.filter(appraisal=appraisal).values_list(
            "member_id", "rating", "count"
        )
        if count != counts_before[(member, rating)]
    }
    assert moved == {
        (aw.voter2.pk, "excellent"): 1,
        (aw.probationary.pk, "excellent"): 1,
        (aw.paper.pk, "unqualified"): 1,
    }
    # No audit event, no history row, no notice: those tables did not change at all.
    for table in ("members_auditevent", "members_notice", "members_noticerecipient"):
        assert table not in changes
    assert not [table for table in changes if "historical" in table]


@pytest.fixture
def committed(transactional_db):
    """Each service call commits on its own (the xmin check needs real transactions); the
    region table a data migration fills is put back after the flush."""
    yield
    import importlib

    from django.apps import apps

    from members.models import Region

    if not Region.objects.exists():
        importlib.import_module("members.migrations.0005_load_regions").load(apps, None)


def _row_versions(appraisal) -> dict[str, set[str]]:
    versions = {}
    with connection.cursor() as cursor:
        for table in ("appraisals_ballottally", "appraisals_ballotregister"):
            cursor.execute(
                f"SELECT DISTINCT xmin::text FROM {table} WHERE appraisal_id = %s",
                [appraisal.pk],
            )
            versions[table] = {row[0] for row in cursor.fetchall()}
    return versions


def test_row_versions_of_a_round_name_only_the_latest_ballot(committed):
    """PostgreSQL stamps every row version with the transaction that wrote it (xmin). Were
    only the chosen counters written, a voter's register row would share its xmin with
    exactly the counters that voter moved; instead, after each ballot, every counter and
    register row of the round carries that ballot's transaction."""
    from tests import factories
    from tests.appraisals.factories import extend_world

    aw = extend_world(factories.build_world())
    appraisal = open_round(aw)
    seen = set()
    for voter in (aw.member_a, aw.voter2):
        services.ballot_cast(
            actor=voter.user,
            appraisal=appraisal,
            ratings=ballot_for(appraisal, voter, "qualified", {aw.paper.pk: "excellent"}),
        )
        versions = _row_versions(appraisal)
        assert len(versions["appraisals_ballottally"]) == 1, versions
        assert versions["appraisals_ballotregister"] == versions["appraisals_ballottally"]
        seen |= versions["appraisals_ballottally"]
    assert len(seen) == 2  # two ballots, two transactions: the check could have failed
    assert BallotRegister.objects.filter(appraisal=appraisal).count() == 2


def test_every_counter_and_register_row_of_the_round_is_rewritten_by_a_ballot(aw):
    """Outside a test transaction, what the xmin test above relies on: the ballot's UPDATE
    statements reach every counter and register row of the round, not only those chosen."""
    appraisal = open_round(aw)
    other = open_round(aw, organization=aw.branch_b1)
    services.ballot_cast(
        actor=aw.voter2.user, appraisal=appraisal, ratings=ballot_for(appraisal, aw.voter2)
    )
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        services.ballot_cast(
            actor=aw.member_a.user, appraisal=appraisal, ratings=ballot_for(appraisal, aw.member_a)
        )
    updates = [q["sql"] for q in queries.captured_queries if q["sql"].startswith("UPDATE")]
    assert len(updates) == 2
    tally_update = next(sql for sql in updates if "appraisals_ballottally" in sql)
    register_update = next(sql for sql in updates if "appraisals_ballotregister" in sql)
    # Each UPDATE is bounded by the round alone (no member or rating in its WHERE clause).
    for sql in (tally_update, register_update):
        where = sql.split("WHERE", 1)[1]
        assert "appraisal_id" in where and "member_id" not in where and "rating" not in where
    # The other round's counters are untouched and still zero.
    assert not BallotTally.objects.filter(appraisal=other).exclude(count=0).exists()


def test_tallies_are_hidden_from_staff_until_the_ballot_closes(aw):
    appraisal = open_round(aw)
    services.ballot_cast(
        actor=aw.member_a.user, appraisal=appraisal, ratings=ballot_for(appraisal, aw.member_a)
    )
    staff = client_for(aw.staff_a)
    hidden = staff.get(f"/api/appraisals/{appraisal.pk}/tallies/")
    assert hidden.status_code == 409 and CHINESE.search(hidden.json()["detail"])
    detail = staff.get(f"/api/appraisals/{appraisal.pk}/").json()
    assert detail["voted"] == 1 and "excellent" not in str(detail["participants"][0].keys())
    from django.test import Client

    from tests.factories import login_staff

    page = login_staff(Client(), aw.staff_a).get(f"/staff/appraisals/{appraisal.pk}/")
    assert page.status_code == 200
    assert "测评结束后才能查看计票结果" in page.content.decode()
    assert '<th scope="col">优秀</th>' not in page.content.decode()

    # The last day passes: the ballot is closed and the tallies readable.
    Appraisal.objects.filter(pk=appraisal.pk).update(
        ballot_ends_on=timezone.localdate() - timedelta(days=1),
        ballot_starts_on=timezone.localdate() - timedelta(days=2),
        self_assessment_ends_on=timezone.localdate() - timedelta(days=2),
    )
    shown = staff.get(f"/api/appraisals/{appraisal.pk}/tallies/")
    assert shown.status_code == 200
    rows = {row["member"]: row for row in shown.json()["results"]}
    assert rows[aw.voter2.pk]["qualified"] == 1 and rows[aw.member_a.pk]["qualified"] == 0
    page = login_staff(Client(), aw.staff_a).get(f"/staff/appraisals/{appraisal.pk}/")
    assert '<th scope="col">优秀</th>' in page.content.decode()
    # Members never read tallies; staff of another committee do not find the round.
    assert (
        client_for(aw.member_a.user).get(f"/api/appraisals/{appraisal.pk}/tallies/").status_code
        == 403
    )
    assert client_for(aw.staff_b).get(f"/api/appraisals/{appraisal.pk}/tallies/").status_code == 404


def _state(appraisal):
    return (
        list(BallotRegister.objects.filter(appraisal=appraisal).values_list("voter_id", flat=True)),
        sorted(
            BallotTally.objects.filter(appraisal=appraisal).values_list(
                "member_id", "rating", "count"
            )
        ),
    )


@pytest.mark.parametrize(
    ("case", "status"),
    [
        ("someone outside the branch", 400),
        ("themselves", 400),
        ("one member left out", 400),
        ("a rating that does not exist", 400),
        ("the same member twice", 400),
        ("no ratings", 400),
        ("a probationary member", 400),
        ("a second ballot", 409),
        ("before the ballot starts", 409),
    ],
)
def test_refused_ballots_answer_in_chinese_and_change_nothing(aw, case, status):
    appraisal = open_round(aw)
    services.ballot_cast(
        actor=aw.voter2.user, appraisal=appraisal, ratings=ballot_for(appraisal, aw.voter2)
    )
    voter = aw.member_a
    ballot = ballot_for(appraisal, voter)
    if case == "someone outside the branch":
        ballot.append({"member": aw.member_b.pk, "rating": "qualified"})
    elif case == "themselves":
        ballot.append({"member": voter.pk, "rating": "excellent"})
    elif case == "one member left out":
        ballot = ballot[1:]
    elif case == "a rating that does not exist":
        ballot[0]["rating"] = "good"
    elif case == "the same member twice":
        ballot.append(dict(ballot[0]))
    elif case == "no ratings":
        ballot = []
    elif case == "a probationary member":
        voter = aw.probationary
        ballot = ballot_for(appraisal, voter)
    elif case == "a second ballot":
        voter = aw.voter2
        ballot = ballot_for(appraisal, voter)
    elif case == "before the ballot starts":
        Appraisal.objects.filter(pk=appraisal.pk).update(
            ballot_starts_on=timezone.localdate() + timedelta(days=1)
        )
    before = _state(appraisal)
    response = client_for(voter.user).post(
        f"/api/appraisals/{appraisal.pk}/ballot/", {"ratings": ballot}, format="json"
    )
    assert response.status_code == status, response.content
    assert CHINESE.search(response.content.decode()), response.content
    assert _state(appraisal) == before


def test_staff_cannot_vote_and_a_member_of_another_branch_does_not_find_the_round(aw):
    appraisal = open_round(aw)
    ballot = {"ratings": ballot_for(appraisal, aw.member_a)}
    assert (
        client_for(aw.staff_a)
        .post(f"/api/appraisals/{appraisal.pk}/ballot/", ballot, format="json")
        .status_code
        == 403
    )
    assert (
        client_for(aw.member_b.user)
        .post(f"/api/appraisals/{appraisal.pk}/ballot/", ballot, format="json")
        .status_code
        == 404
    )
    assert not BallotRegister.objects.exists()
