"""A new archive whose ID number already has one elsewhere. Staff who do not keep that archive
learn only that it exists and whom to ask, never where or a masked copy of the number (that
would make archive creation and the roster dry run an oracle across scopes); each such refusal
is audited (`member.duplicate_refused`, the existing archive as its target, so the county sees
where it lives) and counted: after DUPLICATE_REFUSALS_PER_DAY refusals in a day an account's
archive creations and roster checks answer 429 until the day has passed."""

from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from members import permissions
from members.models import AuditEvent, Member
from members.services.audit import audit_record
from sanyuan.errors import RateLimited

OUT_OF_SCOPE = "该身份证号码已有档案，请联系县委组织部。"
TOO_MANY = "今天被拒绝的重复身份证号码过多，请明天再试，或联系县委组织部。"
ACTION = "member.duplicate_refused"


def in_scope_message(member: Member) -> str:
    """For staff who keep the existing archive (the county keeps every one): where it is."""
    return f"该身份证号码已有档案（{member.organization.name}），请勿重复建档。"


def duplicate_refusals_today(actor) -> int:
    since = timezone.now() - timedelta(days=1)
    return AuditEvent.objects.filter(actor=actor, action=ACTION, created_at__gte=since).count()


def duplicate_allowance(actor) -> int:
    """How many more refusals the account may meet today; RateLimited when none is left."""
    left = settings.DUPLICATE_REFUSALS_PER_DAY - duplicate_refusals_today(actor)
    if left <= 0:
        raise RateLimited(TOO_MANY, retry_after=24 * 60 * 60)
    return left


def duplicate_message(*, actor, member: Member, source: str, ip: str | None = None) -> str:
    """The message for a new archive whose ID number `member` already holds; an out-of-scope
    refusal is audited (and so counted)."""
    if permissions.can_manage_member(actor, member):
        return in_scope_message(member)
    audit_record(
        actor=actor,
        action=ACTION,
        target=member,
        ip=ip,
        detail={"source": source, "id_number": member.id_number_masked},
    )
    return OUT_OF_SCOPE
