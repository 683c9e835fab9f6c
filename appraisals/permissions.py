"""Who may see a round of 民主评议党员 and who may take which step.

| step | who |
|---|---|
| open a round | home staff (county or committee tier) whose scope covers the branch or general branch |
| self-assessment | the participant, while self-assessment is open |
| ballot | a participant who is a full member (正式党员), once, while the ballot is open |
| close the ballot early, paper tally, final rating, finish, export | home staff covering the round's organisation |
| approve or reject an `unqualified` rating | home staff holding a grant on a committee (or the county) above the round's organisation, other than who recorded it |
| read the tallies | the same staff, only once the ballot is closed; never members |

Host-organisation staff (流入地) take no part (403). Objects outside the scope are 404.
"""

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone

from members.choices import PartyStanding
from members.models import Member, Organization
from members.permissions import scope_of

from .models import Appraisal

# Kinds whose grant speaks for a "higher committee" (上级党委) above a branch.
APPROVER_KINDS = (Organization.Kind.COMMITTEE, *Organization.TOP_KINDS)


# Tiers ------------------------------------------------------------------------------------


def takes_part(user) -> bool:
    """Staff who run appraisals: home staff of any tier, never host-organisation staff."""
    scope = scope_of(user)
    return scope.is_staff and not scope.is_host_staff


def check_appraisal_staff(user) -> None:
    if not scope_of(user).is_staff:
        raise PermissionDenied("仅限党组织工作人员使用。")
    if not takes_part(user):
        raise PermissionDenied("民主评议党员由党员的流出地党组织组织，流入地党组织不参与。")


def member_of(user) -> Member | None:
    return scope_of(user).member


# Visibility -------------------------------------------------------------------------------


def filter_appraisals_visible_to(user, qs: QuerySet | None = None) -> QuerySet:
    """Home staff: rounds of organisations in their scope. A member: rounds they take part
    in. Anyone else (host staff included): none."""
    qs = Appraisal.objects.all() if qs is None else qs
    scope = scope_of(user)
    if scope.is_staff:
        if not takes_part(user):
            return qs.none()
        return qs.filter(scope.q(via="organization__"))
    if scope.member is not None:
        return qs.filter(participants__member_id=scope.member.pk)
    return qs.none()


def can_open_appraisal(user, organization: Organization | None) -> bool:
    return takes_part(user) and scope_of(user).covers(organization)


def can_manage_appraisal(user, appraisal: Appraisal) -> bool:
    return takes_part(user) and scope_of(user).covers(appraisal.organization)


def check_manage_appraisal_permission(user, appraisal: Appraisal) -> None:
    """404 for a round the user does not see, 403 for one a member sees (their own)."""
    if can_manage_appraisal(user, appraisal):
        return
    if scope_of(user).is_member and is_participant(user, appraisal):
        raise PermissionDenied("仅限党组织工作人员办理。")
    raise Http404


def can_approve_rating(user, appraisal: Appraisal, rated_by_id: int | None = None) -> bool:
    """The higher committee: a grant on a committee or the county strictly above the round's
    organisation; never the person who recorded the rating (a second pair of eyes)."""
    if not takes_part(user):
        return False
    if rated_by_id is not None and rated_by_id == user.pk:
        return False
    path = appraisal.organization.path
    return any(
        grant.kind in APPROVER_KINDS and path.startswith(grant.path) and grant.path != path
        for grant in scope_of(user).grants
    )


def approvable_q(user) -> Q:
    """Participants whose `unqualified` rating this user's grants may approve (the rounds of
    organisations strictly below a committee or county grant); the recorder is excluded by
    the caller."""
    if not takes_part(user):
        return Q(pk__in=[])
    condition = Q(pk__in=[])
    for grant in scope_of(user).grants:
        if grant.kind in APPROVER_KINDS:
            condition |= Q(appraisal__organization__path__startswith=grant.path) & ~Q(
                appraisal__organization_id=grant.pk
            )
    return condition


def is_participant(user, appraisal: Appraisal) -> bool:
    member = member_of(user)
    if member is None:
        return False
    return appraisal.participants.filter(member_id=member.pk).exists()


def may_vote(member: Member) -> bool:
    """Full members vote; probationary members are rated but have no vote."""
    return member.party_standing == PartyStanding.FULL


# Stages (by the dates; `today` is the local date) -----------------------------------------


def self_assessment_open(appraisal: Appraisal, today=None) -> bool:
    today = today or timezone.localdate()
    return appraisal.finished_at is None and today <= appraisal.self_assessment_ends_on


def ballot_open(appraisal: Appraisal, today=None) -> bool:
    today = today or timezone.localdate()
    return (
        appraisal.finished_at is None
        and appraisal.ballot_closed_at is None
        and appraisal.ballot_starts_on <= today <= appraisal.ballot_ends_on
    )


def ballot_closed(appraisal: Appraisal, today=None) -> bool:
    """Closed by staff, or past its last day: from now on tallies may be read."""
    today = today or timezone.localdate()
    return appraisal.ballot_closed_at is not None or today > appraisal.ballot_ends_on


def can_read_tallies(user, appraisal: Appraisal) -> bool:
    return can_manage_appraisal(user, appraisal) and ballot_closed(appraisal)


def stage_label(appraisal: Appraisal, today=None) -> str:
    today = today or timezone.localdate()
    if appraisal.finished_at is not None:
        return "已完成"
    if ballot_open(appraisal, today):
        return "民主测评中"
    if ballot_closed(appraisal, today):
        return "组织评定中"
    if self_assessment_open(appraisal, today):
        return "自我评价中"
    return "等待民主测评"
