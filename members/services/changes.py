"""Change requests: a member asks, staff in scope approve (applied at once, exactly once,
with history) or reject; the member is told either way."""

from datetime import date

from django.db import IntegrityError, transaction
from django.utils import timezone

from members import permissions
from members.archive_fields import LABELS, REQUESTABLE_FIELDS, clean_archive_values
from members.models import ChangeEvidence, ChangeRequest, Member, Notice, Organization
from members.services.archive import apply_archive_values, save_archive
from members.services.audit import audit_record
from members.services.notices import Audience, notice_publish
from sanyuan.errors import FieldErrors, ServiceError, StateConflict
from sanyuan.uploads import PDF_MISMATCH, clean_document, clean_image, safe_filename

MAX_EVIDENCE = 5
_IMAGE_MAGIC = (b"\xff\xd8\xff", b"\x89PNG\r\n\x1a\n", b"RIFF")


def wire_value(field: str, value):
    """A parsed archive value as JSON (dates ISO, skills by name)."""
    if field == "skills":
        return sorted(skill.name for skill in value)
    if isinstance(value, date):
        return value.isoformat()
    return value


def current_wire_value(member: Member, field: str):
    if field == "skills":
        return sorted(member.skills.values_list("name", flat=True))
    return wire_value(field, getattr(member, field))


def _clean_evidence(files) -> list:
    cleaned = []
    if len(files) > MAX_EVIDENCE:
        raise ServiceError(f"依据文件最多{MAX_EVIDENCE}个。", field="evidence")
    for uploaded in files:
        uploaded.seek(0)
        head = uploaded.read(16)
        uploaded.seek(0)
        name = safe_filename(getattr(uploaded, "name", ""), default="依据")
        if head.startswith(_IMAGE_MAGIC):
            image = clean_image(uploaded, field="evidence")
            cleaned.append((image.content, f"image/{image.format}", name, image.content.size))
        else:
            try:
                document = clean_document(uploaded, allowed=("pdf",), field="evidence")
            except ServiceError as exc:
                # A PDF that is not one, and the virus scanner, say so themselves.
                if exc.message == PDF_MISMATCH or exc.code in ("infected", "scanner_unavailable"):
                    exc.field = "evidence"
                    raise
                raise ServiceError(
                    "依据只能是JPG、PNG、WebP图片或PDF文件。", field="evidence"
                ) from exc
            cleaned.append((document.content, document.content_type, name, document.size))
    return cleaned


def responsible_staff_organization(member: Member) -> Organization | None:
    """The nearest organisation above (or at) the member's home organisation that has staff."""
    return permissions.nearest_staffed_organization(member.organization)


def change_request_submit(
    *, member: Member, changes: dict, reason: str, evidence_files=()
) -> ChangeRequest:
    if not isinstance(changes, dict) or not changes:
        raise ServiceError("请填写要修改的内容。", field="changes")
    reason = (reason or "").strip()
    errors: dict[str, list[str]] = {}
    if len(reason) < 2:
        errors["reason"] = ["请填写申请理由。"]
    elif len(reason) > 500:
        errors["reason"] = ["申请理由不能超过500字。"]
    try:
        values = clean_archive_values(
            changes, allowed=REQUESTABLE_FIELDS, birth_date=member.birth_date, current=member
        )
    except FieldErrors as exc:
        errors.update(exc.errors)
        values = {}
    if errors:
        raise FieldErrors(errors)
    diff = {}
    for field, value in values.items():
        old, new = current_wire_value(member, field), wire_value(field, value)
        if old != new:
            diff[field] = {"old": old, "new": new}
    if not diff:
        raise ServiceError("填写的内容与档案一致，没有需要修改的地方。", field="changes")
    evidence = _clean_evidence(list(evidence_files))
    if "name" in diff and not evidence:
        raise ServiceError("修改姓名需要上传依据（如户口本或身份证照片）。", field="evidence")
    if ChangeRequest.objects.filter(member=member, status=ChangeRequest.Status.PENDING).exists():
        raise StateConflict("您已有一条待审核的修改申请，请等待审核或先撤回。")
    try:
        with transaction.atomic():
            request = ChangeRequest(member=member, reason=reason, fields=",".join(diff))
            request.changes = diff
            request.save()
            for content, content_type, name, size in evidence:
                ChangeEvidence.objects.create(
                    change_request=request,
                    file=content,
                    content_type=content_type,
                    original_name=name,
                    size=size,
                )
            org = responsible_staff_organization(member)
            if org is not None:
                labels = "、".join(LABELS.get(field, field) for field in diff)
                notice_publish(
                    audience=Audience.staff(org),
                    kind=Notice.Kind.CHANGE_REQUEST,
                    title=f"{member.name}申请修改档案：{labels}",
                    link=f"/staff/change-requests/{request.pk}/",
                )
    except IntegrityError as exc:  # a concurrent submit won the one-pending constraint
        raise StateConflict("您已有一条待审核的修改申请，请等待审核或先撤回。") from exc
    return request


