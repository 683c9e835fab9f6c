"""困难帮扶: a member's family at home followed from the need to its end."""

from django.db import transaction
from django.http import Http404
from django.utils import timezone

from members.models import Member, Notice
from members.permissions import nearest_staffed_organization
from members.services.audit import audit_record
from members.services.notices import Audience, notice_publish
from sanyuan.errors import FieldErrors, StateConflict

from .. import permissions, selectors
from ..models import SupportCase, SupportCaseStep

K = SupportCase.Kind
S = SupportCase.Status
NEED_MAX = 1000
NOTE_MAX = 1000


def _clean(*, kind: str, need: str, helper: str = "") -> dict:
    errors = {}
    if kind not in K.values:
        errors["kind"] = ["请选择困难类型。"]
    need = (need or "").strip()
    if not need:
        errors["need"] = ["请写明家中的困难和需要的帮助。"]
    elif len(need) > NEED_MAX:
        errors["need"] = [f"困难情况不能超过{NEED_MAX}字。"]
    helper = (helper or "").strip()
    if len(helper) > 100:
        errors["helper"] = ["帮扶责任人不能超过100字。"]
    if errors:
        raise FieldErrors(errors)
    return {"kind": kind, "need": need, "helper": helper}


def _home_staff_told(case: SupportCase, *, title: str, body: str = "") -> None:
    org = nearest_staffed_organization(case.member.organization)
    if org is not None:
        notice_publish(
            audience=Audience.staff(org),
            kind=Notice.Kind.SYSTEM,
            title=title,
            body=body,
            link=f"/staff/family-support/{case.pk}/",
        )


def support_case_open(*, actor, member: Member, kind: str, need: str, helper: str = ""):
    """Home staff open a case for the member's family (立案); it is open at once."""
    permissions.check_hometown_staff(actor)
    if not permissions.can_open_support_case(actor, member):
        raise Http404
    values = _clean(kind=kind, need=need, helper=helper)
    now = timezone.now()
    with transaction.atomic():
        case = SupportCase.objects.create(
            member=member, status=S.OPEN, opened_by=actor, last_step_at=now, **values
        )
        SupportCaseStep.objects.create(case=case, kind=SupportCaseStep.Kind.OPENED, actor=actor)
        audit_record(actor=actor, action="support_case.open", target=member, detail={"kind": kind})
    return case


def support_case_ask(*, actor, member: Member, kind: str, need: str) -> SupportCase:
    """The member asks for help for the family from the phone; home staff are told."""
    if not permissions.can_ask_for_support(actor, member):
        raise Http404
    values = _clean(kind=kind, need=need)
    if SupportCase.objects.filter(member=member, status=S.REQUESTED).count() >= 3:
        raise StateConflict("您已有3件待受理的帮扶申请，请等待党组织联系。")
    now = timezone.now()
    with transaction.atomic():
        case = SupportCase.objects.create(
            member=member, status=S.REQUESTED, asked_by_member=True, last_step_at=now, **values
        )
        SupportCaseStep.objects.create(case=case, kind=SupportCaseStep.Kind.ASKED, actor=actor)
        audit_record(actor=actor, action="support_case.ask", target=member, detail={"kind": kind})
        _home_staff_told(
            case,
            title=f"{member.name}申请困难帮扶：{case.get_kind_display()}",
            body="请尽快联系党员了解情况并受理。",
        )
    return case


def support_case_step_add(
    *, actor, case: SupportCase, note: str = "", close: bool = False, helper: str | None = None
) -> SupportCaseStep:
    """Home staff record what was done. A requested case is taken on (受理) by its first
    step; `close` ends the case with the note as its outcome. A closed case takes no step."""
    permissions.check_handle_support_case_permission(actor, case)
    note = (note or "").strip()
    errors = {}
    if not note:
        errors["note"] = ["请填写办结情况。" if close else "请填写帮扶进展。"]
    elif len(note) > NOTE_MAX:
        errors["note"] = [f"情况记录不能超过{NOTE_MAX}字。"]
    if helper is not None and len(helper.strip()) > 100:
        errors["helper"] = ["帮扶责任人不能超过100字。"]
    if errors:
        raise FieldErrors(errors)
    now = timezone.now()
    with transaction.atomic():
        locked = SupportCase.objects.select_for_update().get(pk=case.pk)
        if locked.status == S.CLOSED:
            raise StateConflict("这件帮扶已经办结。")
        fields = ["last_step_at"]
        if locked.status == S.REQUESTED:
            SupportCaseStep.objects.create(
                case=locked, kind=SupportCaseStep.Kind.ACCEPTED, actor=actor
            )
            locked.status, locked.opened_by = S.OPEN, actor
            fields += ["status", "opened_by"]
        if helper is not None and helper.strip() != locked.helper:
            locked.helper = helper.strip()
            fields.append("helper")
        kind = SupportCaseStep.Kind.CLOSED if close else SupportCaseStep.Kind.PROGRESS
        step = SupportCaseStep.objects.create(case=locked, kind=kind, note=note, actor=actor)
        locked.last_step_at = now
        if close:
            locked.status, locked.closed_at, locked.outcome = S.CLOSED, now, note
            fields += ["status", "closed_at", "outcome"]
        locked.save(update_fields=sorted(set(fields)))
        audit_record(
            actor=actor,
            action="support_case.close" if close else "support_case.step",
            target=locked.member,
            detail={"case": locked.pk},
        )
        if close and locked.member.user_id:
            notice_publish(
                audience=Audience.user(locked.member.user),
                kind=Notice.Kind.SYSTEM,
                title=f"您家的困难帮扶（{locked.get_kind_display()}）已办结",
                link=f"/me/family-support/{locked.pk}/",
            )
    case.refresh_from_db()
    return step


def support_cases_remind_stale(*, now=None) -> int:
    """Beat (daily): each open case without a step for SUPPORT_CASE_STALE_DAYS reminds the
    staff of the member's home organisation (nearest with staff), once per quiet period."""
    now = now or timezone.now()
    reminded = 0
    for case in selectors.stale_support_cases(now=now)[:500]:
        with transaction.atomic():
            days = (now - case.last_step_at).days
            _home_staff_told(
                case,
                title=f"困难帮扶{days}天无进展：{case.member.name}家（{case.get_kind_display()}）",
                body="请联系党员家庭，记录帮扶进展或办结。",
            )
            SupportCase.objects.filter(pk=case.pk).update(reminded_at=now)
            reminded += 1
    return reminded
