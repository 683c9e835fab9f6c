"""Figures the staff dashboard shows for transfers (members.selectors.stats collects them)."""

from . import permissions, selectors


def staff_overview(user) -> list[dict]:
    if not permissions.takes_part(user):
        return []
    counts = selectors.figures(user=user)
    return [
        {
            "key": "transfers_open",
            "label": "办理中的组织关系转接",
            "value": counts["open"],
            "url": "/staff/transfers/?status=open",
        },
        {
            "key": "transfer_receipts_overdue",
            "label": "介绍信逾期未回执",
            "value": counts["overdue"],
            "url": "/staff/transfers/?status=overdue",
        },
    ]
