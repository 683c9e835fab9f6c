"""Temporary branches (临时党支部) where members of a scope gather in one destination city."""

from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone

from members import permissions
from members.archive_fields import region_names
from members.models import (
    Member,
    Notice,
    Organization,
    Skill,
    TemporaryBranchMembership,
    TemporaryBranchProposal,
    TemporaryBranchRule,
)
from members.services.audit import audit_record
from members.services.notices import Audience, notice_publish
from members.services.organizations import organization_create
from sanyuan.errors import ServiceError, StateConflict

MIN_FULL_MEMBERS = 3


def _gathering_members(user, city: str):
    """Members of the user's (home) scope away in `city`, not yet in an open temporary branch.
    Members transferring out (转出中) are leaving the county's organisations: not gathered."""
    return (
        permissions.filter_members_managed_by(user)
        .filter(status="away", destination_city=city)
        .exclude(temporary_memberships__left_at__isnull=True, temporary_memberships__isnull=False)
    )


def _serving_branches(user):
    """Open temporary branches that gather members of the user's scope: formed inside it or
    above it (a county's branch serves every committee), whatever the user may browse."""
    scope = permissions.scope_of(user)
    above = Q(pk__in=[])
    for org in scope.grants:
        above |= Q(parent_id__in=[int(p) for p in org.path.strip("/").split("/") if p])
    return Organization.objects.filter(
        scope.q(via="") | above,
        kind=Organization.Kind.TEMPORARY_BRANCH,
        dissolved_at__isnull=True,
    )


def _served_places(user) -> tuple[set[str], set[str]]:
    """(cities, provinces) that an open temporary branch serving the scope already covers."""
    cities, provinces = set(), set()
    for code, city, province in _serving_branches(user).values_list(
        "region_code",
        "temporary_rule__destination_city",
        "temporary_rule__destination_province",
    ):
        if city or code:
            cities.add(city or code)
        elif province:
            provinces.add(province)
    return cities, provinces


def temporary_branch_suggestions(*, user) -> list[dict]:
    """Cities where at least three full members of the scope gather and no temporary branch
    serving the scope covers them yet (a branch above the scope, or one for the whole
    province, counts); biggest first."""
    existing, provinces = _served_places(user)
    rows = (
        permissions.filter_members_managed_by(user)
        .filter(status="away")
        .exclude(destination_city="")
        .values("destination_city")
        .annotate(full=Count("pk", filter=Q(party_standing="full")), total=Count("pk"))
        .filter(full__gte=MIN_FULL_MEMBERS)
        .order_by("-full", "destination_city")
    )
    names = region_names()
    return [
        {
            "city": row["destination_city"],
            "city_name": names.get(row["destination_city"], row["destination_city"]),
            "full_members": row["full"],
            "members": row["total"],
        }
        for row in rows
        if row["destination_city"] not in existing
        and row["destination_city"][:2] + "0000" not in provinces
    ]


def temporary_branch_create(
    *, staff, city: str, parent: Organization | None = None
) -> Organization:
    """Form a temporary branch in one click: the scope's members away in `city` join it,
    keeping their home organisation; they are told through a notice."""
    grants = permissions.scope_of(staff).grants
    parent = parent or (grants[0] if grants else None)
    if not permissions.can_form_temporary_branch(staff, parent=parent):
        raise ServiceError("上级组织不在您的管理范围内。", field="parent")
    if parent.kind not in permissions.TEMPORARY_BRANCH_PARENT_KINDS:
        raise ServiceError("临时党支部只能建在县、基层党（工）委或党总支之下。", field="parent")
    names = region_names()
    if city not in names or city.endswith("0000") or not city.endswith("00"):
        raise ServiceError("请选择流入城市。", field="city")
    with transaction.atomic():
        cities, provinces = _served_places(staff)
        if city in cities or city[:2] + "0000" in provinces:
            raise StateConflict("该城市已有临时党支部。")
        members = list(
            _gathering_members(staff, city)
            .select_for_update(of=("self",))
            .values_list("pk", "party_standing")
        )
        if sum(1 for _, standing in members if standing == "full") < MIN_FULL_MEMBERS:
            raise ServiceError(
                f"该城市正式党员不足{MIN_FULL_MEMBERS}名，不能成立临时党支部。", field="city"
            )
        number = Organization.objects.filter(code__startswith=f"{parent.code}-T{city}").count() + 1
        branch = organization_create(
            code=f"{parent.code}-T{city}-{number}",
            name=f"{names[city]}流动党员临时党支部",
            kind=Organization.Kind.TEMPORARY_BRANCH,
            parent=parent,
        )
        Organization.objects.filter(pk=branch.pk).update(region_code=city)
        branch.region_code = city
        TemporaryBranchRule.objects.create(branch=branch, destination_city=city)
        TemporaryBranchMembership.objects.bulk_create(
            [TemporaryBranchMembership(member_id=pk, branch=branch) for pk, _ in members]
        )
        audit_record(
            actor=staff,
            action="temporary_branch.create",
            target=branch,
            detail={"members": len(members)},
        )
        notice_publish(
            audience=Audience.temporary_branch(branch),
            kind=Notice.Kind.SYSTEM,
            title=f"您已加入{branch.name}",
            body="您的组织关系仍在原党组织；临时党支部的组织活动和通知会发送给您。",
            created_by=staff,
        )
    return branch


