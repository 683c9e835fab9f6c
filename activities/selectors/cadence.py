"""三会一课 against the usual cadence, per branch (staff).

Branch general meeting (支部党员大会) at least quarterly, branch committee meeting (支委会)
monthly, party group meeting (党小组会) monthly, party lecture (党课) at least quarterly.
Only activities marked held count. A period counts against a branch once it is over; the
current month or quarter is shown but not yet owed.
"""

from dataclasses import dataclass, field
from datetime import date, datetime, time

from django.db.models import Count, F, Q
from django.db.models.functions import ExtractMonth
from django.utils import timezone

from members import permissions as member_permissions
from members.models import Organization

from ..models import Activity, Attendance

K = Activity.Kind
MONTHLY = "monthly"
QUARTERLY = "quarterly"
CADENCE = {
    K.GENERAL_MEETING: QUARTERLY,
    K.COMMITTEE_MEETING: MONTHLY,
    K.GROUP_MEETING: MONTHLY,
    K.PARTY_LECTURE: QUARTERLY,
}
# Temporary branches are left out: they organise study and theme days where members gather,
# but the 三会一课 cadence is the home branch's duty (participation there is credited to it).
BRANCH_KINDS = (Organization.Kind.BRANCH,)


@dataclass
class CadenceCell:
    kind: str
    label: str
    cadence: str
    held: int = 0  # activities held this year
    covered: int = 0  # periods (months or quarters) with at least one, among those owed
    owed: int = 0  # periods that are over
    missing: list[str] = field(default_factory=list)

    @property
    def behind(self) -> bool:
        return bool(self.missing)

    @property
    def missing_text(self) -> str:
        if len(self.missing) <= 4:
            return "、".join(self.missing)
        return (
            "、".join(self.missing[:3])
            + f"等{len(self.missing)}个{'月' if self.cadence == MONTHLY else '季度'}"
        )


@dataclass
class CadenceRow:
    organization: Organization
    cells: list[CadenceCell]
    took_part: int = 0  # participations credited to this branch this year
    took_part_elsewhere: int = 0  # of which at another organisation (host, temporary, online)

    @property
    def behind(self) -> bool:
        return any(cell.behind for cell in self.cells)


@dataclass
class CadenceReport:
    year: int
    rows: list[CadenceRow]
    months_over: int

    @property
    def behind_count(self) -> int:
        return sum(row.behind for row in self.rows)


def _periods(cadence: str, months_over: int) -> list[tuple[str, list[int]]]:
    if cadence == MONTHLY:
        return [(f"{m}月", [m]) for m in range(1, months_over + 1)]
    return [(f"第{q}季度", [3 * q - 2, 3 * q - 1, 3 * q]) for q in range(1, months_over // 3 + 1)]


def _months_over(year: int, today: date) -> int:
    if year < today.year:
        return 12
    if year > today.year:
        return 0
    return today.month - 1


def cadence_report(
    *, user, year: int, organization: int | None = None, today: date | None = None
) -> CadenceReport:
    today = today or timezone.localdate()
    branches = member_permissions.filter_organizations_visible_to(user).filter(
        kind__in=BRANCH_KINDS
    )
    if organization is not None:
        top = member_permissions.filter_organizations_visible_to(user).filter(pk=organization)
        path = top.values_list("path", flat=True).first()
        branches = branches.filter(path__startswith=path) if path else branches.none()
    branches = list(branches.order_by("path"))
    ids = [b.pk for b in branches]
    tz = timezone.get_current_timezone()
    start = datetime.combine(date(year, 1, 1), time.min, tzinfo=tz)
    end = datetime.combine(date(year + 1, 1, 1), time.min, tzinfo=tz)
    held: dict[tuple[int, str], dict[int, int]] = {}
    for row in (
        Activity.objects.filter(
            organization_id__in=ids,
            status=Activity.Status.HELD,
            kind__in=list(CADENCE),
            starts_at__gte=start,
            starts_at__lt=end,
        )
        .annotate(month=ExtractMonth("starts_at"))
        .values("organization_id", "kind", "month")
        .annotate(n=Count("pk"))
    ):
        held.setdefault((row["organization_id"], row["kind"]), {})[row["month"]] = row["n"]
    credited = {
        row["home_organization_id"]: row
        for row in Attendance.objects.filter(
            home_organization_id__in=ids,
            activity__starts_at__gte=start,
            activity__starts_at__lt=end,
        )
        .exclude(participation="")
        .values("home_organization_id")
        .annotate(
            n=Count("pk"),
            elsewhere=Count("pk", filter=~Q(activity__organization_id=F("home_organization_id"))),
        )
    }
    months_over = _months_over(year, today)
    rows = []
    for branch in branches:
        cells = []
        for kind, cadence in CADENCE.items():
            by_month = held.get((branch.pk, kind), {})
            cell = CadenceCell(
                kind=kind, label=K(kind).label, cadence=cadence, held=sum(by_month.values())
            )
            for label, months in _periods(cadence, months_over):
                cell.owed += 1
                if any(by_month.get(m) for m in months):
                    cell.covered += 1
                else:
                    cell.missing.append(label)
            cells.append(cell)
        credit = credited.get(branch.pk, {})
        rows.append(
            CadenceRow(
                organization=branch,
                cells=cells,
                took_part=credit.get("n", 0),
                took_part_elsewhere=credit.get("elsewhere", 0),
            )
        )
    rows.sort(key=lambda r: (not r.behind, r.organization.path))
    return CadenceReport(year=year, rows=rows, months_over=months_over)
