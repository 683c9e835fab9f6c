"""The staff dashboard ("四清楚"): figures for the user's scope, from the rollup table for big
subtrees and counted live for small ones."""

import importlib
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime
from urllib.parse import urlencode

from django.apps import apps
from django.db import connection
from django.db.models.functions import TruncQuarter
from django.utils import timezone

from members import archive_fields, choices, permissions
from members.archive_fields import region_names
from members.models import Member, Organization, StatsRollup
from members.stats_dimensions import (
    AGE_BANDS,
    COLUMNS,
    CONTACT_KEYS,
    DIMENSION_TITLES,
    DIMENSIONS,
    MINDSET_KEYS,
    Moments,
    count_rows,
    count_skills,
    key_label,
)

# Dimensions with a natural order are shown in that order, not by size.
ORDINAL = {
    "income": [key for key, *_ in choices.INCOME_BANDS] + ["unknown"],
    "age": [key for key, *_ in AGE_BANDS] + ["unknown"],
    "contact": [key for key, _ in CONTACT_KEYS],
    "mindset": [key for key, _ in MINDSET_KEYS],
}
TOP_N = {"province": 34, "city": 30, "skill": 30}
CHARTS = [
    "status",
    "province",
    "city",
    "occupation",
    "skill",
    "income",
    "age",
    "party_standing",
    "contact",
    "mindset",
]
ENGAGEMENT = [
    "studied_month",
    "attended_quarter",
    "posted_quarter",
    "activated",
    "lost_contact",
    "support_group",
    "vanguard",
    "pacesetter",
    "mindset_stale",
]


@dataclass
class Overview:
    scope: list
    counts: Counter
    fresh_as_of: datetime
    source: str
    extra: list = field(default_factory=list)
    # Dimensions this viewer may not see (a sensitive field for host staff alone).
    hidden: frozenset = frozenset()
    # 思想状况 by quarter (mindset_trend), for viewers who may see the mindset figure.
    mindset_trend: list = field(default_factory=list)

    def shown(self, dimensions) -> list[str]:
        return [dimension for dimension in dimensions if dimension not in self.hidden]

    def total(self) -> int:
        return self.counts[("total", "all")]

    def figure(self, dimension: str) -> list[dict]:
        names = region_names()
        rows = [
            {"key": key, "label": key_label(dimension, key, names), "count": count}
            for (dim, key), count in self.counts.items()
            if dim == dimension and count
        ]
        order = ORDINAL.get(dimension)
        if order:
            rows.sort(
                key=lambda row: order.index(row["key"]) if row["key"] in order else len(order)
            )
        else:
            rows.sort(key=lambda row: (-row["count"], row["key"]))
        limit = TOP_N.get(dimension)
        if limit:
            rows = rows[:limit]
        for row in rows:
            row["members_url"] = "/staff/members/?" + urlencode(
                {"dimension": dimension, "key": row["key"]}
            )
        return rows

    def yes_count(self, dimension: str) -> int:
        return self.counts[(dimension, "yes")]


def _subtree_counts(
    org: Organization, moments: Moments, *, hosted: bool
) -> tuple[Counter, datetime, str]:
    if not hosted:
        rolled = list(
            StatsRollup.objects.filter(organization=org).values_list(
                "dimension", "key", "count", "computed_at"
            )
        )
        if rolled:
            counts = Counter({(dim, key): count for dim, key, count, _ in rolled})
            return counts, rolled[0][3], "rollup"
    lookup = "host_organization__path__startswith" if hosted else "organization__path__startswith"
    members = Member.objects.filter(**{lookup: org.path})
    counts = count_rows(members.values_list(*COLUMNS).iterator(chunk_size=5000), moments)
    counts.update(count_skills(members))
    return counts, moments.now, "live"


def stats_overview(*, user, now=None) -> Overview:
    moments = Moments.at(now)
    grants = permissions.scope_of(user).grants
    viewers = permissions.export_viewers(user)
    counts: Counter = Counter()
    fresh, sources = [], set()
    for org in grants:
        hosted = org.kind == Organization.Kind.HOST
        part, as_of, source = _subtree_counts(org, moments, hosted=hosted)
        if hosted:  # hosted members are counted without what host staff may not read
            part = Counter(
                {
                    (dim, key): count
                    for (dim, key), count in part.items()
                    if archive_fields.dimension_visible(archive_fields.HOST, dim)
                }
            )
        counts.update(part)
        fresh.append(as_of)
        sources.add(source)
    overview = Overview(
        scope=[{"id": org.pk, "name": org.name} for org in grants],
        counts=counts,
        fresh_as_of=min(fresh) if fresh else timezone.now(),
        source="rollup" if "rollup" in sources else "live",
        hidden=frozenset(
            dim
            for dim in DIMENSIONS
            if not any(archive_fields.dimension_visible(viewer, dim) for viewer in viewers)
        ),
    )
    overview.extra = _extra_figures(user)
    if "mindset" not in overview.hidden:
        overview.mindset_trend = mindset_trend(user=user, today=moments.today)
    return overview


