"""Dashboard rollups: member counts per organisation subtree, dimension and key.

`stats_rollup_refresh` (Celery beat, every STATS_ROLLUP_SECONDS) reads every archive once,
counts it for its organisation and every ancestor, and keeps the subtrees bigger than
STATS_LIVE_MAX_MEMBERS (smaller ones are counted live, they are cheap). The table is replaced
in one transaction, so readers never see half a refresh.
"""

import time
from collections import Counter, defaultdict

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Count

from members.models import Member, Organization, StatsRollup
from members.stats_dimensions import COLUMNS, Moments, classify


def stats_rollup_refresh(*, now=None) -> dict:
    started = time.perf_counter()
    moments = Moments.at(now)
    paths = dict(Organization.objects.values_list("pk", "path"))
    leaf: dict[int, Counter] = defaultdict(Counter)
    for row in Member.objects.values_list(*COLUMNS).iterator(chunk_size=20000):
        leaf[row[0]].update(classify(row, moments).items())
    through = Member.skills.through
    for org_id, name, n in (
        through.objects.values_list("member__organization_id", "skill__name")
        .annotate(n=Count("pk"))
        .iterator()
    ):
        leaf[org_id][("skill", name)] += n

    subtree: dict[int, Counter] = defaultdict(Counter)
    for org_id, counter in leaf.items():
        for ancestor in (int(part) for part in paths.get(org_id, "").strip("/").split("/") if part):
            subtree[ancestor].update(counter)
    threshold = settings.STATS_LIVE_MAX_MEMBERS
    keep = {
        org_id: counter
        for org_id, counter in subtree.items()
        if counter[("total", "all")] > threshold
    }
    rows = [
        (org_id, dimension, key[:40], count)
        for org_id, counter in keep.items()
        for (dimension, key), count in counter.items()
    ]
    with transaction.atomic():
        StatsRollup.objects.all().delete()
        stamp = moments.now
        if connection.vendor == "postgresql" and rows:
            from sanyuan.scale import copy_rows

            copy_rows(
                "members_statsrollup",
                ["organization_id", "dimension", "key", "count", "computed_at"],
                ((org, dim, key, count, stamp) for org, dim, key, count in rows),
            )
        else:
            StatsRollup.objects.bulk_create(
                [
                    StatsRollup(
                        organization_id=org, dimension=dim, key=key, count=count, computed_at=stamp
                    )
                    for org, dim, key, count in rows
                ],
                batch_size=2000,
            )
    return {
        "organizations": len(keep),
        "rows": len(rows),
        "seconds": round(time.perf_counter() - started, 2),
    }
