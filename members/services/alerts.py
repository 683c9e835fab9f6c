"""Lost-contact alerts (失联风险): members with no contact, no login and no study for 90 days.

A periodic scan flags them for the staff of the nearest organisation with staff (usually the
branch) and, 30 days later, escalates to the staff above (usually the committee). The flag
clears when staff log a contact or the member logs in.
"""

from collections import defaultdict
from datetime import timedelta

from django.conf import settings
from django.db.models import F, Q
from django.db.models.functions import Coalesce
from django.utils import timezone

from members import permissions
from members.models import Member, Notice, Organization
from members.services.notices import Audience, notice_publish


def responsible_organization_id(
    path: str, staffed: set[int], *, above: int | None = None
) -> int | None:
    """The nearest organisation with staff at or above `path` (strictly above `above`)."""
    ids = permissions.path_ids(path)
    if above is not None and above in ids:
        ids = ids[: ids.index(above)]
    for org_id in reversed(ids):
        if org_id in staffed:
            return org_id
    return None


def at_risk_q(now) -> Q:
    """Members away only: returned members are at home, and a member transferring out (转出中)
    is followed through the transfer (an overdue 回执 comes back to staff as `expired`)."""
    cutoff = now - timedelta(days=settings.LOST_CONTACT_DAYS)
    return (
        Q(status="away")
        & Q(contact_or_created__lt=cutoff)
        & (Q(user__isnull=True) | Q(login_or_created__lt=cutoff))
        & Q(study_or_created__lt=cutoff)
    )


def _annotated(qs):
    return qs.annotate(
        contact_or_created=Coalesce("last_contacted_at", "created_at"),
        login_or_created=Coalesce("user__last_login", "created_at"),
        study_or_created=Coalesce("last_studied_at", "created_at"),
    )


def lost_contact_scan(*, now=None) -> dict:
    """Flag, clear and escalate; notify the responsible staff once per organisation."""
    now = now or timezone.now()
    staffed = permissions.staffed_organization_ids()
    counts = {"flagged": 0, "cleared": 0, "escalated": 0}

    # Clear: a contact or a login after the flag.
    cleared = Member.objects.filter(lost_contact_since__isnull=False).filter(
        Q(last_contacted_at__gt=F("lost_contact_since"))
        | Q(user__last_login__gt=F("lost_contact_since"))
        | ~Q(status="away")
    )
    counts["cleared"] = cleared.update(
        lost_contact_since=None, lost_contact_escalated_at=None, lost_contact_responsible=None
    )

    # Flag.
    new = defaultdict(list)
    candidates = _annotated(Member.objects.filter(lost_contact_since__isnull=True)).filter(
        at_risk_q(now)
    )
    for member_id, path in candidates.values_list("pk", "organization__path").iterator(
        chunk_size=5000
    ):
        new[responsible_organization_id(path, staffed)].append(member_id)
    for org_id, member_ids in new.items():
        Member.objects.filter(pk__in=member_ids).update(
            lost_contact_since=now, lost_contact_responsible_id=org_id
        )
        counts["flagged"] += len(member_ids)
        _tell(org_id, len(member_ids), escalated=False)

    # Escalate after 30 more days.
    due = Member.objects.filter(
        lost_contact_since__lte=now - timedelta(days=settings.LOST_CONTACT_ESCALATE_DAYS),
        lost_contact_escalated_at__isnull=True,
    )
    above = defaultdict(list)
    for member_id, path, responsible in due.values_list(
        "pk", "organization__path", "lost_contact_responsible_id"
    ):
        above[responsible_organization_id(path, staffed, above=responsible)].append(member_id)
    for org_id, member_ids in above.items():
        Member.objects.filter(pk__in=member_ids).update(lost_contact_escalated_at=now)
        counts["escalated"] += len(member_ids)
        _tell(org_id, len(member_ids), escalated=True)
    return counts


def _tell(org_id: int | None, count: int, *, escalated: bool) -> None:
    if org_id is None:
        return
    org = Organization.objects.get(pk=org_id)
    notice_publish(
        audience=Audience.staff(org),
        kind=Notice.Kind.CONTACT,
        title=(
            f"{count}名党员失联风险已超过30天未解除，请督促联系"
            if escalated
            else f"{count}名党员存在失联风险，请尽快联系"
        ),
        body="90天内无联系记录、未登录、未学习。联系后请在动态联系中记录，党员登录后标记也会解除。",
        link="/staff/lost-contact/",
    )


def lost_contact_clear(*, member_id: int) -> None:
    """A logged contact or the member's own login ends the alert at once."""
    Member.objects.filter(pk=member_id, lost_contact_since__isnull=False).update(
        lost_contact_since=None, lost_contact_escalated_at=None, lost_contact_responsible=None
    )


def lost_contact_list(*, user):
    """Flagged members the user should see: the responsible organisation's staff at once,
    staff above it once escalated."""
    direct = permissions.scope_of(user).granted_ids
    return (
        permissions.filter_members_visible_to(user)
        .filter(lost_contact_since__isnull=False)
        .filter(
            Q(lost_contact_escalated_at__isnull=False) | Q(lost_contact_responsible_id__in=direct)
        )
        .select_related("organization")
        .order_by("lost_contact_since", "id")
    )
