"""Inside the county: requested → approved (sending side) → accepted (receiving side; the
archive moves); rejected or withdrawn on the way. The same `transfer_reject` and
`transfer_withdraw` serve transfers out of the county."""

from django.db import IntegrityError, transaction

from members.models import Member, Organization
from members.services.archive import member_transfer_apply
from sanyuan.errors import ServiceError, StateConflict

from .. import permissions, selectors
from ..models import Transfer
from .common import (
    check_movable,
    clean_text,
    locked,
    locked_member,
    move,
    notify_member,
    notify_staff,
    record_step,
    void_letters,
)

S = Transfer.Status


def _check_destination(member: Member, organization) -> Organization:
    """400 unless a branch of the member's own county other than their current one."""
    if not isinstance(organization, Organization):
        raise ServiceError("请选择接收的党支部。", field="to_organization")
    if organization.pk == member.organization_id:
        raise ServiceError("接收党支部与现在所在的党组织相同，无需转接。", field="to_organization")
    county = selectors.county_of(member.organization)
    if not organization.path.startswith(county.path):
        raise ServiceError(
            "所选党组织不在本县；转出县外请联系党组织开具组织关系介绍信。",
            field="to_organization",
        )
    if organization.kind not in permissions.DESTINATION_KINDS or organization.dissolved_at:
        raise ServiceError(
            "请选择党支部（党委、临时党支部和流入地党组织不接收组织关系）。",
            field="to_organization",
        )
    return organization


def transfer_request(*, actor, member: Member, to_organization, reason: str) -> Transfer:
    """The member (for themselves) or their home staff ask to move the membership to another
    branch of the county. 404 outside the actor's scope; 400 for a bad destination or
    reason; 409 when the member is already transferring."""
    permissions.check_request_transfer_permission(actor, member)
    reason = clean_text(reason, field="reason", label="转接原因", max_length=500)
    destination = _check_destination(member, to_organization)
    try:
        with transaction.atomic():
            row = locked_member(member)
            check_movable(row)
            transfer = Transfer.objects.create(
                kind=Transfer.Kind.WITHIN_COUNTY,
                status=S.REQUESTED,
                member=row,
                from_organization=row.organization,
                to_organization=destination,
                from_name=selectors.full_name(row.organization),
                to_name=selectors.full_name(destination),
                reason=reason,
                requested_by=actor,
            )
            record_step(transfer, action="request", actor=actor, note=reason)
            notify_staff(
                transfer,
                transfer.from_organization,
                title=f"组织关系转接待审批：{row.name}",
                body=f"{row.name}申请将组织关系由{transfer.from_name}转到{transfer.to_name}。\n原因：{reason}",
                actor=actor,
            )
            if not permissions.is_own(actor, transfer):
                notify_member(
                    transfer,
                    title="党组织已为您提出组织关系转接申请",
                    body=f"拟由{transfer.from_name}转到{transfer.to_name}。",
                    actor=actor,
                )
    except IntegrityError as exc:  # a concurrent request for the same member won
        raise StateConflict(
            "该党员已有正在办理的组织关系转接，请先办结或撤回。", code="transfer_open"
        ) from exc
    return transfer


@transaction.atomic
def transfer_approve(*, actor, transfer: Transfer, comment: str = "") -> Transfer:
    """The sending side agrees; the receiving side is asked to accept."""
    row = locked(transfer)
    permissions.check_step(actor, row, permissions.APPROVE)
    comment = clean_text(comment, field="comment", label="意见", max_length=300, required=False)
    before = move(row, to=S.APPROVED)
    record_step(row, action="approve", actor=actor, from_status=before, note=comment)
    notify_staff(
        row,
        row.to_organization,
        title=f"组织关系转入待接收：{row.member.name}",
        body=f"{row.from_name}已同意{row.member.name}的组织关系转到{row.to_name}，请办理接收。",
        actor=actor,
    )
    notify_member(
        row,
        title="转出党组织已同意您的组织关系转接",
        body=f"等待{row.to_name}接收。",
        actor=actor,
    )
    return row


@transaction.atomic
def transfer_accept(*, actor, transfer: Transfer) -> Transfer:
    """The receiving side accepts: the archive moves to the receiving branch (history and
    audit through members.services.archive.member_transfer_apply)."""
    row = locked(transfer)
    permissions.check_step(actor, row, permissions.ACCEPT)
    member = locked_member(row.member)
    if member.organization_id != row.from_organization_id:
        raise StateConflict(
            "该党员的所在党组织已变更，请退回此申请后重新提出。", code="member_moved"
        )
    member_transfer_apply(
        actor=actor,
        member=member,
        organization=row.to_organization,
        reason=f"县内组织关系转接：{row.from_name} → {row.to_name}",
    )
    before = move(row, to=S.ACCEPTED)
    record_step(row, action="accept", actor=actor, from_status=before)
    body = f"组织关系已由{row.from_name}转到{row.to_name}。"
    notify_member(row, title="您的组织关系已转接", body=body, actor=actor)
    notify_staff(
        row,
        row.from_organization,
        row.to_organization,
        title=f"组织关系转接已完成：{member.name}",
        body=body,
    )
    return row


@transaction.atomic
def transfer_reject(*, actor, transfer: Transfer, reason: str) -> Transfer:
    """Not agreed: by the sending side (requested), the receiving side (approved) or the
    county tier (a transfer out of the county that was prepared)."""
    row = locked(transfer)
    permissions.check_step(actor, row, permissions.REJECT)
    reason = clean_text(reason, field="reason", label="退回原因", max_length=300)
    row.reject_reason = reason
    before = move(row, to=S.REJECTED, fields=("reject_reason",))
    record_step(row, action="reject", actor=actor, from_status=before, note=reason)
    notify_member(row, title="组织关系转接未通过", body=f"原因：{reason}", actor=actor)
    other = row.from_organization if before != S.REQUESTED else None
    notify_staff(row, other, title=f"组织关系转接未通过：{row.member.name}", body=f"原因：{reason}")
    return row


@transaction.atomic
def transfer_withdraw(*, actor, transfer: Transfer, reason: str = "") -> Transfer:
    """Called off. Once a letter is out (转出中), only the county tier withdraws: the letter
    is void and the member's status returns to what it was."""
    row = locked(transfer)
    permissions.check_step(actor, row, permissions.WITHDRAW)
    reason = clean_text(reason, field="reason", label="撤回原因", max_length=300, required=False)
    if row.status in (S.LETTER_ISSUED, S.EXPIRED):
        void_letters(row, reason="转接已撤回")
        member_transfer_apply(
            actor=actor,
            member=row.member,
            status=row.member_status_before or "away",
            reason="组织关系转接已撤回，介绍信作废",
        )
    before = move(row, to=S.WITHDRAWN)
    record_step(row, action="withdraw", actor=actor, from_status=before, note=reason)
    if not permissions.is_own(actor, row):
        notify_member(row, title="您的组织关系转接已撤回", body=reason, actor=actor)
    notify_staff(
        row,
        row.from_organization,
        row.to_organization if before == S.APPROVED else None,
        title=f"组织关系转接已撤回：{row.member.name}",
        body=reason,
        actor=actor,
    )
    return row
