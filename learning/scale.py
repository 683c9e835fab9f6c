"""Province-scale learning data: 20,000 articles and 5,000,000 study records (COPY)."""

from datetime import timedelta

from sanyuan.scale import ScaleContext, copy_rows, next_id, reset_sequence
from sanyuan.search import segment

from .demo_content import ARTICLES

CATEGORIES = [
    "news",
    "announcement",
    "highlight",
    "current_affairs",
    "theory",
    "hometown",
    "regulation",
    "exemplar",
    "training",
]


def seed(ctx: ScaleContext) -> list[str]:
    rng = ctx.rng
    with ctx.timed("articles"):
        bodies = _bodies()
        county_ids = ctx.data["county_ids"]
        committees = [row[0] for row in ctx.data["committee_rows"]]
        pk = next_id("learning_article")
        first = pk
        rows = []
        for n in range(ctx.sizes["articles"]):
            title, body, search = rng.choice(bodies)
            audience = rng.choices(["public", "county", "subtree"], weights=[3, 4, 3])[0]
            org = rng.choice(committees) if audience == "subtree" else rng.choice(county_ids)
            published = ctx.now - timedelta(minutes=rng.randint(1, 60 * 24 * 1000))
            rows.append(
                (
                    pk,
                    rng.choice(CATEGORIES),
                    f"{title}（{n}）",
                    title,
                    body,
                    "",
                    "",
                    audience,
                    "published",
                    published,
                    None,
                    rng.random() < 0.002,
                    False,
                    "",
                    "",
                    "",
                    "",
                    0,
                    0,
                    "",
                    "",
                    "",
                    None,
                    "",
                    "",
                    f"{search} {n}",
                    published,
                    published,
                    None,
                    org,
                    None,
                    "",
                )
            )
            pk += 1
        copy_rows(
            "learning_article",
            [
                "id",
                "category",
                "title",
                "summary",
                "body",
                "video_url",
                "source_url",
                "audience",
                "status",
                "published_at",
                "scheduled_at",
                "pinned",
                "required",
                "cover",
                "cover_320",
                "cover_640",
                "cover_960",
                "cover_width",
                "cover_height",
                "cover_content_type",
                "issuing_body",
                "document_number",
                "effective_on",
                "target_provinces",
                "feed_entry_id",
                "search_text",
                "created_at",
                "updated_at",
                "created_by_id",
                "organization_id",
                "feed_source_id",
                "short_names",
            ],
            rows,
        )
        reset_sequence("learning_article")
    with ctx.timed("study records"):
        members = ctx.data["member_ids_with_users"]
        articles = list(range(first, pk))
        total = ctx.sizes["study_records"]
        per_member = max(1, total // max(1, len(members)))

        def records():
            record_pk = next_id("learning_studyrecord")
            made = 0
            for member_id in members:
                # Uniform around the mean, so the total lands near the target in one pass
                # (a member never opens the same article twice: one record per pair).
                count = min(len(articles), rng.randint(1, 2 * per_member))
                for article_id in rng.sample(articles, count):
                    opened = ctx.now - timedelta(minutes=rng.randint(1, 60 * 24 * 400))
                    finished = opened + timedelta(minutes=5) if rng.random() < 0.6 else None
                    yield (
                        record_pk,
                        opened,
                        rng.randint(20, 900),
                        finished,
                        opened,
                        article_id,
                        member_id,
                    )
                    record_pk += 1
                    made += 1
                    if made >= total:
                        return

        count = copy_rows(
            "learning_studyrecord",
            [
                "id",
                "opened_at",
                "seconds",
                "finished_at",
                "last_reported_at",
                "article_id",
                "member_id",
            ],
            records(),
        )
        reset_sequence("learning_studyrecord")
    return [f"articles {len(rows):,}, study records {count:,}"]


def _bodies() -> list[tuple[str, str, str]]:
    """A pool of realistic bodies, segmented once (pre-segmented search text)."""
    from sanyuan.sanitize import html_to_text

    from .demo_content import paragraphs

    pool = []
    for _category, title, _summary, texts, _options in ARTICLES:
        body = paragraphs(*texts)
        pool.append((title[:60], body, segment(f"{title} {html_to_text(body)}")))
    return pool or [("学习资料", "<p>学习内容</p>", segment("学习资料 学习内容"))]
