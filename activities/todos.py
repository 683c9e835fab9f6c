"""The activities' to-dos on the staff 工作台: branches behind on 三会一课 this year."""

from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from members.permissions import scope_of
from sanyuan.todos import ROUTINE

from .selectors.cadence import cadence_report

# The cadence report reads a year of activities for every branch in scope; the 工作台 shows
# its count for a few minutes (held activities are recorded days after the fact anyway).
CACHE_SECONDS = 600


def staff_todos(user) -> list[dict]:
    scope = scope_of(user)
    if not scope.has_home_grants:
        return []
    year = timezone.localdate().year
    key = "todo-cadence:{}:{}".format(year, ",".join(org.path for org in scope.grants))
    behind = cache.get(key)
    if behind is None:
        behind = sum(1 for row in cadence_report(user=user, year=year).rows if row.behind)
        cache.set(key, behind, CACHE_SECONDS)
    return [
        {
            "label": "三会一课未按期开展的党支部",
            "count": behind,
            "url": reverse("activities:staff-cadence"),
            "priority": ROUTINE,
            "hint": f"{year}年至今",
        }
    ]


def member_todos(user) -> list[dict]:
    """首页 → 我的待办: upcoming activities the member has not yet answered (参加 / 请假)."""
    from .models import Activity
    from .permissions import filter_activities_visible_to

    scope = scope_of(user)
    if scope.member is None:
        return []
    count = (
        filter_activities_visible_to(user)
        .filter(status=Activity.Status.PUBLISHED, ends_at__gt=timezone.now())
        .exclude(attendances__member=scope.member)
        .count()
    )
    return [{"label": "组织活动待回复", "count": count, "url": reverse("activities:list")}]
