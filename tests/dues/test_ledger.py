"""The ledger: assessments, offline payments, months paid ahead, corrections and refunds as
new lines; the totals and paid_through kept in the same transaction; nothing edited."""

from datetime import date

import pytest
from django.db import connection

from dues import selectors, services
from dues.models import DuesAccount, DuesBase, DuesEntry, DuesReceipt, DuesTotal
from members.models import AuditEvent
from sanyuan.errors import ServiceError, StateConflict
from tests.dues.factories import account

pytestmark = pytest.mark.django_db


def _totals(org):
    return {t.month: (t.due_fen, t.paid_fen) for t in DuesTotal.objects.filter(organization=org)}


def test_the_statement_owes_each_month_from_the_start_at_the_reviewed_base(world, frozen_today):
    frozen_today(date(2026, 3, 10))
    account(w=world, base_fen=400_000)  # 4,000 yuan → 1 % = 40.00
    st = selectors.statement(world.member_a)
    assert [line.month for line in st.lines] == [date(2026, m, 1) for m in (1, 2, 3)]
    assert [line.due_fen for line in st.lines] == [4_000] * 3
    assert st.owed_fen == 12_000 and st.paid_through is None
    assert st.next_amount_fen == 4_000


def test_a_year_of_ledger_offline_ahead_correction_refund(world, frozen_today):
    w = world
    frozen_today(date(2026, 3, 10))
    account(w, base_fen=400_000)
    # Offline: three months in cash at the branch
    cash = services.payment_record(
        actor=w.staff_a, member=w.member_a, months=3, method="cash", paid_on=date(2026, 3, 9)
    )
    assert cash.total_fen == 12_000 and cash.recorded_by == w.staff_a
    assert DuesAccount.objects.get(pk=w.member_a.pk).paid_through == date(2026, 3, 1)
    # Months ahead: a bank transfer for four more months (April–July)
    ahead = services.payment_record(
        actor=w.staff_a,
        member=w.member_a,
        months=4,
        method="bank_transfer",
        paid_on=date(2026, 3, 10),
    )
    assert sorted(e.month for e in ahead.entries.all()) == [date(2026, m, 1) for m in (4, 5, 6, 7)]
    assert DuesAccount.objects.get(pk=w.member_a.pk).paid_through == date(2026, 7, 1)
    # A correction: March was assessed 10 yuan too low → a new line, March now owes 10.00
    march_due = DuesEntry.objects.get(member=w.member_a, month=date(2026, 3, 1), kind="due")
    services.correction_record(
        actor=w.staff_a, entry=march_due, amount_fen=1_000, note="基数核定有误"
    )
    march = selectors.month_lines(selectors.member_entries(w.member_a))[date(2026, 3, 1)]
    assert (march.due_fen, march.paid_fen, march.settled) == (5_000, 4_000, False)
    assert DuesAccount.objects.get(pk=w.member_a.pk).paid_through == date(2026, 2, 1)
    # A refund of the bank transfer: four refund lines, April–July owed again
    refund = services.refund_record(actor=w.staff_a, receipt=ahead, note="重复交纳")
    assert refund.kind == DuesReceipt.Kind.REFUND and refund.total_fen == 16_000
    with pytest.raises(StateConflict):
        services.refund_record(actor=w.staff_a, receipt=ahead, note="再退一次")
    # The totals of branch A1 follow every line, and nothing was ever edited
    totals = _totals(w.branch_a1)
    assert totals[date(2026, 3, 1)] == (5_000, 4_000)
    assert totals[date(2026, 4, 1)] == (4_000, 0)
    kinds = list(DuesEntry.objects.filter(member=w.member_a).values_list("kind", flat=True))
    assert kinds.count("due") == 7 and kinds.count("payment") == 7
    assert kinds.count("correction") == 1 and kinds.count("refund") == 4
    with pytest.raises(RuntimeError):
        march_due.save()
    with pytest.raises(RuntimeError):
        march_due.delete()
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {"dues.payment_record", "dues.correction_record", "dues.refund_record"} <= actions


