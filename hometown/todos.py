"""The 工作台's to-dos for hometown ties (listed in STAFF_TODO_PROVIDERS): families waiting
for help and contributions waiting for confirmation, scoped through hometown.permissions."""

from sanyuan.todos import ATTENTION, URGENT, capped_count, oldest

from . import permissions, selectors


def staff_todos(user) -> list[dict]:
    if not permissions.takes_part(user):
        return []
    todos = []
    requested = selectors.support_case_list(user=user, which="requested")
    count, capped = capped_count(requested)
    if count:
        todos.append(
            {
                "label": "党员申请的困难帮扶待受理",
                "count": count,
                "capped": capped,
                "url": "/staff/family-support/?which=requested",
                "priority": URGENT,
                "since": oldest(requested, "created_at"),
            }
        )
    stale = selectors.support_case_list(user=user, which="stale")
    count, capped = capped_count(stale)
    if count:
        todos.append(
            {
                "label": "困难帮扶30天以上无进展",
                "count": count,
                "capped": capped,
                "url": "/staff/family-support/?which=stale",
                "priority": ATTENTION,
                "since": oldest(stale, "last_step_at"),
            }
        )
    pending = selectors.contribution_list(user=user, status="recorded")
    count, capped = capped_count(pending)
    if count:
        todos.append(
            {
                "label": "后援团成员登记的贡献待确认",
                "count": count,
                "capped": capped,
                "url": "/staff/support-group/contributions/?status=recorded",
                "priority": ATTENTION,
                "since": oldest(pending, "created_at"),
            }
        )
    return todos