def temporary_branch_dissolve(*, staff, branch: Organization) -> Organization:
    """Dissolve: memberships end, the record stays."""
    permissions.check_manage_temporary_branch_permission(staff, branch)
    with transaction.atomic():
        locked = Organization.objects.select_for_update().get(pk=branch.pk)
        if locked.dissolved_at is not None:
            raise StateConflict("该临时党支部已撤销。")
        now = timezone.now()
        locked.dissolved_at = now
        locked.save(update_fields=["dissolved_at"])
        TemporaryBranchMembership.objects.filter(branch=locked, left_at__isnull=True).update(
            left_at=now
        )
        TemporaryBranchProposal.objects.filter(branch=locked, status="pending").update(
            status="declined", decided_by=staff, decided_at=now
        )
        audit_record(actor=staff, action="temporary_branch.dissolve", target=locked)
    return locked


def temporary_branch_list(*, user):
    return (
        permissions.filter_organizations_visible_to(user)
        .filter(kind=Organization.Kind.TEMPORARY_BRANCH)
        .annotate(
            open_members=Count(
                "temporary_memberships", filter=Q(temporary_memberships__left_at__isnull=True)
            )
        )
        .order_by("dissolved_at", "-created_at")
    )


def member_count_in_city(*, user, city: str) -> int:
    return _gathering_members(user, city).count()


# Living branches: the membership follows the archive ----------------------------------------

# A proposal the branch's staff declined is not made again for this long.
DECLINED_QUIET_DAYS = 180


def _rule_reason(rule: TemporaryBranchRule, names: dict) -> str:
    place = rule.destination_city or rule.destination_province
    parts = [names.get(place, place)]
    if rule.skill_id:
        parts.append(rule.skill.name)
    if rule.employer:
        parts.append(rule.employer)
    return "、".join(parts)


def temporary_branch_sync(*, branch: Organization | None = None, now=None) -> dict:
    """Beat (hourly), and after a rule changes: for each open temporary branch with a rule,
    members of its parent's subtree who now match and are not in it are proposed to join;
    members in it who no longer match (moved, returned, transferred) are proposed to leave.
    The branch's staff (nearest with a grant) are told when there is something new.
    Idempotent: one pending proposal per branch and member."""
    from datetime import timedelta

    now = now or timezone.now()
    branches = Organization.objects.filter(
        kind=Organization.Kind.TEMPORARY_BRANCH,
        dissolved_at__isnull=True,
        temporary_rule__isnull=False,
    ).select_related("parent", "temporary_rule__skill")
    if branch is not None:
        branches = branches.filter(pk=branch.pk)
    names = region_names()
    made = {"join": 0, "leave": 0}
    for org in branches:
        rule = org.temporary_rule
        matching = set(
            Member.objects.filter(
                rule.members_q(), organization__path__startswith=org.parent.path
            ).values_list("pk", flat=True)
        )
        current = set(
            TemporaryBranchMembership.objects.filter(branch=org, left_at__isnull=True).values_list(
                "member_id", flat=True
            )
        )
        quiet = set(
            TemporaryBranchProposal.objects.filter(branch=org)
            .filter(
                Q(status="pending")
                | Q(status="declined", decided_at__gte=now - timedelta(days=DECLINED_QUIET_DAYS))
            )
            .values_list("member_id", "kind")
        )
        # Someone in another open temporary branch is not proposed to a second one.
        elsewhere = set(
            TemporaryBranchMembership.objects.filter(
                member_id__in=matching - current, left_at__isnull=True
            ).values_list("member_id", flat=True)
        )
        reason = f"流入地为{_rule_reason(rule, names)}"
        rows = [
            TemporaryBranchProposal(branch=org, member_id=pk, kind="join", reason=reason)
            for pk in sorted(matching - current - elsewhere)
            if (pk, "join") not in quiet and (pk, "leave") not in quiet
        ]
        rows += [
            TemporaryBranchProposal(
                branch=org, member_id=pk, kind="leave", reason="流入地或流动状态已变化"
            )
            for pk in sorted(current - matching)
            if (pk, "leave") not in quiet and (pk, "join") not in quiet
        ]
        if not rows:
            continue
        with transaction.atomic():
            TemporaryBranchProposal.objects.bulk_create(rows, ignore_conflicts=True)
            staffed = permissions.nearest_staffed_organization(org)
            if staffed is not None:
                notice_publish(
                    audience=Audience.staff(staffed),
                    kind=Notice.Kind.SYSTEM,
                    title=f"{org.name}有{len(rows)}名党员的成员变动待确认",
                    link="/staff/temporary-branches/",
                )
        for row in rows:
            made[row.kind] += 1
    return made


