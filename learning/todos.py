"""首页 → 我的待办 from the learning library: 必学 items the member has not finished."""

from django.urls import reverse

from members.permissions import member_of

from .selectors import required_unfinished

LIMIT = 20


def member_todos(user) -> list[dict]:
    if member_of(user) is None:
        return []
    count = len(required_unfinished(user=user, limit=LIMIT))
    return [
        {
            "label": "必学资料未学完",
            "count": count,
            "url": reverse("learning:home") + "#continue-title",
        }
    ]
