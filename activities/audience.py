"""Who an activity is for: as a member queryset (attendance sheet, eligibility) and as a
notice audience (members.services.notices.Audience)."""

from django.db.models import Q, QuerySet

from members.choices import MemberStatus
from members.models import (
    BranchCommitteeSeat,
    Member,
    Organization,
    TemporaryBranchMembership,
    User,
)
from members.services.notices import Audience

from .models import Activity, Attendance

A = Activity.Audience


def _subtree_ids(path: str) -> list[int]:
    return list(Organization.objects.filter(path__startswith=path).values_list("pk", flat=True))


def audience_q(activity: Activity) -> Q:
    """Members in the activity's audience now (transferred-out members are not).

    Organisation and member ids are read first (a few indexed lookups), so that the member
    query is a plain index scan on organisation, host organisation or id, and can be OR-ed
    with other id lists without falling back to a scan of the whole member table."""
    org = activity.organization
    if activity.audience == A.ORGANIZATION:
        q = Q(organization_id=org.pk)
    elif activity.audience == A.SUBTREE:
        q = Q(organization_id__in=_subtree_ids(org.path))
    elif activity.audience == A.TEMPORARY_BRANCH:
        q = Q(
            pk__in=list(
                TemporaryBranchMembership.objects.filter(
                    branch_id=org.pk, left_at__isnull=True
                ).values_list("member_id", flat=True)
            )
        )
    elif activity.audience == A.HOSTED:
        q = Q(host_organization_id__in=_subtree_ids(org.path))
    else:  # pragma: no cover - the choices are closed
        return Q(pk__in=[])
    if activity.kind == Activity.Kind.COMMITTEE_MEETING:
        # A committee meeting (支委会) is for the seats on the organisation's committee.
        q &= Q(
            pk__in=list(
                BranchCommitteeSeat.objects.filter(organization_id=org.pk).values_list(
                    "member_id", flat=True
                )
            )
        )
    return q & ~Q(status=MemberStatus.TRANSFERRED_OUT)


def audience_members(activity: Activity) -> QuerySet:
    return Member.objects.filter(audience_q(activity))


def sheet_members(activity: Activity) -> QuerySet:
    """The attendance sheet's rows: the audience, plus anyone who already has a row (a member
    who replied and has since moved, or left the temporary branch, still shows)."""
    with_rows = list(
        Attendance.objects.filter(activity_id=activity.pk).values_list("member_id", flat=True)
    )
    return Member.objects.filter(audience_q(activity) | Q(pk__in=with_rows))


# Above this, an "organisation only" audience of an organisation with sub-organisations
# would cost too many recipient rows; none of the demo or real branches comes near it.
USER_LIST_LIMIT = 2000


def notice_audience(activity: Activity) -> Audience:
    """The notice audience that matches the activity's audience.

    "Organisation only" has no broadcast audience of its own. For an organisation without
    sub-organisations (every branch) the subtree is the organisation, so the broadcast is
    exact and costs one row. Otherwise the members with an account are listed by name
    (one recipient row each; an organisation with its own members and sub-organisations is
    small, and the list is capped). A committee meeting goes to its committee by name."""
    org = activity.organization
    if activity.kind == Activity.Kind.COMMITTEE_MEETING:
        return _listed(activity)  # the committee, by name; never the whole branch
    if activity.audience == A.SUBTREE:
        return Audience.subtree(org)
    if activity.audience == A.TEMPORARY_BRANCH:
        return Audience.temporary_branch(org)
    if activity.audience == A.HOSTED:
        return Audience.hosted(org)
    if not Organization.objects.filter(parent_id=org.pk).exists():
        return Audience.subtree(org)
    return _listed(activity)


def _listed(activity: Activity) -> Audience:
    users = User.objects.filter(
        is_active=True,
        member__in=audience_members(activity).filter(user__isnull=False),
    ).order_by("pk")[:USER_LIST_LIMIT]
    return Audience.user_list(users)