def test_amounts_and_bases_are_encrypted_at_rest(world, frozen_today):
    frozen_today(date(2026, 3, 10))
    account(world, base_fen=456_789)
    services.payment_record(
        actor=world.staff_a,
        member=world.member_a,
        months=1,
        method="cash",
        paid_on=date(2026, 3, 10),
    )
    with connection.cursor() as cursor:
        cursor.execute("SELECT base_fen FROM dues_duesbase")
        (stored_base,) = cursor.fetchone()
        cursor.execute("SELECT amount_fen FROM dues_duesentry")
        stored = {row[0] for row in cursor.fetchall()}
    assert "456789" not in stored_base and stored_base.startswith("gAAAA")
    assert all(value.startswith("gAAAA") for value in stored)
    assert DuesBase.objects.get().base_fen == 456_789


def test_members_of_a_farmer_and_hardship_category_owe_the_fixed_amount(world, frozen_today):
    frozen_today(date(2026, 1, 10))
    with pytest.raises(ServiceError):
        account(world, category="farmer", fixed_fen=10)
    with pytest.raises(ServiceError):
        account(world, category="hardship", fixed_fen=0)  # no decision recorded
    account(world, category="hardship", fixed_fen=0, note="支委会2026年1月决定，镇党委批准")
    st = selectors.statement(world.member_a)
    assert st.owed_fen == 0 and st.lines[0].settled


def test_the_monthly_assessment_is_idempotent_and_feeds_the_totals(world, frozen_today):
    frozen_today(date(2026, 1, 10))
    account(world, base_fen=300_000)
    for _ in range(2):
        services.dues_assess_month(member=world.member_a, month=date(2026, 1, 1))
    assert DuesEntry.objects.filter(kind="due").count() == 1
    assert _totals(world.branch_a1) == {date(2026, 1, 1): (1_500, 0)}


def test_bad_input_changes_nothing(world, frozen_today):
    frozen_today(date(2026, 1, 10))
    account(world)
    before = DuesEntry.objects.count()
    for kwargs in (
        {"months": 0, "method": "cash", "paid_on": date(2026, 1, 9)},
        {"months": 1, "method": "online", "paid_on": date(2026, 1, 9)},
        {"months": 1, "method": "cash", "paid_on": date(2026, 2, 1)},
        {"months": "3", "method": "cash", "paid_on": date(2026, 1, 9)},
    ):
        with pytest.raises(ServiceError) as exc:
            services.payment_record(actor=world.staff_a, member=world.member_a, **kwargs)
        assert exc.value.message
    assert DuesEntry.objects.count() == before


def test_staff_outside_the_scope_record_nothing(world, frozen_today):
    from django.http import Http404

    frozen_today(date(2026, 1, 10))
    account(world)
    with pytest.raises(Http404):
        services.payment_record(
            actor=world.staff_b,
            member=world.member_a,
            months=1,
            method="cash",
            paid_on=date(2026, 1, 9),
        )
    with pytest.raises(Http404):
        services.account_set(actor=world.staff_b, member=world.member_a, dues_category="wage")


def test_the_member_declares_once_a_year_and_staff_review(world, frozen_today):
    frozen_today(date(2026, 1, 10))
    account(world, category="student_or_unemployed")
    base = services.base_declare(
        actor=world.member_a.user, member=world.member_a, year=2026, base_fen=350_000
    )
    with pytest.raises(StateConflict):
        services.base_declare(
            actor=world.member_a.user, member=world.member_a, year=2026, base_fen=1
        )
    with pytest.raises(ServiceError):
        services.base_review(actor=world.staff_a, base=base, approve=False)
    services.base_review(actor=world.staff_a, base=base, approve=False, note="请附工资条")
    base = services.base_declare(
        actor=world.member_a.user, member=world.member_a, year=2026, base_fen=360_000
    )
    services.base_review(actor=world.staff_a, base=base, approve=True)
    assert DuesBase.objects.get().status == "reviewed"
    # the switch to wage: the reviewed base sets the amount (1 % of 3,600 = 36.00)
    services.account_set(actor=world.staff_a, member=world.member_a, dues_category="wage")
    assert selectors.statement(world.member_a).lines[0].due_fen == 3_600


def test_the_transfer_letter_reads_paid_until_from_the_ledger(world, frozen_today):
    from transfers.dues import dues_paid_until

    frozen_today(date(2026, 3, 10))
    assert dues_paid_until(world.member_a) is None
    account(world)
    services.payment_record(
        actor=world.staff_a,
        member=world.member_a,
        months=2,
        method="cash",
        paid_on=date(2026, 3, 1),
    )
    assert dues_paid_until(world.member_a) == date(2026, 2, 1)
