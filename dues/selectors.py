"""Reads of the dues app, scoped through dues.permissions.

The ledger of one member is summed in Python (its amounts are encrypted and a member has a
few dozen lines a year); lists of members read `DuesAccount.paid_through` and figures read
`DuesTotal`, so neither decrypts anything.
"""

from dataclasses import dataclass, field
from datetime import date

from django.db.models import Count, Q, Sum
from django.http import Http404

from members.models import Member, Organization

from . import months as m
from . import permissions, rules
from .models import DuesAccount, DuesBase, DuesEntry, DuesOrder, DuesReceipt, DuesTotal

E = DuesEntry.Kind


@dataclass
class MonthLine:
    month: date
    due_fen: int | None  # None: not assessed yet and not computable
    paid_fen: int = 0
    assessed: bool = False
    entries: list = field(default_factory=list)

    @property
    def owed_fen(self) -> int:
        return max((self.due_fen or 0) - self.paid_fen, 0)

    @property
    def settled(self) -> bool:
        return self.due_fen is not None and self.paid_fen >= self.due_fen

    @property
    def label(self) -> str:
        return m.label(self.month)


def base_in_force(member: Member, year: int, bases=None) -> DuesBase | None:
    """The reviewed base of `year`, else the latest reviewed base of an earlier year."""
    bases = list(member.dues_bases.all()) if bases is None else bases
    reviewed = [b for b in bases if b.status == DuesBase.Status.REVIEWED and b.year <= year]
    return max(reviewed, key=lambda b: b.year, default=None)


def amount_for(account: DuesAccount, month: date, bases) -> int | None:
    """What a month would be assessed at now (category, fixed amount, base in force)."""
    base = base_in_force(account.member, month.year, bases)
    return rules.monthly_amount(
        account.dues_category,
        base_fen=base.base_fen if base else None,
        fixed_fen=account.fixed_fen,
    )


def month_lines(entries) -> dict[date, MonthLine]:
    """Due and paid per month from ledger lines (corrections in their target's column)."""
    by_pk = {entry.pk: entry for entry in entries}
    lines: dict[date, MonthLine] = {}
    for entry in entries:
        line = lines.setdefault(entry.month, MonthLine(month=entry.month, due_fen=None))
        line.entries.append(entry)
        kind = entry.kind
        if kind == E.CORRECTION:
            target = by_pk.get(entry.corrects_id)
            kind = target.kind if target is not None else E.DUE
            amount = entry.amount_fen if kind != E.REFUND else -entry.amount_fen
        else:
            amount = entry.amount_fen
        if kind == E.DUE:
            line.due_fen = (line.due_fen or 0) + amount
            line.assessed = True
        elif kind == E.PAYMENT:
            line.paid_fen += amount
        elif kind == E.REFUND:
            line.paid_fen -= amount
    return lines


def member_entries(member: Member) -> list[DuesEntry]:
    return list(
        DuesEntry.objects.filter(member_id=member.pk)
        .select_related("receipt", "recorded_by")
        .order_by("month", "id")
    )


@dataclass
class Statement:
    """What a member owes (我的党费): the months from the first owed to this month, and
    any paid ahead, with the total owed and the amount of the next months to pay ahead."""

    account: DuesAccount | None
    base: DuesBase | None
    latest_base: DuesBase | None
    lines: list[MonthLine]
    owed_fen: int
    unknown_months: int
    paid_through: date | None
    next_amount_fen: int | None
    receipts: list

    @property
    def months_owed(self) -> int:
        return sum(1 for line in self.lines if not line.settled and line.due_fen)


def statement(member: Member, *, today: date | None = None) -> Statement:
    account = DuesAccount.objects.filter(member_id=member.pk).select_related("member").first()
    bases = list(DuesBase.objects.filter(member_id=member.pk))
    receipts = list(
        DuesReceipt.objects.filter(member_id=member.pk).order_by("-paid_at", "-id")[:24]
    )
    current = m.this_month(today)
    latest = max(bases, key=lambda b: b.year, default=None)
    if account is None:
        return Statement(None, None, latest, [], 0, 0, None, None, receipts)
    account.member = member
    by_month = month_lines(member_entries(member))
    last = max([current, *by_month], default=current)
    lines = []
    for month in m.between(account.starts_on, last):
        line = by_month.get(month) or MonthLine(month=month, due_fen=None)
        if not line.assessed:
            line.due_fen = amount_for(account, month, bases) if month <= current else None
            if month > current and not line.paid_fen:
                continue
        lines.append(line)
    owed = sum(line.owed_fen for line in lines if line.month <= current)
    unknown = sum(1 for line in lines if line.due_fen is None and line.month <= current)
    return Statement(
        account=account,
        base=base_in_force(member, current.year, bases),
        latest_base=latest,
        lines=lines,
        owed_fen=owed,
        unknown_months=unknown,
        paid_through=account.paid_through,
        next_amount_fen=amount_for(account, m.add(current, 1), bases),
        receipts=receipts,
    )


