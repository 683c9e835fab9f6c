from django.db import transaction
from django.db.models import F, Value
from django.db.models.functions import Concat, Substr

from members import permissions
from members.models import Organization
from members.services.audit import audit_record
from sanyuan.errors import ServiceError

Kind = Organization.Kind

# Which kinds may sit directly under which; None means "at the root".
ALLOWED_PARENT_KINDS: dict[str, set] = {
    Kind.PROVINCE: {None},
    Kind.CITY: {None, Kind.PROVINCE},
    Kind.COUNTY: {None, Kind.PROVINCE, Kind.CITY},
    Kind.COMMITTEE: {Kind.COUNTY, Kind.COMMITTEE},
    Kind.GENERAL_BRANCH: {Kind.COMMITTEE},
    Kind.BRANCH: {Kind.COMMITTEE, Kind.GENERAL_BRANCH},
    Kind.TEMPORARY_BRANCH: {Kind.COUNTY, Kind.COMMITTEE, Kind.GENERAL_BRANCH, Kind.HOST},
    Kind.HOST: {None, Kind.PROVINCE, Kind.CITY, Kind.COUNTY, Kind.HOST},
}


def organization_check_parent(kind: str, parent: Organization | None) -> None:
    """ServiceError unless an organisation of `kind` may sit directly under `parent`."""
    allowed = ALLOWED_PARENT_KINDS[kind]
    parent_kind = parent.kind if parent is not None else None
    if parent_kind not in allowed:
        kind_label = Kind(kind).label
        if parent is None:
            raise ServiceError(f"“{kind_label}”必须有上级组织。", field="parent")
        raise ServiceError(
            f"“{kind_label}”不能设在“{Kind(parent.kind).label}”之下。", field="parent"
        )


def _check_placement(actor, parent: Organization | None) -> None:
    """`actor` None is the system (seeding, operator commands); staff place organisations
    only inside their scope, and only the county tier makes a new root."""
    if actor is not None and not permissions.can_place_organization(actor, parent=parent):
        if parent is None:
            raise ServiceError("请选择上级组织。", field="parent")
        raise ServiceError("上级组织不在您的管理范围内。", field="parent")


@transaction.atomic
def organization_create(
    *, actor=None, code: str, name: str, kind: str, parent: Organization | None = None
) -> Organization:
    """A new organisation under `parent`; staff (`actor`) only inside their scope, audited."""
    _check_placement(actor, parent)
    code, name = (code or "").strip(), (name or "").strip()
    if not code:
        raise ServiceError("请填写组织代码。", field="code")
    if not name:
        raise ServiceError("请填写组织名称。", field="name")
    if kind not in Kind.values:
        raise ServiceError("组织类型无效。", field="kind")
    organization_check_parent(kind, parent)
    if Organization.objects.filter(code=code).exists():
        raise ServiceError("组织代码已存在。", field="code")
    org = Organization.objects.create(
        code=code,
        name=name,
        kind=kind,
        parent=parent,
        path="",
        depth=(parent.depth + 1) if parent else 0,
    )
    org.path = f"{parent.path if parent else '/'}{org.pk}/"
    org.save(update_fields=["path"])
    if actor is not None:
        audit_record(
            actor=actor,
            action="organization.create",
            target=org,
            detail={"kind": kind, "parent": parent.pk if parent else None},
        )
    return org


@transaction.atomic
def organization_move(
    *, actor=None, organization: Organization, new_parent: Organization | None
) -> None:
    """Move an organisation with its whole subtree under `new_parent` (one UPDATE); staff
    move only organisations in their scope to a place in their scope, audited."""
    if actor is not None:
        permissions.check_manage_organization_permission(actor, organization)
        _check_placement(actor, new_parent)
    org = Organization.objects.select_for_update().get(pk=organization.pk)
    if new_parent is not None:
        new_parent = Organization.objects.get(pk=new_parent.pk)
        if new_parent.path.startswith(org.path):
            raise ServiceError("不能把组织移到它自己的下级组织之下。", field="parent")
    organization_check_parent(org.kind, new_parent)
    old_prefix = org.path
    new_prefix = f"{new_parent.path if new_parent else '/'}{org.pk}/"
    depth_delta = ((new_parent.depth + 1) if new_parent else 0) - org.depth
    Organization.objects.filter(path__startswith=old_prefix).update(
        path=Concat(Value(new_prefix), Substr("path", len(old_prefix) + 1)),
        depth=F("depth") + depth_delta,
    )
    Organization.objects.filter(pk=org.pk).update(parent=new_parent)
    transaction.on_commit(permissions.grants_changed)  # cached grant lists hold the old paths
    if actor is not None:
        audit_record(
            actor=actor,
            action="organization.move",
            target=org,
            detail={"from": org.parent_id, "to": new_parent.pk if new_parent else None},
        )
    organization.refresh_from_db()


def organization_update(
    *, actor=None, organization: Organization, name: str, parent
) -> Organization:
    """Rename and/or move. Compares with the stored row, since forms edit `organization`
    in memory before calling this."""
    if actor is not None:
        permissions.check_manage_organization_permission(actor, organization)
    name = (name or "").strip()
    if not name:
        raise ServiceError("请填写组织名称。", field="name")
    with transaction.atomic():
        stored = Organization.objects.select_for_update().get(pk=organization.pk)
        if stored.name != name:
            if actor is not None:
                audit_record(actor=actor, action="organization.rename", target=stored, detail={})
            stored.name = name
            stored.save(update_fields=["name"])
        if (parent.pk if parent else None) != stored.parent_id:
            organization_move(actor=actor, organization=stored, new_parent=parent)
    organization.refresh_from_db()
    return organization