def temporary_branch_proposals(*, user):
    """Pending proposals of the branches the user manages (scope covers the branch)."""
    return (
        TemporaryBranchProposal.objects.filter(
            permissions.scope_of(user).q(via="branch__"), status="pending"
        )
        .select_related("branch", "member", "member__organization")
        .order_by("branch_id", "kind", "id")
    )


def temporary_branch_proposal_decide(
    *, staff, proposal_id, accept: bool
) -> TemporaryBranchProposal:
    """The branch's staff accept (the member joins or leaves now) or decline a proposal;
    409 once decided; 404 outside their scope."""
    proposal = (
        TemporaryBranchProposal.objects.select_related("branch", "member__user")
        .filter(pk=proposal_id)
        .first()
    )
    if proposal is None:
        from django.http import Http404

        raise Http404
    permissions.check_manage_temporary_branch_permission(staff, proposal.branch)
    now = timezone.now()
    with transaction.atomic():
        locked = TemporaryBranchProposal.objects.select_for_update().get(pk=proposal.pk)
        if locked.status != "pending":
            raise StateConflict("这条成员变动已经处理过了。")
        locked.status = "accepted" if accept else "declined"
        locked.decided_by, locked.decided_at = staff, now
        locked.save(update_fields=["status", "decided_by", "decided_at"])
        branch, member = proposal.branch, proposal.member
        if accept and locked.kind == "join":
            if not TemporaryBranchMembership.objects.filter(
                member=member, left_at__isnull=True
            ).exists():
                TemporaryBranchMembership.objects.create(member=member, branch=branch)
                if member.user_id:
                    notice_publish(
                        audience=Audience.user(member.user),
                        kind=Notice.Kind.SYSTEM,
                        title=f"您已加入{branch.name}",
                        body="您的组织关系仍在原党组织；临时党支部的组织活动和通知会发送给您。",
                        created_by=staff,
                    )
        elif accept:
            TemporaryBranchMembership.objects.filter(
                member=member, branch=branch, left_at__isnull=True
            ).update(left_at=now)
        audit_record(
            actor=staff,
            action="temporary_branch.proposal_accept"
            if accept
            else "temporary_branch.proposal_decline",
            target=branch,
            detail={"member": member.pk, "kind": locked.kind},
        )
    return locked


def temporary_branch_rule_set(
    *,
    staff,
    branch: Organization,
    destination_province: str = "",
    destination_city: str = "",
    skill: str = "",
    employer: str = "",
) -> TemporaryBranchRule:
    """Change who a branch gathers: a city or a province (one of them), optionally a skill
    and an employer; the membership follows at once through proposals."""
    permissions.check_manage_temporary_branch_permission(staff, branch)
    if branch.dissolved_at is not None:
        raise StateConflict("该临时党支部已撤销。")
    names = region_names()
    errors = {}
    city, province = (destination_city or "").strip(), (destination_province or "").strip()
    if city and (city not in names or city.endswith("0000") or not city.endswith("00")):
        errors["destination_city"] = ["流入城市无效。"]
    if province and (province not in names or not province.endswith("0000")):
        errors["destination_province"] = ["流入省份无效。"]
    if not city and not province:
        errors["destination_city"] = ["请选择流入城市或省份。"]
    skill_obj = None
    if skill:
        skill_obj = Skill.objects.filter(name=skill.strip()).first()
        if skill_obj is None:
            errors["skill"] = ["技能不在技能列表中。"]
    employer = (employer or "").strip()
    if len(employer) > 100:
        errors["employer"] = ["工作单位不能超过100字。"]
    if errors:
        from sanyuan.errors import FieldErrors

        raise FieldErrors(errors)
    with transaction.atomic():
        rule, _ = TemporaryBranchRule.objects.update_or_create(
            branch=branch,
            defaults={
                "destination_city": city,
                "destination_province": "" if city else province,
                "skill": skill_obj,
                "employer": employer,
            },
        )
        Organization.objects.filter(pk=branch.pk).update(region_code=city)
        audit_record(actor=staff, action="temporary_branch.rule", target=branch)
    temporary_branch_sync(branch=branch)
    return rule
