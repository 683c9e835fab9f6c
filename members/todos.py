"""The registry's to-dos on the staff 工作台 (sanyuan.todos): change requests to review,
contacts overdue, lost-contact alerts, arrivals to confirm at a host organisation."""

from django.urls import reverse

from sanyuan.todos import ATTENTION, URGENT, capped_count, oldest

from . import permissions
from .models import Hosting
from .selectors.registry import contact_overdue_q


def staff_todos(user) -> list[dict]:
    scope = permissions.scope_of(user)
    if not scope.is_staff:
        return []
    todos = []
    if scope.has_home_grants:
        todos += _home_todos(user)
    if scope.host_grants:
        pending = permissions.filter_hostings_visible_to(user, Hosting.objects.all()).filter(
            status=Hosting.Status.PENDING
        )
        arrivals, capped = capped_count(pending)
        todos.append(
            {
                "label": "待确认报到的流动党员",
                "count": arrivals,
                "capped": capped,
                "url": reverse("members:staff-hosting"),
                "priority": URGENT,
                "since": oldest(pending, "created_at") if arrivals else None,
            }
        )
    return todos


def _home_todos(user) -> list[dict]:
    reviews_qs = permissions.filter_change_requests_visible_to(user).filter(status="pending")
    reviews, reviews_capped = capped_count(reviews_qs)
    managed = permissions.filter_members_managed_by(user).filter(status="away")
    overdue, overdue_capped = capped_count(managed.filter(contact_overdue_q()))
    lost_qs = managed.filter(lost_contact_since__isnull=False)
    lost, lost_capped = capped_count(lost_qs)
    return [
        {
            "label": "待审核的档案修改申请",
            "count": reviews,
            "capped": reviews_capped,
            "url": reverse("members:staff-change-requests"),
            "priority": URGENT,
            "since": oldest(reviews_qs, "created_at") if reviews else None,
        },
        {
            "label": "失联风险提醒",
            "count": lost,
            "capped": lost_capped,
            "url": reverse("members:staff-lost-contact"),
            "priority": ATTENTION,
            "since": oldest(lost_qs, "lost_contact_since") if lost else None,
        },
        {
            "label": "超过90天未联系的党员",
            "count": overdue,
            "capped": overdue_capped,
            "url": reverse("members:staff-contacts-overdue"),
            "priority": ATTENTION,
        },
    ]
