"""The registry's to-dos on the staff 工作台 (sanyuan.todos): change requests to review,
contacts overdue, lost-contact alerts, arrivals to confirm at a host organisation."""

from django.urls import reverse

from sanyuan.todos import capped_count

from . import permissions
from .models import Hosting
from .selectors.registry import contact_overdue_q


def staff_todos(user) -> list[dict]:
    scope = permissions.scope_of(user)
    if not scope.is_staff:
        return []
    todos = []
    if scope.has_home_grants:
        reviews, capped = capped_count(
            permissions.filter_change_requests_visible_to(user).filter(status="pending")
        )
        todos.append(
            {
                "label": "待审核的档案修改申请",
                "count": reviews,
                "capped": capped,
                "url": reverse("members:staff-change-requests"),
            }
        )
        managed = permissions.filter_members_managed_by(user).filter(status="away")
        overdue, capped = capped_count(managed.filter(contact_overdue_q()))
        todos.append(
            {
                "label": "超过90天未联系的党员",
                "count": overdue,
                "capped": capped,
                "url": reverse("members:staff-contacts-overdue"),
            }
        )
        lost, capped = capped_count(managed.filter(lost_contact_since__isnull=False))
        todos.append(
            {
                "label": "失联风险提醒",
                "count": lost,
                "capped": capped,
                "url": reverse("members:staff-lost-contact"),
            }
        )
    if scope.host_grants:
        arrivals, capped = capped_count(
            permissions.filter_hostings_visible_to(user, Hosting.objects.all()).filter(
                status=Hosting.Status.PENDING
            )
        )
        todos.append(
            {
                "label": "待确认报到的流动党员",
                "count": arrivals,
                "capped": capped,
                "url": reverse("members:staff-hosting"),
            }
        )
    return todos
