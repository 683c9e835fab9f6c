"""Transfer candidates: members away at one fixed place (the same destination city) for six
months or more, decided from the archive's history, listed for their home staff."""

from datetime import date, datetime, timedelta

import pytest
import time_machine
from django.utils import timezone

from members.models import Member
from members.services.archive import member_update
from tests import factories
from tests.transfers import factories as tf
from transfers import selectors

pytestmark = pytest.mark.django_db
TZ = timezone.get_current_timezone()


def away(member, *, city="440300", left="2024-03-01"):
    Member.objects.filter(pk=member.pk).update(
        status="away",
        destination_province=city[:2] + "0000",
        destination_city=city,
        left_home_on=left,
    )


def candidate_ids(user, today=None) -> list[int]:
    return list(selectors.candidate_list(user=user, today=today).values_list("pk", flat=True))


def test_members_away_in_one_city_for_six_months_are_candidates_for_their_home_staff(tw):
    away(tw.member_a)
    away(tw.member_a2, left=(timezone.localdate() - timedelta(days=60)).isoformat())
    away(tw.member_b)
    assert candidate_ids(tw.staff_a) == [tw.member_a.pk]
    assert candidate_ids(tw.staff_b) == [tw.member_b.pk]
    assert set(candidate_ids(tw.county_staff)) == {tw.member_a.pk, tw.member_b.pk}
    assert candidate_ids(tw.host_staff) == []
    assert candidate_ids(tw.member_a.user) == []


def test_a_city_changed_within_six_months_is_not_yet_a_candidate(tw):
    with time_machine.travel(datetime(2024, 3, 1, 9, tzinfo=TZ)):
        member = factories.MemberFactory(organization=tw.branch_a1)
        member_update(
            actor=tw.staff_a,
            member=member,
            destination_province="440000",
            destination_city="440100",
            left_home_on="2024-02-20",
        )
    with time_machine.travel(datetime(2025, 5, 1, 9, tzinfo=TZ)):
        member_update(
            actor=tw.staff_a,
            member=member,
            destination_province="440000",
            destination_city="440300",
        )
    assert candidate_ids(tw.staff_a, today=date(2025, 10, 31)) == []  # six months minus a day
    assert candidate_ids(tw.staff_a, today=date(2025, 11, 1)) == [member.pk]
    since = selectors.city_since([Member.objects.get(pk=member.pk)])
    assert since[member.pk] == date(2025, 5, 1)


def test_a_recent_archive_counts_from_the_departure_date(tw):
    """Created (e.g. by a roster import) this month: the history is young, the departure old."""
    member = factories.MemberFactory(organization=tw.branch_a1)
    away(member, left="2023-05-01")
    assert member.pk in candidate_ids(tw.staff_a)
    assert selectors.city_since([Member.objects.get(pk=member.pk)])[member.pk] == date(2023, 5, 1)
    away(member, left=(timezone.localdate() - timedelta(days=30)).isoformat())
    assert member.pk not in candidate_ids(tw.staff_a)


def test_members_returned_home_or_already_transferring_are_not_candidates(tw):
    away(tw.member_a)
    away(tw.member_a2)
    Member.objects.filter(pk=tw.member_a2.pk).update(status="returned")
    tf.prepared(tw)  # member_a's transfer is under way
    assert candidate_ids(tw.staff_a) == []


def test_a_member_without_a_destination_city_is_not_a_candidate(tw):
    away(tw.member_a)
    Member.objects.filter(pk=tw.member_a.pk).update(destination_city="")
    assert candidate_ids(tw.staff_a) == []


def test_the_months_count_back_by_calendar_month():
    assert selectors.months_before(date(2026, 8, 31), 6) == date(2026, 2, 28)
    assert selectors.months_before(date(2026, 3, 15), 6) == date(2025, 9, 15)
    assert selectors.months_before(date(2024, 8, 29), 6) == date(2024, 2, 29)