def months_to_pay(member: Member, count: int, *, today: date | None = None):
    """The first `count` months not yet settled (owed ones first, then ahead), with the
    amount each still needs: [(month, fen)]. Raises ValueError with a Chinese message."""
    st = statement(member, today=today)
    if st.account is None:
        raise ValueError("党组织尚未为您设置党费类别，请联系支部。")
    current = m.this_month(today)
    result, month = [], st.account.starts_on
    lines = {line.month: line for line in st.lines}
    bases = list(DuesBase.objects.filter(member_id=member.pk))
    while len(result) < count:
        line = lines.get(month)
        if line is None:
            due = amount_for(st.account, month, bases)
            line = MonthLine(month=month, due_fen=due)
        if line.due_fen is None:
            raise ValueError("交纳基数尚未核定，暂时无法计算党费，请先申报或联系支部。")
        if not line.settled and line.owed_fen > 0:
            result.append((month, line.owed_fen))
        month = m.add(month, 1)
        if m.count_between(current, month) > 24:
            break
    return result


def receipt_get(*, user, pk) -> DuesReceipt:
    receipt = (
        permissions.filter_receipts_visible_to(user)
        .select_related("member", "organization", "recorded_by", "order", "refund_of")
        .filter(pk=pk)
        .first()
    )
    if receipt is None:
        raise Http404
    return receipt


def order_get(*, member: Member, out_trade_no: str) -> DuesOrder:
    order = DuesOrder.objects.filter(member_id=member.pk, out_trade_no=out_trade_no).first()
    if order is None:
        raise Http404
    return order


def dues_member_get(*, user, pk) -> Member:
    member = (
        permissions.filter_dues_members_visible_to(user)
        .select_related("organization")
        .filter(pk=pk)
        .first()
    )
    if member is None:
        raise Http404
    return member


# Staff lists: read paid_through and the totals, never an encrypted column -----------------


def standing_list(*, user, organization: Organization | None = None, behind_months: int = 0):
    """Members in scope with their dues account (those without one too: 未设置), ordered by
    organisation and name; `behind_months` keeps members at least that many months behind."""
    qs = permissions.filter_dues_members_visible_to(user).exclude(status="transferred_out")
    if organization is not None:
        qs = qs.filter(organization__path__startswith=organization.path)
    qs = qs.select_related("organization", "dues_account").defer(*Member.ENCRYPTED_FIELDS)
    if behind_months:
        cutoff = m.add(m.this_month(), -behind_months)
        # months_behind >= N: the last paid month is at least N months before this one
        qs = qs.filter(
            Q(dues_account__paid_through__lte=cutoff)
            | Q(
                dues_account__paid_through__isnull=True,
                dues_account__starts_on__lte=m.add(cutoff, 1),
            )
        )
    return qs.order_by("organization__path", "name", "pk")


def months_behind(account: DuesAccount | None, today: date | None = None) -> int | None:
    """Whole months owed up to the current one (None without an account)."""
    if account is None:
        return None
    current = m.this_month(today)
    last_paid = account.paid_through or m.add(account.starts_on, -1)
    return max(m.count_between(last_paid, current), 0)


def behind_count(*, user, months: int) -> int:
    return standing_list(user=user, behind_months=months).count()


def totals(*, user, parent: Organization | None, start: date, end: date):
    """Due and paid per organisation directly below `parent` (or the user's grants), over
    their whole subtrees, for months start..end: [(organization, due_fen, paid_fen)]."""
    visible = permissions.filter_organizations_for_totals(user)
    if parent is None:
        orgs = [org for org in visible.filter(pk__in=[g.pk for g in _grants(user)])]
    else:
        orgs = list(visible.filter(parent=parent).order_by("path"))
    rows = []
    for org in orgs:
        sums = DuesTotal.objects.filter(
            organization__path__startswith=org.path, month__gte=start, month__lte=end
        ).aggregate(due=Sum("due_fen"), paid=Sum("paid_fen"))
        rows.append((org, sums["due"] or 0, sums["paid"] or 0))
    return rows


def _grants(user):
    from members.permissions import scope_of

    return [g for g in scope_of(user).grants if g.kind != Organization.Kind.HOST]


def branch_ledger(*, user, organization: Organization, month: date):
    """One branch's month (党费台账): per member in the subtree, due and paid that month.
    Decrypts that month's lines of those members only."""
    members = list(standing_list(user=user, organization=organization))
    entries = DuesEntry.objects.filter(member__in=members, month=month).order_by("id")
    by_member: dict[int, list] = {}
    for entry in entries:
        by_member.setdefault(entry.member_id, []).append(entry)
    rows = []
    for member in members:
        line = month_lines(by_member.get(member.pk, [])).get(month)
        rows.append((member, line))
    return rows


def year_summary(*, user, organization: Organization, year: int):
    """Per member of the subtree: due and paid per month of `year` and the year's sums."""
    members = list(standing_list(user=user, organization=organization))
    entries = DuesEntry.objects.filter(member__in=members, month__year=year).order_by("id")
    by_member: dict[int, list] = {}
    for entry in entries:
        by_member.setdefault(entry.member_id, []).append(entry)
    return [(member, month_lines(by_member.get(member.pk, []))) for member in members]


def pending_bases(*, user):
    """Declared bases waiting for review in scope."""
    return (
        DuesBase.objects.filter(status=DuesBase.Status.DECLARED)
        .filter(permissions.members_q(user, via="member__"))
        .select_related("member", "member__organization")
        .order_by("declared_at")
    )


def figures(*, user) -> dict:
    from django.conf import settings

    if not permissions.handles_dues(user):
        return {"behind": 0, "bases": 0}
    return {
        "behind": behind_count(user=user, months=settings.DUES_BEHIND_MONTHS),
        "bases": pending_bases(user=user).aggregate(n=Count("pk"))["n"],
    }
