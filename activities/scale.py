"""Province-scale organisational life: 50,000 activities over the branches, with attendance."""

from collections import defaultdict
from datetime import timedelta

from sanyuan.scale import ScaleContext, copy_rows, next_id, reset_sequence

KINDS = [
    ("general_meeting", "支部党员大会"),
    ("committee_meeting", "支委会"),
    ("group_meeting", "党小组会"),
    ("party_lecture", "党课"),
    ("theme_day", "主题党日"),
    ("theme_education", "主题教育"),
]


def seed(ctx: ScaleContext) -> list[str]:
    rng = ctx.rng
    by_branch = defaultdict(list)
    for member_id, org_id in ctx.data["member_org"].items():
        by_branch[org_id].append(member_id)
    branches = [b for b in ctx.data["branch_ids"] if by_branch.get(b)]
    with ctx.timed("activities"):
        pk = next_id("activities_activity")
        activities = []
        for _ in range(ctx.sizes["activities"]):
            kind, label = rng.choice(KINDS)
            start = ctx.now + timedelta(hours=rng.randint(-24 * 365, 24 * 60))
            past = start < ctx.now
            activities.append(
                (
                    pk,
                    kind,
                    f"{label}：学习贯彻党的二十届四中全会精神",
                    "<p>一、集中学习；二、交流发言；三、党员评议。</p>",
                    start,
                    start + timedelta(hours=2),
                    "村委会会议室",
                    "https://meeting.example.cn/room",
                    "organization",
                    "支部书记",
                    "组织委员",
                    "",
                    "held" if past else "published",
                    start - timedelta(days=7),
                    start if past else None,
                    None,
                    "",
                    (start - timedelta(days=1)) if past else None,
                    start - timedelta(days=8),
                    start,
                    None,
                    rng.choice(branches),
                )
            )
            pk += 1
        copy_rows(
            "activities_activity",
            [
                "id",
                "kind",
                "title",
                "agenda",
                "starts_at",
                "ends_at",
                "place",
                "online_url",
                "audience",
                "host_name",
                "recorder_name",
                "lecturer_name",
                "status",
                "published_at",
                "held_at",
                "cancelled_at",
                "cancel_reason",
                "reminded_at",
                "created_at",
                "updated_at",
                "created_by_id",
                "organization_id",
            ],
            activities,
        )
        reset_sequence("activities_activity")
    with ctx.timed("attendance"):

        def attendance():
            row_pk = next_id("activities_attendance")
            for activity in activities:
                members = by_branch[activity[-1]]
                for member_id in rng.sample(members, min(len(members), rng.randint(3, 25))):
                    excused = rng.random() < 0.15
                    took_part = activity[12] == "held" and not excused and rng.random() < 0.8
                    yield (
                        row_pk,
                        "excused" if excused else "attending",
                        "外地务工无法参加" if excused else "",
                        activity[4] - timedelta(days=2),
                        (rng.choice(["in_person", "online"]) if took_part else ""),
                        activity[5] if took_part else None,
                        None,
                        activity[4] - timedelta(days=2),
                        activity[4],
                        activity[0],
                        activity[-1],
                        member_id,
                        None,
                    )
                    row_pk += 1

        count = copy_rows(
            "activities_attendance",
            [
                "id",
                "status",
                "reason",
                "replied_at",
                "participation",
                "participation_recorded_at",
                "studied_at",
                "created_at",
                "updated_at",
                "activity_id",
                "home_organization_id",
                "member_id",
                "participation_recorded_by_id",
            ],
            attendance(),
        )
        reset_sequence("activities_attendance")
    return [f"activities {len(activities):,}, attendance rows {count:,}"]
