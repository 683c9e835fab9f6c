"""Writes of the dues app: each service checks its own permission, runs in one transaction
with the member's dues account locked, appends ledger lines (never changes one), updates
`DuesTotal` and `DuesAccount.paid_through` in the same transaction, and audits."""

from .accounts import account_set, base_declare, base_review, base_set
from .ledger import (
    correction_record,
    dues_assess_month,
    payment_record,
    refund_record,
)
from .payments import (
    notify_handle,
    order_create,
    order_paid,
    order_refresh,
    orders_sweep,
    reconcile,
)
from .reminders import daily_run, reminders_send

__all__ = [
    "account_set",
    "base_declare",
    "base_review",
    "base_set",
    "correction_record",
    "daily_run",
    "dues_assess_month",
    "notify_handle",
    "order_create",
    "order_paid",
    "order_refresh",
    "orders_sweep",
    "payment_record",
    "reconcile",
    "refund_record",
    "reminders_send",
]
