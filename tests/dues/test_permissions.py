"""Every public function of dues.permissions, for every principal of tests.tiers: county,
committee A (directly and through a group grant), host staff hosting member A, member A,
anonymous, no user and an account without a tier. Income and dues: the member and the home
staff in scope; host staff never."""

from datetime import date

import pytest
from django.utils import timezone

from dues import permissions, services
from dues.models import DuesEntry, DuesReceipt
from tests.dues.factories import account
from tests.tiers import (
    COUNTY,
    HOME_STAFF_PRINCIPALS,
    MEMBER,
    STAFF_PRINCIPALS,
    ask,
    extend_world,
    fresh_member,
    only,
    outcome,
    pks,
    untested_functions,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def w(world):
    w = extend_world(world)
    for member, staff in ((w.member_a, w.staff_a), (w.member_b, w.staff_b)):
        account(w, member=member, starts_on=date(2026, 1, 1))
        services.payment_record(
            actor=staff, member=member, months=1, method="cash", paid_on=timezone.localdate()
        )
    w.member_a, w.member_b = fresh_member(w.member_a), fresh_member(w.member_b)
    w.receipt_a = DuesReceipt.objects.get(member=w.member_a)
    w.receipt_b = DuesReceipt.objects.get(member=w.member_b)
    return w


def test_handles_dues_holds_for_home_staff_only(w):
    assert ask(w, permissions.handles_dues) == only(*HOME_STAFF_PRINCIPALS)


def test_check_dues_staff_refuses_host_staff_and_members_with_403(w):
    answers = ask(w, lambda u: outcome(lambda: permissions.check_dues_staff(u)))
    assert answers == only(*HOME_STAFF_PRINCIPALS, yes="ok", no=403)


def test_members_q_and_the_member_filter_reach_the_home_scope_only(w):
    a, b = w.member_a.pk, w.member_b.pk
    side_a = {a, w.member_a2.pk}
    answers = ask(w, lambda u: pks(permissions.filter_dues_members_visible_to(u)))
    assert answers == only(COUNTY, yes={a, b, w.member_a2.pk}, no=set()) | {
        "committee": side_a,
        "committee_group": side_a,
    }
    from members.models import Member

    q_answers = ask(w, lambda u: pks(Member.objects.filter(permissions.members_q(u))))
    assert q_answers["host"] == set() and q_answers["committee"] == side_a


def test_can_keep_dues_and_its_check_for_side_a_s_member(w):
    assert ask(w, lambda u: permissions.can_keep_dues(u, w.member_a)) == only(
        *HOME_STAFF_PRINCIPALS
    )
    answers = ask(
        w, lambda u: outcome(lambda: permissions.check_keep_dues_permission(u, w.member_b))
    )
    assert answers == only(COUNTY, yes="ok", no=404)


def test_can_view_dues_adds_the_member_themselves(w):
    expected = only(*HOME_STAFF_PRINCIPALS, MEMBER)
    assert ask(w, lambda u: permissions.can_view_dues(u, w.member_a)) == expected
    answers = ask(
        w, lambda u: outcome(lambda: permissions.check_view_dues_permission(u, w.member_a))
    )
    assert answers == only(*HOME_STAFF_PRINCIPALS, MEMBER, yes="ok", no=404)


def test_receipts_and_entries_are_the_member_s_own_and_home_staff_s(w):
    a, b = w.receipt_a.pk, w.receipt_b.pk
    answers = ask(w, lambda u: pks(permissions.filter_receipts_visible_to(u)))
    assert answers == only(COUNTY, yes={a, b}, no=set()) | {
        "committee": {a},
        "committee_group": {a},
        "member": {a},
    }
    entries_a = set(DuesEntry.objects.filter(member=w.member_a).values_list("pk", flat=True))
    answers = ask(w, lambda u: pks(permissions.filter_entries_visible_to(u)))
    assert answers["member"] == entries_a and answers["host"] == set()
    assert answers["committee"] == entries_a and answers["anonymous"] == set()


def test_totals_are_read_over_the_home_subtrees(w):
    answers = ask(w, lambda u: pks(permissions.filter_organizations_for_totals(u)))
    assert w.committee_b.pk in answers[COUNTY] and w.committee_b.pk not in answers["committee"]
    assert answers["host"] == set() and answers[MEMBER] == set()


def test_the_reconciliation_is_the_county_s(w):
    assert ask(w, permissions.can_read_reconciliation) == only(COUNTY)


def test_only_a_member_pays_their_own_dues(w):
    answers = ask(w, lambda u: outcome(lambda: permissions.check_member_payer(u)))
    assert answers == only(MEMBER, yes="ok", no=403)
    assert set(STAFF_PRINCIPALS) < set(answers)


def test_every_permission_function_has_its_row():
    assert not untested_functions(permissions, __file__)
