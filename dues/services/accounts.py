"""The dues category (set by staff) and the yearly income base (declared by the member or
set by staff, reviewed by staff)."""

from datetime import date

from django.db import transaction
from django.utils import timezone

from members.models import Member
from members.services.audit import audit_record
from sanyuan.errors import ServiceError, StateConflict

from .. import months as m
from .. import permissions, rules
from ..models import DuesAccount, DuesBase

B = DuesBase.Status


def _check_year(year) -> int:
    today = timezone.localdate()
    if not isinstance(year, int) or not 2000 <= year <= today.year + 1:
        raise ServiceError("请选择正确的年度。", field="year")
    return year


def _check_base(base_fen) -> int:
    if not isinstance(base_fen, int) or base_fen < 0:
        raise ServiceError("请填写正确的月收入金额（元，最多两位小数）。", field="base")
    return base_fen


def account_set(
    *,
    actor,
    member: Member,
    dues_category: str,
    fixed_fen: int | None = None,
    decision_note: str = "",
    starts_on: date | None = None,
    ip: str | None = None,
) -> DuesAccount:
    """Set a member's dues category (staff in scope). A new account owes from `starts_on`
    (default: this month)."""
    permissions.check_keep_dues_permission(actor, member)
    if dues_category not in DuesAccount.Category.values:
        raise ServiceError("请选择党费类别。", field="dues_category")
    problem = rules.check_fixed_amount(dues_category, fixed_fen)
    if problem:
        raise ServiceError(problem, field="fixed_fen")
    decision_note = (decision_note or "").strip()[:300]
    if dues_category == rules.HARDSHIP and not decision_note:
        raise ServiceError(
            "少交或免交须经支部委员会决定并报上级党委批准，请填写决定情况。",
            field="decision_note",
        )
    with transaction.atomic():
        account = DuesAccount.objects.select_for_update().filter(member_id=member.pk).first()
        created = account is None
        if created:
            account = DuesAccount(member=member, starts_on=m.first(starts_on or m.this_month()))
        elif starts_on is not None and m.first(starts_on) != account.starts_on:
            raise StateConflict("起交月份设定后不能修改；如有差错请更正台账。")
        account.dues_category = dues_category
        account.fixed_fen = fixed_fen
        account.decision_note = decision_note
        account.updated_by = actor
        account.save()
        audit_record(
            actor=actor,
            action="dues.account_set",
            target=member,
            ip=ip,
            detail={"dues_category": dues_category, "created": created},
        )
    return account


def base_declare(*, actor, member: Member, year: int, base_fen: int) -> DuesBase:
    """The member declares the monthly base of a year (once; again only after staff sent
    it back). Staff review it."""
    if permissions.check_member_payer(actor).pk != member.pk:
        raise ServiceError("只能申报本人的交纳基数。")
    _check_year(year)
    _check_base(base_fen)
    with transaction.atomic():
        base = DuesBase.objects.select_for_update().filter(member=member, year=year).first()
        if base is not None and base.status != B.REJECTED:
            raise StateConflict(
                f"{year}年的交纳基数已申报（{base.get_status_display()}），如需修改请联系支部。"
            )
        if base is None:
            base = DuesBase(member=member, year=year)
        base.base_fen = base_fen
        base.status = B.DECLARED
        base.declared_by = actor
        base.reviewed_by = None
        base.reviewed_at = None
        base.review_note = ""
        base.save()
        audit_record(actor=actor, action="dues.base_declare", target=member, detail={"year": year})
    return base


def base_set(*, actor, member: Member, year: int, base_fen: int, ip=None) -> DuesBase:
    """Staff set (and so review) the base of a year; it applies to months not yet assessed."""
    permissions.check_keep_dues_permission(actor, member)
    _check_year(year)
    _check_base(base_fen)
    now = timezone.now()
    with transaction.atomic():
        base = DuesBase.objects.select_for_update().filter(member=member, year=year).first()
        base = base or DuesBase(member=member, year=year, declared_by=actor)
        base.base_fen = base_fen
        base.status = B.REVIEWED
        base.reviewed_by = actor
        base.reviewed_at = now
        base.save()
        audit_record(
            actor=actor, action="dues.base_set", target=member, ip=ip, detail={"year": year}
        )
    return base


def base_review(*, actor, base: DuesBase, approve: bool, note: str = "", ip=None) -> DuesBase:
    permissions.check_keep_dues_permission(actor, base.member)
    note = (note or "").strip()[:300]
    if not approve and not note:
        raise ServiceError("退回时请写明原因。", field="note")
    with transaction.atomic():
        base = DuesBase.objects.select_for_update().select_related("member").get(pk=base.pk)
        if base.status != B.DECLARED:
            raise StateConflict("该交纳基数已审核。")
        base.status = B.REVIEWED if approve else B.REJECTED
        base.reviewed_by = actor
        base.reviewed_at = timezone.now()
        base.review_note = note
        base.save()
        audit_record(
            actor=actor,
            action="dues.base_approve" if approve else "dues.base_reject",
            target=base.member,
            ip=ip,
            detail={"year": base.year},
        )
    return base
