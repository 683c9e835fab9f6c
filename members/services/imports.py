"""Roster import (花名册导入): Excel or CSV, a dry run with every row's errors in Chinese
(members.services.roster_check), then the valid rows imported in one transaction by a Celery
task. Re-importing the same file changes nothing. The file is kept encrypted until the import
ends, then deleted."""

import base64
import logging
from datetime import timedelta

from django.core.cache import cache
from django.db import transaction
from django.http import Http404
from django.utils import timezone
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from members import permissions
from members.models import Member, RosterImport
from members.services.audit import audit_record
from members.services.history import last_history_id, member_history_add_skills
from members.services.roster_check import CHUNK, MAX_BYTES, Plan, check_roster, parse_roster
from sanyuan.errors import ServiceError, StateConflict
from sanyuan.queue import enqueue_on_commit

logger = logging.getLogger(__name__)

# The workflow ---------------------------------------------------------------------------------


def roster_upload(*, actor, uploaded_file) -> RosterImport:
    """Keep the file (encrypted) and check it in the background: the dry run of a large
    roster takes longer than a web request may (the page shows its progress)."""
    if not permissions.is_staff(actor):
        raise ServiceError("仅限工作人员。")
    size = getattr(uploaded_file, "size", 0) or 0
    if size > MAX_BYTES:
        raise ServiceError(f"文件不能超过{MAX_BYTES // 1024 // 1024}MB。", field="file")
    data = uploaded_file.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        raise ServiceError(f"文件不能超过{MAX_BYTES // 1024 // 1024}MB。", field="file")
    if not data.strip():
        raise ServiceError("文件是空的。", field="file")
    from sanyuan.uploads import safe_filename

    with transaction.atomic():
        roster = RosterImport.objects.create(
            uploaded_by=actor,
            file_name=safe_filename(getattr(uploaded_file, "name", ""), default="花名册"),
            content=base64.b64encode(data).decode(),
            status=RosterImport.Status.CHECKING,
        )
        enqueue_on_commit("members.roster-check", roster.pk)
    return roster


def roster_check_run(*, roster_id: int) -> None:
    """The dry run (a task): every row checked with its Chinese message, nothing written to
    the registry. Idempotent: a roster no longer being checked is left alone."""
    roster = RosterImport.objects.filter(pk=roster_id, status=RosterImport.Status.CHECKING).first()
    if roster is None:
        return
    actor = roster.uploaded_by
    try:
        rows = parse_roster(base64.b64decode(roster.content))
        cache.set(_check_total_key(roster.pk), len(rows), timeout=3600)
        plans, errors = check_roster(actor, rows, progress_key=_check_progress_key(roster.pk))
    except ServiceError as exc:
        RosterImport.objects.filter(pk=roster.pk, status=RosterImport.Status.CHECKING).update(
            status=RosterImport.Status.FAILED,
            failure=exc.message[:300],
            content="",
            finished_at=timezone.now(),
        )
        audit_record(actor=actor, action="roster.check", target=roster, detail={"failed": True})
        return
    RosterImport.objects.filter(pk=roster.pk, status=RosterImport.Status.CHECKING).update(
        status=RosterImport.Status.CHECKED,
        total_rows=len(rows),
        valid_rows=len(plans),
        errors_json=errors,
        created=sum(p.action == "create" for p in plans),
        updated=sum(p.action == "update" for p in plans),
        unchanged=sum(p.action == "unchanged" for p in plans),
    )
    audit_record(
        actor=actor,
        action="roster.check",
        target=roster,
        detail={"rows": len(rows), "errors": len({error["row"] for error in errors})},
    )


def _check_progress_key(roster_id: int) -> str:
    return f"roster-check-progress:{roster_id}"


def _check_total_key(roster_id: int) -> str:
    return f"roster-check-total:{roster_id}"


def roster_list(*, actor):
    return permissions.filter_rosters_visible_to(actor, RosterImport.objects.all()).order_by("-id")


def roster_get(*, actor, pk) -> RosterImport:
    roster = roster_list(actor=actor).filter(pk=pk).first()
    if roster is None:
        raise Http404
    return roster


def roster_confirm(*, actor, roster: RosterImport) -> RosterImport:
    """Import the valid rows and skip the listed ones (a Celery task; the page shows progress)."""

    with transaction.atomic():
        locked = RosterImport.objects.select_for_update().get(pk=roster.pk)
        if locked.status != RosterImport.Status.CHECKED:
            raise StateConflict("该花名册已导入或已放弃。")
        if locked.valid_rows == 0:
            raise ServiceError("没有可以导入的有效行。")
        locked.status = RosterImport.Status.QUEUED
        locked.save(update_fields=["status"])
        enqueue_on_commit("members.roster-import", locked.pk)
    return locked


