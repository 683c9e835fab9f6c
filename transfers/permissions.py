"""Who may see a transfer and who may move it from which state to which.

The states and the steps (models.py has the picture):

| step | kinds | from | to | who |
|---|---|---|---|---|
| request | within | — | requested | the member (own) or home staff of the member |
| approve | within | requested | approved | the sending side's staff |
| accept | within | approved | accepted | the receiving side's staff |
| reject | within, out | requested / approved / prepared | rejected | sending side / receiving side / county tier |
| withdraw | within, out | requested, approved / prepared / letter_issued, expired | withdrawn | the member or sending side / sending side / county tier |
| prepare | out | — | prepared | home staff of the member |
| issue_letter | out | prepared, expired | letter_issued | the county tier (sending side) |
| record_receipt | out | letter_issued, expired | receipt_recorded | the sending side's staff |
| expire | out | letter_issued | expired | the beat task (nobody by hand) |
| register | into | — | registered | staff who may create archives in the receiving branch |
| print_letter | out | letter_issued | — | the sending side's staff (audited: the letter shows the ID number) |
| print_receipt | into | registered | — | the receiving side's staff (audited likewise) |

"Sending side" are staff whose scope covers the transfer's `from_organization`, "receiving
side" staff whose scope covers its `to_organization`; host-organisation staff (流入地) take no
part in transfers (403). `check_step` answers in this order: 404 when the transfer is not
visible to the user, 409 when the step does not fit the state (a step already taken), 403
when the user may see the transfer but not take the step.
"""

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404

from members import permissions as member_permissions
from members.models import Member, Organization
from members.permissions import scope_of
from sanyuan.errors import StateConflict

from .models import Transfer

K = Transfer.Kind
S = Transfer.Status

REQUEST, APPROVE, ACCEPT, REJECT, WITHDRAW = "request", "approve", "accept", "reject", "withdraw"
PREPARE, ISSUE_LETTER, RECORD_RECEIPT, EXPIRE = (
    "prepare",
    "issue_letter",
    "record_receipt",
    "expire",
)
REGISTER, PRINT_LETTER, PRINT_RECEIPT = "register", "print_letter", "print_receipt"

# step -> (kinds, states it may start from, state it leads to (None: the state stays))
STEPS: dict[str, tuple[tuple[str, ...], tuple[str, ...], str | None]] = {
    APPROVE: ((K.WITHIN_COUNTY,), (S.REQUESTED,), S.APPROVED),
    ACCEPT: ((K.WITHIN_COUNTY,), (S.APPROVED,), S.ACCEPTED),
    REJECT: ((K.WITHIN_COUNTY, K.OUTGOING), (S.REQUESTED, S.APPROVED, S.PREPARED), S.REJECTED),
    WITHDRAW: (
        (K.WITHIN_COUNTY, K.OUTGOING),
        (S.REQUESTED, S.APPROVED, S.PREPARED, S.LETTER_ISSUED, S.EXPIRED),
        S.WITHDRAWN,
    ),
    ISSUE_LETTER: ((K.OUTGOING,), (S.PREPARED, S.EXPIRED), S.LETTER_ISSUED),
    RECORD_RECEIPT: ((K.OUTGOING,), (S.LETTER_ISSUED, S.EXPIRED), S.RECEIPT_RECORDED),
    EXPIRE: ((K.OUTGOING,), (S.LETTER_ISSUED,), S.EXPIRED),
    PRINT_LETTER: ((K.OUTGOING,), (S.LETTER_ISSUED,), None),
    PRINT_RECEIPT: ((K.INCOMING,), (S.REGISTERED,), None),
}
STEP_LABELS = {
    APPROVE: "同意转出",
    ACCEPT: "接收",
    REJECT: "退回",
    WITHDRAW: "撤回",
    ISSUE_LETTER: "开具介绍信",
    RECORD_RECEIPT: "登记回执",
    EXPIRE: "标记逾期",
    PRINT_LETTER: "打印介绍信",
    PRINT_RECEIPT: "打印回执",
}

# Members may ask to move to these (a party member's relationship sits in a branch).
DESTINATION_KINDS = (Organization.Kind.BRANCH,)
# Members whose archive can be moved.
MOVABLE_STATUSES = ("away", "returned")


# Tiers ------------------------------------------------------------------------------------


def takes_part(user) -> bool:
    """Staff who handle transfers: home staff of any tier except host-organisation staff."""
    scope = scope_of(user)
    return scope.is_staff and not scope.is_host_staff


def check_transfer_staff(user) -> None:
    if not scope_of(user).is_staff:
        raise PermissionDenied("仅限党组织工作人员使用。")
    if not takes_part(user):
        raise PermissionDenied("流入地党组织不办理组织关系转接，请联系党员的流出地党组织。")


# Visibility -------------------------------------------------------------------------------


def filter_transfers_visible_to(user, qs: QuerySet | None = None) -> QuerySet:
    """Staff: transfers whose sending or receiving organisation lies in their scope (the
    history stays with both sides). A member: their own. Anyone else (host staff
    included): none."""
    qs = Transfer.objects.all() if qs is None else qs
    scope = scope_of(user)
    if scope.is_staff:
        if not takes_part(user):
            return qs.none()
        return qs.filter(scope.q(via="from_organization__") | scope.q(via="to_organization__"))
    if scope.member is not None:
        return qs.filter(member_id=scope.member.pk)
    return qs.none()


