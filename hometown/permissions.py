"""Who may see and do what with support cases (困难帮扶), the support group (后援团),
contributions, campaigns and 回馈标兵.

| object | sees | acts |
|---|---|---|
| support case | the member (own family's) and home staff in scope | member asks; home staff open, accept, record steps, close |
| support-group membership | the member and home staff in scope | the member joins and leaves |
| contribution | the member and home staff in scope | member (or home staff) records; home staff in scope confirm or decline |
| campaign | every signed-in user | the county tier publishes |
| 回馈标兵 | staff in scope (home) | the county tier names and publishes |

Host-organisation staff (流入地) see none of it: cases are sensitive like the family
situation, and contribution amounts like income (DESIGN.md). Outside the scope: 404.
"""

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404

from members.models import Member
from members.permissions import scope_of

from .models import Campaign, Contribution, Pacesetter, SupportCase, SupportGroupMembership


def takes_part(user) -> bool:
    """Staff who handle hometown ties: home staff of any tier, never host-organisation staff."""
    scope = scope_of(user)
    return scope.is_staff and not scope.is_host_staff


def is_staff(user) -> bool:
    return scope_of(user).is_staff


def check_hometown_staff(user) -> None:
    if not scope_of(user).is_staff:
        raise PermissionDenied("仅限党组织工作人员使用。")
    if not takes_part(user):
        raise PermissionDenied("困难帮扶和后援团由党员的流出地党组织办理。")


def _home_q(user, via: str):
    return scope_of(user).q(via=f"{via}organization__")


def _visible(user, qs: QuerySet, *, via: str = "member__") -> QuerySet:
    """Home staff: rows of members they keep at home; a member: their own; else none."""
    scope = scope_of(user)
    if scope.is_staff:
        return qs.filter(_home_q(user, via)) if takes_part(user) else qs.none()
    if scope.member is not None:
        return qs.filter(**{f"{via}pk": scope.member.pk})
    return qs.none()


def manages(user, member: Member) -> bool:
    return takes_part(user) and scope_of(user).manages(member)


# Support cases ------------------------------------------------------------------------------


def filter_support_cases_visible_to(user, qs: QuerySet | None = None) -> QuerySet:
    return _visible(user, SupportCase.objects.all() if qs is None else qs)


def can_open_support_case(user, member: Member) -> bool:
    return manages(user, member)


def can_handle_support_case(user, case: SupportCase) -> bool:
    """Accept, record a step, close: home staff of the member in scope."""
    return manages(user, case.member)


def check_handle_support_case_permission(user, case: SupportCase) -> None:
    if not filter_support_cases_visible_to(user).filter(pk=case.pk).exists():
        raise Http404
    if not can_handle_support_case(user, case):
        raise PermissionDenied("只有流出地党组织工作人员可以办理困难帮扶。")


def can_ask_for_support(user, member: Member) -> bool:
    scope = scope_of(user)
    return scope.member is not None and scope.member.pk == member.pk


# Support group and contributions --------------------------------------------------------------


def filter_memberships_visible_to(user, qs: QuerySet | None = None) -> QuerySet:
    return _visible(user, SupportGroupMembership.objects.all() if qs is None else qs)


def filter_contributions_visible_to(user, qs: QuerySet | None = None) -> QuerySet:
    return _visible(user, Contribution.objects.all() if qs is None else qs)


def can_record_contribution(user, member: Member) -> bool:
    return can_ask_for_support(user, member) or manages(user, member)


def can_decide_contribution(user, contribution: Contribution) -> bool:
    return manages(user, contribution.member)


def check_decide_contribution_permission(user, contribution: Contribution) -> None:
    if not filter_contributions_visible_to(user).filter(pk=contribution.pk).exists():
        raise Http404
    if not can_decide_contribution(user, contribution):
        raise PermissionDenied("只有流出地党组织工作人员可以确认贡献。")


# Campaigns and 回馈标兵 ------------------------------------------------------------------------


def filter_campaigns_visible_to(user, qs: QuerySet | None = None) -> QuerySet:
    qs = Campaign.objects.all() if qs is None else qs
    return qs if scope_of(user).tier is not None else qs.none()


def filter_pacesetters_visible_to(user, qs: QuerySet | None = None) -> QuerySet:
    return _visible(user, Pacesetter.objects.all() if qs is None else qs)


def can_manage_campaigns(user) -> bool:
    """Publish a campaign, name and publish 回馈标兵: the county tier."""
    return takes_part(user) and scope_of(user).is_county


def check_manage_campaigns_permission(user) -> None:
    if not can_manage_campaigns(user):
        raise PermissionDenied("回馈家乡年度活动和回馈标兵由县委组织部发布。")
