"""Temporary branches (临时党支部) where members of a scope gather in one destination city."""

from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone

from members import permissions
from members.archive_fields import region_names
from members.models import Notice, Organization, TemporaryBranchMembership
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


def temporary_branch_suggestions(*, user) -> list[dict]:
    """Cities where at least three full members of the scope gather and no temporary branch
    of the scope serves them yet; biggest first."""
    existing = set(
        permissions.filter_organizations_visible_to(user)
        .filter(kind=Organization.Kind.TEMPORARY_BRANCH, dissolved_at__isnull=True)
        .values_list("region_code", flat=True)
    )
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
        if Organization.objects.filter(
            kind=Organization.Kind.TEMPORARY_BRANCH,
            region_code=city,
            dissolved_at__isnull=True,
            path__startswith=parent.path,
        ).exists():
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
