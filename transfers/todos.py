"""The 工作台's to-dos for transfers (listed in STAFF_TODO_PROVIDERS): what waits for this
user's own step, scoped through transfers.permissions, in one query."""

from . import permissions, selectors


def staff_todos(user) -> list[dict]:
    if not permissions.takes_part(user):
        return []
    counts = selectors.figures(user=user)
    rows = [
        ("to_approve", "待审批的县内组织关系转接", "/staff/transfers/?status=requested"),
        ("to_accept", "待接收的县内组织关系转入", "/staff/transfers/?status=approved"),
        ("to_issue", "待开具的组织关系介绍信", "/staff/transfers/?status=prepared"),
        ("overdue_mine", "介绍信逾期未回执", "/staff/transfers/?status=overdue"),
    ]
    return [
        {"label": label, "count": counts[key], "url": url}
        for key, label, url in rows
        if counts[key]
    ]
