"""The 工作台's to-dos for appraisals (listed in STAFF_TODO_PROVIDERS): rounds in progress,
rounds awaiting the branch's decisions and `unqualified` ratings waiting for this user's
approval, scoped through appraisals.permissions."""

from sanyuan.todos import ATTENTION, ROUTINE, URGENT

from . import permissions, selectors


def staff_todos(user) -> list[dict]:
    if not permissions.takes_part(user):
        return []
    counts = selectors.figures(user=user)
    rows = [
        ("to_approve", "待审批的“不合格”评定", "/staff/appraisals/?state=open", URGENT),
        (
            "to_decide",
            "民主测评已结束、待组织评定的民主评议",
            "/staff/appraisals/?state=open",
            ATTENTION,
        ),
        ("in_progress", "进行中的民主评议党员", "/staff/appraisals/?state=open", ROUTINE),
    ]
    return [
        {"label": label, "count": counts[key], "url": url, "priority": priority}
        for key, label, url, priority in rows
        if counts[key]
    ]
