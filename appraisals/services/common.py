"""What the appraisal services share: the row lock, notices, audit, input cleaning."""

import re
import unicodedata
from datetime import date

from members.archive_fields import parse_date
from members.models import Notice, Organization
from members.permissions import nearest_staffed_organization
from members.services.audit import audit_record
from members.services.notices import Audience, notice_publish
from sanyuan.errors import ServiceError

from ..models import Appraisal

NOTICE_KIND = Notice.Kind.SYSTEM
# What staff do to a round is audited as `appraisal.<action>` (members/audit_text.py has the
# labels); a ballot is not among them.
AUDIT_ACTIONS = (
    "open",
    "ballot_close",
    "paper_tally",
    "rating_record",
    "rating_approve",
    "rating_reject",
    "finish",
    "export",
)
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u200b-\u200f\u2028-\u202e\ufeff]")


def locked(appraisal: Appraisal) -> Appraisal:
    """The round's row, locked until the caller's transaction ends: ballots and decisions of
    one round run one after the other."""
    return (
        Appraisal.objects.select_for_update(of=("self",))
        .select_related("organization")
        .get(pk=appraisal.pk)
    )


def record(actor, action: str, appraisal: Appraisal, *, ip=None, detail=None) -> None:
    """An audit event `appraisal.<action>` (never for a ballot)."""
    assert action in AUDIT_ACTIONS, action
    audit_record(
        actor=actor,
        action=f"appraisal.{action}",
        target=appraisal,
        ip=ip,
        detail={"year": appraisal.year, **(detail or {})},
    )


def member_link(appraisal: Appraisal) -> str:
    return f"/me/appraisals/{appraisal.pk}/"


def staff_link(appraisal: Appraisal) -> str:
    return f"/staff/appraisals/{appraisal.pk}/"


def notify_users(users, *, appraisal, title, body="", actor=None, dedupe_key=None):
    """One notice to these accounts; returns it (None when nobody or deduplicated)."""
    users = [user for user in users if user is not None and user.is_active]
    if not users:
        return None
    return notice_publish(
        audience=Audience.user_list(users),
        kind=NOTICE_KIND,
        title=title,
        body=body,
        link=member_link(appraisal),
        created_by=actor,
        dedupe_key=dedupe_key,
    )


def notify_staff(
    organization: Organization, *, appraisal, title, body="", actor=None, dedupe_key=None
):
    """The staff of the nearest staffed organisation at or above `organization`; returns
    the notice (None when nobody or deduplicated)."""
    target = nearest_staffed_organization(organization)
    if target is None:
        return None
    return notice_publish(
        audience=Audience.staff(target),
        kind=NOTICE_KIND,
        title=title,
        body=body,
        link=staff_link(appraisal),
        created_by=actor,
        dedupe_key=f"{dedupe_key}:{target.pk}" if dedupe_key else None,
    )


def clean_text(value, *, field: str, label: str, max_length: int, required: bool = True) -> str:
    text = unicodedata.normalize("NFC", value if isinstance(value, str) else "").strip()
    text = text.replace("\r\n", "\n")
    if _CONTROL.search(text):
        raise ServiceError(f"{label}中不能有不可见字符。", field=field)
    if required and not text:
        raise ServiceError(f"请填写{label}。", field=field)
    if len(text) > max_length:
        raise ServiceError(f"{label}不能超过{max_length}个字。", field=field)
    return text


def clean_date(value, *, field: str, label: str) -> date:
    try:
        day = parse_date(value, label)
    except ServiceError as exc:
        raise ServiceError(exc.message, field=field) from exc
    if day is None:
        raise ServiceError(f"请填写{label}。", field=field)
    if not date(2000, 1, 1) <= day <= date(2100, 12, 31):
        raise ServiceError(f"{label}不是有效日期。", field=field)
    return day


def clean_count(value, *, field: str, label: str, maximum: int) -> int:
    if isinstance(value, bool):
        raise ServiceError(f"{label}应为整数。", field=field)
    try:
        number = int(str(value).strip()) if value not in (None, "") else 0
    except (TypeError, ValueError) as exc:
        raise ServiceError(f"{label}应为整数。", field=field) from exc
    if number < 0:
        raise ServiceError(f"{label}不能为负数。", field=field)
    if number > maximum:
        raise ServiceError(f"{label}不能超过{maximum}。", field=field)
    return number