def sending_q(user) -> Q:
    """Transfers whose sending organisation lies in the user's scope."""
    if not takes_part(user):
        return Q(pk__in=[])
    return scope_of(user).q(via="from_organization__")


def receiving_q(user) -> Q:
    if not takes_part(user):
        return Q(pk__in=[])
    return scope_of(user).q(via="to_organization__")


def may_issue_letters(user) -> bool:
    return takes_part(user) and scope_of(user).is_county


def sending_side(user, transfer: Transfer) -> bool:
    return takes_part(user) and scope_of(user).covers(transfer.from_organization)


def receiving_side(user, transfer: Transfer) -> bool:
    return takes_part(user) and scope_of(user).covers(transfer.to_organization)


def is_own(user, transfer: Transfer) -> bool:
    member = scope_of(user).member
    return member is not None and member.pk == transfer.member_id


def can_view_transfer(user, transfer: Transfer) -> bool:
    return sending_side(user, transfer) or receiving_side(user, transfer) or is_own(user, transfer)


def check_view_transfer_permission(user, transfer: Transfer) -> None:
    if not can_view_transfer(user, transfer):
        raise Http404


# Steps ------------------------------------------------------------------------------------


def _may(user, transfer: Transfer, step: str) -> bool:
    """Whether the user holds the role for `step` at the transfer's current state."""
    status = transfer.status
    if step == APPROVE:
        return sending_side(user, transfer)
    if step == ACCEPT:
        return receiving_side(user, transfer)
    if step == REJECT:
        if status == S.APPROVED:
            return receiving_side(user, transfer)
        if status == S.PREPARED:
            return scope_of(user).is_county and sending_side(user, transfer)
        return sending_side(user, transfer)
    if step == WITHDRAW:
        if status in (S.LETTER_ISSUED, S.EXPIRED):
            return scope_of(user).is_county and sending_side(user, transfer)
        if status == S.PREPARED:
            return sending_side(user, transfer)
        return sending_side(user, transfer) or is_own(user, transfer)
    if step == ISSUE_LETTER:
        return scope_of(user).is_county and sending_side(user, transfer)
    if step in (RECORD_RECEIPT, PRINT_LETTER):
        return sending_side(user, transfer)
    if step == PRINT_RECEIPT:
        return receiving_side(user, transfer)
    return False  # EXPIRE: the sweep, never a person


def step_fits(transfer: Transfer, step: str) -> bool:
    kinds, starts, _ = STEPS[step]
    return transfer.kind in kinds and transfer.status in starts


def can_take_step(user, transfer: Transfer, step: str) -> bool:
    return step_fits(transfer, step) and _may(user, transfer, step)


def check_step(user, transfer: Transfer, step: str) -> None:
    """404 out of scope, 409 when the step no longer fits, 403 for the wrong role. Services
    call it on the locked row."""
    check_view_transfer_permission(user, transfer)
    if not step_fits(transfer, step):
        raise StateConflict(
            f"该组织关系转接{transfer.get_status_display()}，不能{STEP_LABELS[step]}。",
            code="transfer_state",
        )
    if not _may(user, transfer, step):
        raise PermissionDenied(_denied_message(step, transfer))


def _denied_message(step: str, transfer: Transfer) -> str:
    if step in (ISSUE_LETTER,) or (step in (REJECT, WITHDRAW) and transfer.kind == K.OUTGOING):
        return "介绍信由县级党委组织部开具、作废，请联系县委组织部办理。"
    if step == ACCEPT or (step == REJECT and transfer.status == S.APPROVED):
        return "只有接收方党组织可以办理此步骤。"
    return "只有转出方党组织可以办理此步骤。"


def allowed_steps(user, transfer: Transfer) -> list[str]:
    """The steps this user may take now (pages and the API show them as actions)."""
    return [step for step in STEPS if step != EXPIRE and can_take_step(user, transfer, step)]


# Starting a transfer ----------------------------------------------------------------------


def can_request_transfer(user, member: Member) -> bool:
    """Inside the county: the member for themselves, or the member's home staff."""
    scope = scope_of(user)
    if scope.is_member:
        return scope.member.pk == member.pk
    return takes_part(user) and scope.manages(member)


def check_request_transfer_permission(user, member: Member) -> None:
    if not can_request_transfer(user, member):
        raise Http404


def can_prepare_transfer(user, member: Member) -> bool:
    """Out of the county: the member's home staff prepare, the county tier issues."""
    return takes_part(user) and scope_of(user).manages(member)


def check_prepare_transfer_permission(user, member: Member) -> None:
    if not can_prepare_transfer(user, member):
        raise Http404


def can_register_incoming(user, organization: Organization | None) -> bool:
    """Into the county: staff who may create archives in the receiving organisation."""
    return takes_part(user) and member_permissions.can_create_member_in(user, organization)


def filter_home_members(user, qs: QuerySet | None = None) -> QuerySet:
    """Members whose transfers the user may start or list as candidates: those they keep at
    home (never hosted ones)."""
    if not takes_part(user):
        return Member.objects.none()
    return member_permissions.filter_members_managed_by(user, qs)


def destinations_q(county: Organization) -> Q:
    """Organisations of the county a membership may move to."""
    return Q(path__startswith=county.path, kind__in=DESTINATION_KINDS, dissolved_at__isnull=True)
