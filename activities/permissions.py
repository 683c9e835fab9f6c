"""Who may see and do what with activities.

Staff see and manage the activities of organisations in their granted subtrees. A member
sees a published (or held, or cancelled after publishing) activity only when in its
audience: the organising organisation itself, its subtree, a temporary branch they belong to,
or the host organisation that hosts them. A committee meeting (支委会) is for the members
holding a seat on its organisation's committee (members.BranchCommitteeSeat) only. Outside
that: 404, never the activity.
"""

from django.db.models import Q, QuerySet
from django.http import Http404

from members.models import BranchCommitteeSeat, Member
from members.permissions import scope_of

from .models import Activity, ActivityMaterial, Attendance

A = Activity.Audience
S = Activity.Status
K = Activity.Kind


def visible_to_members_q(prefix: str = "") -> Q:
    """Activities members may see at all: drafts (planned) stay with staff."""
    return Q(**{f"{prefix}status__in": [S.PUBLISHED, S.HELD]}) | Q(
        **{f"{prefix}status": S.CANCELLED, f"{prefix}published_at__isnull": False}
    )


def member_audience_q(user, member: Member, prefix: str = "") -> Q:
    """Activities whose audience includes the member (one Q, no per-row checks; the committee
    seats are a subquery, not a query of their own)."""
    ctx = scope_of(user)
    p = prefix
    q = Q(**{f"{p}audience": A.ORGANIZATION, f"{p}organization_id": member.organization_id})
    if ctx.organization_ids:
        q |= Q(**{f"{p}audience": A.SUBTREE, f"{p}organization_id__in": ctx.organization_ids})
    if ctx.temporary_branch_ids:
        q |= Q(
            **{
                f"{p}audience": A.TEMPORARY_BRANCH,
                f"{p}organization_id__in": ctx.temporary_branch_ids,
            }
        )
    if ctx.host_organization_ids:
        q |= Q(**{f"{p}audience": A.HOSTED, f"{p}organization_id__in": ctx.host_organization_ids})
    seats = BranchCommitteeSeat.objects.filter(member_id=member.pk).values("organization_id")
    return q & (~Q(**{f"{p}kind": K.COMMITTEE_MEETING}) | Q(**{f"{p}organization_id__in": seats}))


def filter_activities_visible_to(user, qs: QuerySet | None = None) -> QuerySet:
    qs = Activity.objects.all() if qs is None else qs
    scope = scope_of(user)
    if scope.is_staff:
        return qs.filter(scope.q(via="organization__"))
    member = scope.member
    if member is not None:
        return qs.filter(visible_to_members_q() & member_audience_q(user, member))
    return qs.none()


def filter_materials_visible_to(user, qs: QuerySet | None = None) -> QuerySet:
    qs = ActivityMaterial.objects.all() if qs is None else qs
    scope = scope_of(user)
    if scope.is_staff:
        return qs.filter(scope.q(via="activity__organization__"))
    member = scope.member
    if member is not None:
        return qs.filter(
            visible_to_members_q("activity__") & member_audience_q(user, member, "activity__")
        )
    return qs.none()


def filter_attendances_visible_to(user, qs: QuerySet | None = None) -> QuerySet:
    """Staff: the rows of activities in scope. Members: their own rows."""
    qs = Attendance.objects.all() if qs is None else qs
    scope = scope_of(user)
    if scope.is_staff:
        return qs.filter(scope.q(via="activity__organization__"))
    member = scope.member
    if member is not None:
        return qs.filter(member=member)
    return qs.none()


def can_view_activity(user, activity: Activity) -> bool:
    return filter_activities_visible_to(user).filter(pk=activity.pk).exists()


def can_manage_activity(user, activity: Activity) -> bool:
    return scope_of(user).covers(activity.organization)


def check_manage_activity_permission(user, activity: Activity) -> None:
    if not can_manage_activity(user, activity):
        raise Http404


def can_reply_to_activity(user, activity: Activity) -> bool:
    """A member in the audience of an activity they can see (staff do not reply)."""
    return scope_of(user).is_member and can_view_activity(user, activity)


def check_reply_to_activity_permission(user, activity: Activity) -> None:
    if not can_reply_to_activity(user, activity):
        raise Http404


def can_record_reply_for(user, activity: Activity, member) -> bool:
    """Staff who manage the activity record the reply of an invitee without an account (who
    cannot reply themselves); members with an account reply for themselves."""
    return can_manage_activity(user, activity) and member.user_id is None


def can_organize_for(user, organization) -> bool:
    """Staff organise activities for organisations in their scope."""
    return organization is not None and scope_of(user).covers(organization)
