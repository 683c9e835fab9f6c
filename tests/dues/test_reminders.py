"""The monthly round with a frozen clock: nothing before the due day; on it the month is
assessed and members who owe are reminded once; 15 days later those still owing again; the
工作台 lists members six months behind for their branch staff only."""

from datetime import date

import pytest

from dues import services
from dues.models import DuesEntry, DuesReminder
from members.models import Notice, NoticeRecipient
from sanyuan.todos import staff_todos
from tests.dues.factories import account

pytestmark = pytest.mark.django_db


def _reminders(user):
    return list(
        NoticeRecipient.objects.filter(user=user, notice__kind=Notice.Kind.SYSTEM)
        .order_by("notice_id")
        .values_list("notice__title", flat=True)
    )


def test_reminders_on_the_due_day_and_fifteen_days_later(world, frozen_today, settings):
    settings.DUES_DUE_DAY = 5
    frozen_today(date(2026, 3, 1))
    account(world, base_fen=300_000, starts_on=date(2026, 3, 1))
    account(world, member=world.member_b, base_fen=300_000, starts_on=date(2026, 3, 1))
    services.payment_record(
        actor=world.staff_b,
        member=world.member_b,
        months=1,
        method="cash",
        paid_on=date(2026, 3, 1),
    )
    assert services.daily_run(today=date(2026, 3, 4)) == {"assessed": 0, "reminded": 0}
    frozen_today(date(2026, 3, 5))
    assert services.daily_run(today=date(2026, 3, 5)) == {"assessed": 1, "reminded": 1}
    assert services.daily_run(today=date(2026, 3, 5)) == {"assessed": 0, "reminded": 0}
    assert DuesEntry.objects.filter(kind="due", month=date(2026, 3, 1)).count() == 2
    assert _reminders(world.member_a.user) == ["请按时交纳2026年3月党费"]
    assert _reminders(world.member_b.user) == []  # paid already
    assert services.daily_run(today=date(2026, 3, 19))["reminded"] == 0
    assert services.daily_run(today=date(2026, 3, 20))["reminded"] == 1
    assert _reminders(world.member_a.user)[-1] == "2026年3月党费尚未交纳，请尽快交纳"
    assert DuesReminder.objects.count() == 2


def test_members_six_months_behind_are_listed_for_their_branch_staff_only(world, frozen_today):
    frozen_today(date(2026, 7, 10))
    account(world, base_fen=300_000, starts_on=date(2026, 1, 1))
    todos = {t["label"]: t for t in staff_todos(world.staff_a)}
    assert todos["6个月以上未交纳党费的党员"]["count"] == 1
    assert todos["6个月以上未交纳党费的党员"]["url"] == "/staff/dues/?behind=6"
    assert "6个月以上未交纳党费的党员" not in {t["label"] for t in staff_todos(world.staff_b)}
    label = "6个月以上未交纳党费的党员"
    pay = {
        "actor": world.staff_a,
        "member": world.member_a,
        "months": 1,
        "method": "cash",
        "paid_on": date(2026, 7, 10),
    }
    services.payment_record(**pay)  # paid through January: February to July owed, six
    assert label in {t["label"] for t in staff_todos(world.staff_a)}
    services.payment_record(**pay)  # through February: five
    assert label not in {t["label"] for t in staff_todos(world.staff_a)}


def test_declared_bases_wait_on_the_workbench(world, frozen_today):
    frozen_today(date(2026, 2, 10))
    account(world, category="student_or_unemployed")
    services.base_declare(
        actor=world.member_a.user, member=world.member_a, year=2026, base_fen=100_000
    )
    labels = {t["label"]: t["count"] for t in staff_todos(world.staff_a)}
    assert labels["待审核的党费交纳基数"] == 1
    assert "待审核的党费交纳基数" not in {t["label"] for t in staff_todos(world.staff_b)}
