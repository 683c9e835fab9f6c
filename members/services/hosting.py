"""Two-way management (流入地/流出地): the home organisation records a departure to a host
organisation, or host staff scan the member's QR card; host staff accept (报到) or decline;
the member's return home closes the hosting."""

from django.conf import settings
from django.db import IntegrityError, transaction
from django.http import Http404
from django.utils import timezone

from members import permissions
from members.models import Hosting, Member, Notice, Organization
from members.services.audit import audit_record
from members.services.notices import Audience, notice_publish
from sanyuan.crypto import fernet
from sanyuan.errors import ServiceError, StateConflict

QR_PURPOSE = b"hosting-qr:"


def hosting_qr_token(*, member: Member) -> str:
    """An opaque token for the member's QR card: encrypted (never the member's id or ID
    number in readable form) and valid for HOSTING_QR_TTL_SECONDS."""
    return fernet().encrypt(QR_PURPOSE + str(member.pk).encode()).decode()


def hosting_qr_member(token: str) -> Member:
    from cryptography.fernet import InvalidToken

    try:
        raw = fernet().decrypt(token.encode(), ttl=settings.HOSTING_QR_TTL_SECONDS)
    except (InvalidToken, ValueError, TypeError) as exc:
        raise ServiceError("二维码已过期或无效，请党员刷新后重新出示。", code="qr_invalid") from exc
    if not raw.startswith(QR_PURPOSE):
        raise ServiceError("二维码无效。", code="qr_invalid")
    member = (
        Member.objects.select_related("organization").filter(pk=int(raw[len(QR_PURPOSE) :])).first()
    )
    if member is None:
        raise ServiceError("二维码无效。", code="qr_invalid")
    return member


def _open(member: Member) -> Hosting | None:
    return Hosting.objects.filter(
        member=member, status__in=[Hosting.Status.PENDING, Hosting.Status.ACCEPTED]
    ).first()


def hosting_request(*, staff, member: Member, host: Organization) -> Hosting:
    """Home staff record a departure to a host organisation: a pending arrival for the host."""
    permissions.check_manage_member_permission(staff, member)
    if host is None or host.kind != Organization.Kind.HOST:
        raise ServiceError("请选择流入地党组织。", field="host_organization")
    try:
        with transaction.atomic():
            if _open(member) is not None:
                raise StateConflict("该党员已有流入地报到记录，请先结束。")
            hosting = Hosting.objects.create(
                member=member, host_organization=host, requested_by=staff
            )
            audit_record(actor=staff, action="hosting.request", target=hosting)
            notice_publish(
                audience=Audience.staff(host),
                kind=Notice.Kind.HOSTING,
                title=f"{member.organization.name}的流动党员{member.name}将到贵组织报到",
                link="/staff/hosting/",
            )
    except IntegrityError as exc:
        raise StateConflict("该党员已有流入地报到记录，请先结束。") from exc
    return hosting


def hosting_arrive_by_qr(*, staff, token: str, host: Organization) -> Hosting:
    """Host staff scanned the member's card in person: the arrival is recorded and accepted."""
    permissions.check_act_for_host_permission(staff, host)
    return hosting_arrive(staff=staff, member=hosting_qr_member(token), host=host)


def hosting_arrive(*, staff, member: Member, host: Organization, via=Hosting.Via.QR) -> Hosting:
    """The member stands before host staff (QR card or 报到码): record and accept the arrival.
    The caller has checked that `staff` act for `host`."""
    with transaction.atomic():
        current = _open(member)
        if current is not None and current.host_organization_id != host.pk:
            raise StateConflict("该党员已在其他流入地党组织报到，请联系其流出地党组织。")
        if current is None:
            current = Hosting.objects.create(
                member=member, host_organization=host, requested_by=staff, via=via
            )
        if current.status == Hosting.Status.PENDING:
            _accept(staff, current)
    return current