TREND_QUARTERS = 8


def _quarter_start(day: date) -> date:
    return date(day.year, (day.month - 1) // 3 * 3 + 1, 1)


def _quarters_before(day: date, n: int) -> date:
    index = day.year * 4 + (day.month - 1) // 3 - n
    return date(index // 4, index % 4 * 3 + 1, 1)


def mindset_trend(*, user, today: date, quarters: int = TREND_QUARTERS) -> list[dict]:
    """思想状况 by quarter, oldest first: per quarter, each member (kept at home in the
    user's scope) counted once by the last assessment recorded that quarter. Host staff and
    members get nothing (the assessment is home staff's, like the mindset note)."""
    from members.models import ContactLog

    managed = permissions.filter_members_managed_by(user)
    first = _quarters_before(_quarter_start(today), quarters - 1)
    logs = (
        ContactLog.objects.filter(member_id__in=managed.values("pk"), contacted_on__gte=first)
        .exclude(mindset="")
        .order_by("member_id", "-contacted_on", "-id")
    )
    counts: Counter = Counter()
    if connection.features.can_distinct_on_fields:
        rows = (
            logs.annotate(quarter=TruncQuarter("contacted_on"))
            .order_by("member_id", "quarter", "-contacted_on", "-id")
            .distinct("member_id", "quarter")
            .values_list("quarter", "mindset")
        )
        counts.update((_quarter_start(day), mindset) for day, mindset in rows.iterator())
    else:  # SQLite (the embedded first look): the same rule in Python
        seen = {}
        for member_id, day, mindset in logs.values_list("member_id", "contacted_on", "mindset"):
            seen.setdefault((member_id, _quarter_start(day)), mindset)
        counts.update((quarter, mindset) for (_member, quarter), mindset in seen.items())
    labels = dict(choices.Mindset.choices)
    trend = []
    for n in range(quarters):
        start = _quarters_before(first, -n)
        items = [
            {"key": key, "label": label, "count": counts[(start, key)]}
            for key, label in labels.items()
        ]
        trend.append(
            {
                "quarter": f"{start.year}-Q{(start.month - 1) // 3 + 1}",
                "label": f"{start.year}年第{(start.month - 1) // 3 + 1}季度",
                "assessed": sum(item["count"] for item in items),
                "items": items,
            }
        )
    return trend


def _extra_figures(user) -> list[dict]:
    figures = [
        {
            "key": "change_requests_open",
            "label": "待审核的档案修改申请",
            "value": permissions.filter_change_requests_visible_to(user)
            .filter(status="pending")
            .count(),
            "url": "/staff/change-requests/",
        }
    ]
    for config in apps.get_app_configs():
        if config.name == "members":
            continue
        try:
            module = importlib.import_module(f"{config.name}.stats")
        except ModuleNotFoundError as exc:
            if exc.name != f"{config.name}.stats":
                raise
            continue
        figures.extend(module.staff_overview(user))
    return figures


def overview_as_json(overview: Overview) -> dict:
    return {
        "scope": overview.scope,
        "source": overview.source,
        "fresh_as_of": overview.fresh_as_of.isoformat(),
        "total": overview.total(),
        "figures": {
            dimension: {"title": DIMENSION_TITLES[dimension], "items": overview.figure(dimension)}
            for dimension in overview.shown([*CHARTS, "sex", "education"])
        },
        "engagement": {
            dimension: {
                "title": DIMENSION_TITLES[dimension],
                "count": overview.yes_count(dimension),
            }
            for dimension in overview.shown(ENGAGEMENT)
        },
        "other": overview.extra,
        **({"mindset_trend": overview.mindset_trend} if "mindset" not in overview.hidden else {}),
    }


__all__ = ["DIMENSIONS", "Overview", "overview_as_json", "stats_overview"]