def roster_discard(*, actor, roster: RosterImport) -> None:
    with transaction.atomic():
        locked = RosterImport.objects.select_for_update().get(pk=roster.pk)
        if locked.status != RosterImport.Status.CHECKED:
            raise StateConflict("该花名册已导入，不能放弃。")
        locked.status = RosterImport.Status.DISCARDED
        locked.content = ""
        locked.save(update_fields=["status", "content"])


def _progress_key(roster_id: int) -> str:
    return f"roster-progress:{roster_id}"


def roster_progress(roster: RosterImport) -> dict:
    if roster.status == RosterImport.Status.CHECKING:
        total = cache.get(_check_total_key(roster.pk)) or 0
        done = cache.get(_check_progress_key(roster.pk)) or 0
        return {
            "done": done,
            "total": total,
            "percent": min(100, round(100 * done / total)) if total else 0,
        }
    done = cache.get(_progress_key(roster.pk)) or 0
    total = max(roster.valid_rows, 1)
    if roster.status == RosterImport.Status.DONE:
        done = roster.valid_rows
    return {
        "done": done,
        "total": roster.valid_rows,
        "percent": min(100, round(100 * done / total)),
    }


def roster_import_run(*, roster_id: int) -> None:
    """The task's body: re-check the file (data may have changed since the dry run) and
    apply every valid row in one transaction. Idempotent: a finished roster is left alone."""
    with transaction.atomic():
        roster = RosterImport.objects.select_for_update().filter(pk=roster_id).first()
        if roster is None or roster.status not in (
            RosterImport.Status.QUEUED,
            RosterImport.Status.IMPORTING,
        ):
            return
        roster.status = RosterImport.Status.IMPORTING
        roster.save(update_fields=["status"])
    actor = roster.uploaded_by
    try:
        rows = parse_roster(base64.b64decode(roster.content))
        plans, errors = check_roster(actor, rows, dry_run=False)
        with transaction.atomic():
            counts = _apply(actor, plans, roster.pk)
            RosterImport.objects.filter(pk=roster.pk).update(
                status=RosterImport.Status.DONE,
                content="",
                valid_rows=len(plans),
                errors_json=errors,
                finished_at=timezone.now(),
                **counts,
            )
            audit_record(actor=actor, action="roster.import", target=roster, detail=counts)
    except Exception as exc:
        logger.exception("roster import %s failed", roster_id)
        RosterImport.objects.filter(pk=roster.pk).update(
            status=RosterImport.Status.FAILED,
            content="",
            failure=str(exc)[:300],
            finished_at=timezone.now(),
        )


def _apply(actor, plans: list[Plan], roster_id: int) -> dict:
    counts = {"created": 0, "updated": 0, "unchanged": 0}
    done = 0
    for start in range(0, len(plans), CHUNK):
        chunk = plans[start : start + CHUNK]
        creates = [p for p in chunk if p.action == "create"]
        updates = [p for p in chunk if p.action == "update"]
        counts["unchanged"] += sum(p.action == "unchanged" for p in chunk)
        if creates:
            members = []
            for plan in creates:
                member = Member(organization=plan.organization, **plan.values)
                member.set_id_number(plan.id_number)
                members.append(member)
            before = last_history_id()
            bulk_create_with_history(
                members,
                Member,
                batch_size=CHUNK,
                default_user=actor,
                default_change_reason="花名册导入",
            )
            created = dict(
                Member.objects.filter(id_number_hash__in=[p.id_hash for p in creates]).values_list(
                    "id_number_hash", "pk"
                )
            )
            Member.skills.through.objects.bulk_create(
                [
                    Member.skills.through(member_id=created[p.id_hash], skill_id=s.pk)
                    for p in creates
                    for s in p.skills
                ],
                ignore_conflicts=True,
            )
            member_history_add_skills(member_ids=created.values(), after=before)
            counts["created"] += len(creates)
        if updates:
            members = {
                m.pk: m for m in Member.objects.filter(pk__in=[p.member_id for p in updates])
            }
            fields = set()
            for plan in updates:
                member = members[plan.member_id]
                for key, value in plan.values.items():
                    setattr(member, key, value)
                    fields.add(key)
                member.organization = plan.organization
                fields.add("organization")
                member.derive_fields()  # bulk_update does not compute phone_hash, income_band
            bulk_update_with_history(
                list(members.values()),
                Member,
                fields=Member.with_derived_fields(sorted(fields)),
                batch_size=CHUNK,
                default_user=actor,
                default_change_reason="花名册导入",
            )
            for plan in updates:
                if plan.skills:
                    members[plan.member_id].skills.set(plan.skills)
            counts["updated"] += len(updates)
        done += len(chunk)
        cache.set(_progress_key(roster_id), done, timeout=3600)
    return counts


def roster_cleanup() -> int:
    """Delete the files of dry runs nobody confirmed within a day."""
    stale = RosterImport.objects.filter(
        status=RosterImport.Status.CHECKED, created_at__lt=timezone.now() - timedelta(days=1)
    )
    return stale.update(status=RosterImport.Status.DISCARDED, content="")