def _accept(staff, hosting: Hosting) -> None:
    hosting.status = Hosting.Status.ACCEPTED
    hosting.decided_by = staff
    hosting.decided_at = timezone.now()
    hosting.save(update_fields=["status", "decided_by", "decided_at"])
    _set_host(
        hosting.member_id,
        hosting.host_organization,
        actor=staff,
        reason=f"在{hosting.host_organization.name}报到",
    )
    audit_record(actor=staff, action="hosting.accept", target=hosting)
    member = Member.objects.select_related("user", "organization").get(pk=hosting.member_id)
    if member.user_id:
        notice_publish(
            audience=Audience.user(member.user),
            kind=Notice.Kind.HOSTING,
            title=f"您已在{hosting.host_organization.name}报到",
            body="流入地党组织会与您保持联系；组织关系仍在原党组织。",
        )


def _set_host(member_id: int, host: Organization | None, *, actor, reason: str) -> None:
    """The archive's host organisation, saved like any change of the archive: with a history
    record saying who and why (the history then reads "流入地党组织 （空） → 深圳…")."""
    member = Member.objects.select_for_update().get(pk=member_id)
    if member.host_organization_id == (host.pk if host else None):
        return
    member.host_organization = host
    member._history_user = actor
    member._change_reason = reason
    member.save(update_fields=["host_organization", "updated_at"])


def _lock_for_host(staff, pk) -> Hosting:
    hosting = (
        Hosting.objects.select_for_update()
        .select_related("host_organization", "member")
        .filter(pk=pk)
        .first()
    )
    if hosting is None:
        raise Http404
    permissions.check_act_for_host_permission(staff, hosting.host_organization)
    if hosting.status != Hosting.Status.PENDING:
        raise StateConflict(f"该报到{hosting.get_status_display()}，不能再处理。")
    return hosting


def hosting_accept(*, staff, hosting_id: int) -> Hosting:
    with transaction.atomic():
        hosting = _lock_for_host(staff, hosting_id)
        _accept(staff, hosting)
    return hosting


def hosting_decline(*, staff, hosting_id: int, reason: str) -> Hosting:
    reason = (reason or "").strip()
    if len(reason) < 2:
        raise ServiceError("请填写不接收的原因。", field="reason")
    with transaction.atomic():
        hosting = _lock_for_host(staff, hosting_id)
        hosting.status = Hosting.Status.DECLINED
        hosting.decided_by = staff
        hosting.decided_at = timezone.now()
        hosting.decline_reason = reason[:300]
        hosting.save(update_fields=["status", "decided_by", "decided_at", "decline_reason"])
        audit_record(
            actor=staff,
            action="hosting.decline",
            target=hosting,
            detail={"reason": hosting.decline_reason},
        )
        from members.services.changes import responsible_staff_organization

        home = responsible_staff_organization(hosting.member)
        if home is not None:
            notice_publish(
                audience=Audience.staff(home),
                kind=Notice.Kind.HOSTING,
                title=f"{hosting.host_organization.name}未接收{hosting.member.name}的报到",
                body=hosting.decline_reason,
                link=f"/staff/members/{hosting.member_id}/",
            )
    return hosting


def hosting_close(*, member_id: int, reason: str, actor=None) -> int:
    """End the open hosting of a member (return home, transfer, or either side's decision)."""
    now = timezone.now()
    with transaction.atomic():
        closed = Hosting.objects.filter(
            member_id=member_id, status__in=[Hosting.Status.PENDING, Hosting.Status.ACCEPTED]
        ).update(status=Hosting.Status.CLOSED, closed_at=now, close_reason=reason[:100])
        if closed:
            _set_host(member_id, None, actor=actor, reason=reason[:100])
            if actor is not None:
                audit_record(
                    actor=actor,
                    action="hosting.close",
                    detail={"member": member_id, "reason": reason[:100]},
                )
    return closed


def hosting_pending_for(*, user):
    qs = permissions.filter_hostings_visible_to(user, Hosting.objects.all())
    return qs.select_related("member__organization", "host_organization").order_by(
        "status", "-created_at"
    )
