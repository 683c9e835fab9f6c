"""The staff dashboard ("四清楚"): figures for the user's scope, from the rollup table for big
subtrees and counted live for small ones."""

import importlib
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from urllib.parse import urlencode

from django.apps import apps
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
    return overview


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
            for dimension in ENGAGEMENT
        },
        "other": overview.extra,
    }


__all__ = ["DIMENSIONS", "Overview", "overview_as_json", "stats_overview"]
