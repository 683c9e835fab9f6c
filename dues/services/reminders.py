"""The monthly round (beat, hourly; each step once a month): on the due day the month is
assessed for every account and members who owe are reminded; DUES_SECOND_REMINDER_DAYS
later those who still owe are reminded again. Members long behind are only listed for
their branch staff (todos.py): the rules make that a matter for the branch."""

from datetime import date, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from members.models import Notice, User
from members.services.notices import Audience, notice_publish

from .. import months as m
from ..models import DuesAccount, DuesReminder
from .ledger import dues_assess_month


def assess_all(month: date) -> int:
    count = 0
    accounts = DuesAccount.objects.filter(starts_on__lte=month).exclude(
        member__dues_entries__month=month, member__dues_entries__kind="due"
    )
    for account in accounts.select_related("member").iterator(chunk_size=500):
        if dues_assess_month(member=account.member, month=month) is not None:
            count += 1
    return count


def owing_users(month: date):
    return (
        User.objects.filter(
            is_active=True,
            member__dues_account__starts_on__lte=month,
        )
        .filter(
            Q(member__dues_account__paid_through__isnull=True)
            | Q(member__dues_account__paid_through__lt=month)
        )
        .exclude(member__status="transferred_out")
    )


def reminders_send(*, month: date, round_: int) -> int:
    """One reminder round for `month`, once (a second call sends nothing)."""
    try:
        with transaction.atomic():
            reminder = DuesReminder.objects.create(month=month, round=round_)
            users = list(owing_users(month))
            if users:
                notice_publish(
                    audience=Audience.user_list(users),
                    kind=Notice.Kind.SYSTEM,
                    title=(
                        f"请按时交纳{m.label(month)}党费"
                        if round_ == 1
                        else f"{m.label(month)}党费尚未交纳，请尽快交纳"
                    ),
                    body="可在“我的党费”用微信支付交纳，也可向所在支部交纳。",
                    link="/me/dues/",
                )
            reminder.recipients = len(users)
            reminder.save(update_fields=["recipients"])
    except IntegrityError:
        return 0
    return len(users)


def daily_run(*, today: date | None = None) -> dict:
    today = today or timezone.localdate()
    month = m.this_month(today)
    due = m.due_date(month)
    result = {"assessed": 0, "reminded": 0}
    second = due + timedelta(days=int(settings.DUES_SECOND_REMINDER_DAYS))
    if today >= due:
        result["assessed"] = assess_all(month)
    for round_, day in ((1, due), (2, second)):
        if today >= day and not DuesReminder.objects.filter(month=month, round=round_).exists():
            result["reminded"] += reminders_send(month=month, round_=round_)
    return result
