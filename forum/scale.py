"""Province-scale forum: 200,000 threads and 2,000,000 posts, some threads with 1,000+ replies."""

from datetime import timedelta

from sanyuan.scale import ScaleContext, copy_rows, next_id, reset_sequence
from sanyuan.search import segment

TEXTS = [
    "社保关系转移到务工地需要哪些材料？县里能不能出一个办事指南。",
    "建议在深圳建立流动党员临时党支部，方便大家过组织生活。",
    "孩子在老家上学，今年秋季学期的营养餐补助怎么申请？",
    "感谢党组织的关心，春节返乡参加了主题党日，收获很大。",
    "学习了党的二十届四中全会精神，结合工作谈几点体会。",
    "希望多推送一些电焊、电工方面的技能培训信息。",
]


def seed(ctx: ScaleContext) -> list[str]:
    rng = ctx.rng
    segmented = [(text, segment(text)) for text in TEXTS]
    members = ctx.data["member_ids_with_users"]
    users = ctx.data["member_user"]
    orgs = ctx.data["member_org"]
    n_threads = ctx.sizes["threads"]
    n_posts = ctx.sizes["posts"]
    big = max(1, n_threads // 2000)  # threads with 1,000+ replies
    replies_left = n_posts - n_threads - big * 1000
    with ctx.timed("forum threads and posts"):
        thread_pk = next_id("forum_thread")
        post_pk = next_id("forum_post")
        first_post = post_pk
        threads, posts = [], []
        for index in range(n_threads):
            author = rng.choice(members)
            created = ctx.now - timedelta(minutes=rng.randint(60, 60 * 24 * 700))
            if index < big:
                replies = rng.randint(1000, 1500)
            else:
                replies = min(
                    replies_left,
                    int(rng.expovariate(1 / max(1, replies_left / max(1, n_threads - index)))),
                )
                replies_left -= replies
            text, search = rng.choice(segmented)
            board = "forum" if rng.random() < 0.8 else "reflections"
            kind = (
                rng.choice(["message", "request", "suggestion"])
                if board == "forum"
                else rng.choice(["thought_report", "study_summary", "reflection"])
            )
            moment = created
            for position in range(replies + 1):
                poster = author if position == 0 else rng.choice(members)
                posts.append(
                    (
                        post_pk,
                        "流动党员",
                        position == 0,
                        f"<p>{text}</p>",
                        moment,
                        None,
                        0,
                        False,
                        None,
                        False,
                        "",
                        search,
                        users[poster],
                        poster,
                        orgs[poster],
                        None,
                        thread_pk,
                    )
                )
                last_pk, last_at = post_pk, moment
                post_pk += 1
                moment = moment + timedelta(seconds=rng.randint(30, 3600))
            answered = kind in ("request", "suggestion") and rng.random() < 0.7
            threads.append(
                (
                    thread_pk,
                    board,
                    kind,
                    text[:28],
                    "流动党员",
                    False,
                    board == "reflections" and rng.random() < 0.2,
                    False,
                    False,
                    False,
                    "",
                    False,
                    None,
                    replies,
                    last_pk,
                    last_at,
                    "流动党员",
                    (created + timedelta(hours=5)) if answered else None,
                    18000 if answered else None,
                    None,
                    created,
                    users[author],
                    author,
                    orgs[author],
                    None,
                )
            )
            thread_pk += 1
            if len(posts) >= 200_000:
                _flush(threads, posts)
                threads, posts = [], []
        _flush(threads, posts)
        reset_sequence("forum_thread")
        reset_sequence("forum_post")
    return [f"threads {n_threads:,}, posts {post_pk - first_post:,}"]


def _flush(threads, posts):
    copy_rows(
        "forum_thread",
        [
            "id",
            "board",
            "kind",
            "title",
            "author_name",
            "is_official",
            "is_shared",
            "is_pinned",
            "is_locked",
            "is_hidden",
            "hidden_reason",
            "is_typical",
            "typical_at",
            "reply_count",
            "last_post_id",
            "last_posted_at",
            "last_poster_name",
            "first_official_reply_at",
            "first_official_reply_seconds",
            "staff_read_at",
            "created_at",
            "author_id",
            "author_member_id",
            "organization_id",
            "staff_read_by_id",
        ],
        threads,
    )
    copy_rows(
        "forum_post",
        [
            "id",
            "author_name",
            "is_opening",
            "body_html",
            "created_at",
            "edited_at",
            "edit_count",
            "is_deleted",
            "deleted_at",
            "is_hidden",
            "hidden_reason",
            "search_text",
            "author_id",
            "author_member_id",
            "organization_id",
            "quote_id",
            "thread_id",
        ],
        posts,
    )
