"""The 工作台's to-dos for dues (listed in STAFF_TODO_PROVIDERS): declared bases waiting for
review, and members DUES_BEHIND_MONTHS or more behind (only listed: the branch decides)."""

from django.conf import settings

from sanyuan.todos import ATTENTION, URGENT, capped_count, oldest

from . import permissions, selectors


def staff_todos(user) -> list[dict]:
    if not permissions.handles_dues(user):
        return []
    behind_months = int(settings.DUES_BEHIND_MONTHS)
    bases_qs = selectors.pending_bases(user=user)
    bases, bases_capped = capped_count(bases_qs)
    behind, behind_capped = capped_count(
        selectors.standing_list(user=user, behind_months=behind_months)
    )
    return [
        {
            "label": "待审核的党费交纳基数",
            "count": bases,
            "capped": bases_capped,
            "url": "/staff/dues/bases/",
            "priority": URGENT,
            "since": oldest(bases_qs, "declared_at") if bases else None,
        },
        {
            "label": f"{behind_months}个月以上未交纳党费的党员",
            "count": behind,
            "capped": behind_capped,
            "url": f"/staff/dues/?behind={behind_months}",
            "priority": ATTENTION,
        },
    ]