def change_request_withdraw(*, member: Member, change_request: ChangeRequest) -> ChangeRequest:
    with transaction.atomic():
        locked = ChangeRequest.objects.select_for_update().get(pk=change_request.pk, member=member)
        if locked.status != ChangeRequest.Status.PENDING:
            raise StateConflict("该申请已审核或已撤回，不能再撤回。")
        locked.status = ChangeRequest.Status.WITHDRAWN
        locked.withdrawn_at = timezone.now()
        locked.save(update_fields=["status", "withdrawn_at"])
    return locked


def _lock_pending_for_review(staff, change_request: ChangeRequest) -> ChangeRequest:
    locked = (
        ChangeRequest.objects.select_for_update(of=("self",))
        .select_related("member__organization", "member__user")
        .get(pk=change_request.pk)
    )
    permissions.check_review_change_request_permission(staff, locked)
    if locked.status != ChangeRequest.Status.PENDING:
        raise StateConflict(f"该申请{locked.get_status_display()}，不能再审核。")
    return locked


def _tell_member(request: ChangeRequest, *, approved: bool, comment: str) -> None:
    user = request.member.user
    if user is None:
        return
    notice_publish(
        audience=Audience.user(user),
        kind=Notice.Kind.REVIEW_OUTCOME,
        title="您的档案修改申请已通过" if approved else "您的档案修改申请未通过",
        body=comment or ("档案已按申请更新。" if approved else ""),
        link=f"/me/archive/changes/{request.pk}/",
    )


def change_request_approve(
    *, staff, change_request: ChangeRequest, comment: str = "", ip=None
) -> ChangeRequest:
    """Apply the change at once, atomically and exactly once: two staff approving together
    cannot apply it twice (row lock, then a state check; the loser gets 409)."""
    comment = (comment or "").strip()[:500]
    with transaction.atomic():
        request = _lock_pending_for_review(staff, change_request)
        member = Member.objects.select_for_update().get(pk=request.member_id)
        raw = {field: change["new"] for field, change in request.changes.items()}
        values = clean_archive_values(
            raw, allowed=REQUESTABLE_FIELDS, birth_date=member.birth_date, current=member
        )
        changed = apply_archive_values(member, values)
        save_archive(member, changed, values, actor=staff)
        request.status = ChangeRequest.Status.APPROVED
        request.reviewed_by = staff
        request.reviewed_at = timezone.now()
        request.review_comment = comment
        request.save(update_fields=["status", "reviewed_by", "reviewed_at", "review_comment"])
        audit_record(
            actor=staff,
            action="change_request.approve",
            target=request,
            ip=ip,
            detail={"fields": request.fields},
        )
        _tell_member(request, approved=True, comment=comment)
    return request


def change_request_reject(
    *, staff, change_request: ChangeRequest, comment: str, ip=None
) -> ChangeRequest:
    comment = (comment or "").strip()
    if len(comment) < 2:
        raise ServiceError("请填写不通过的原因，党员会看到它。", field="comment")
    with transaction.atomic():
        request = _lock_pending_for_review(staff, change_request)
        request.status = ChangeRequest.Status.REJECTED
        request.reviewed_by = staff
        request.reviewed_at = timezone.now()
        request.review_comment = comment[:500]
        request.save(update_fields=["status", "reviewed_by", "reviewed_at", "review_comment"])
        audit_record(
            actor=staff,
            action="change_request.reject",
            target=request,
            ip=ip,
            detail={"fields": request.fields},
        )
        _tell_member(request, approved=False, comment=request.review_comment)
    return request
