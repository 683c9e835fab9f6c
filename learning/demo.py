"""Demo data for the learning library: ~40 articles across every category (pinned
announcements, party regulations, training offers with skills), covers, a feed source, and
study records of the demo members. Deterministic for a given seed."""

import io
import random
from datetime import timedelta

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone
from PIL import Image, ImageDraw

from members.models import Member, Organization, Skill
from members.services.archive import member_engagement_touch

from .demo_content import ARTICLES, REGULATIONS, paragraphs
from .models import Article, FeedSource, StudyRecord
from .services.articles import ArticleInput, article_create, article_set_cover

C = Article.Category
A = Article.Audience

SKILLS = [
    ("电焊", "制造加工"),
    ("电工", "制造加工"),
    ("数控机床", "制造加工"),
    ("驾驶", "交通运输"),
    ("厨师", "生活服务"),
    ("家政", "生活服务"),
    ("养殖", "农业"),
    ("种植", "农业"),
    ("建筑施工", "建筑"),
    ("电子商务", "商贸"),
    ("维修", "生活服务"),
]
DESTINATIONS = ["440000", "440000", "320000", "330000", "310000", "110000", "510000", "620000"]


def _cover(color: tuple[int, int, int], rng: random.Random) -> SimpleUploadedFile:
    """A simple banner (gradient with circles): no font needed, real pixels for thumbnails."""
    width, height = 1280, 720
    image = Image.new("RGB", (width, height), color)
    draw = ImageDraw.Draw(image)
    for y in range(height):
        shade = int(60 * y / height)
        draw.line([(0, y), (width, y)], fill=tuple(max(c - shade, 0) for c in color))
    for _ in range(6):
        x, y, r = rng.randint(0, width), rng.randint(0, height), rng.randint(60, 260)
        draw.ellipse([x - r, y - r, x + r, y + r], outline=(255, 220, 150), width=6)
    draw.rectangle([80, 520, 700, 560], fill=(255, 215, 120))
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=85)
    return SimpleUploadedFile("cover.jpg", out.getvalue(), content_type="image/jpeg")


def _skills() -> dict[str, Skill]:
    skills = {}
    for name, category in SKILLS:
        skill, _ = Skill.objects.get_or_create(name=name, defaults={"category": category})
        skills[name] = skill
    return skills


def _give_members_skills(rng: random.Random, skills: dict[str, Skill]) -> int:
    """Members without skills or destination get some, so that training offers reach someone."""
    through = Member.skills.through
    with_skills = set(through.objects.values_list("member_id", flat=True))
    links, updated = [], 0
    names = list(skills)
    for member in Member.objects.only("id", "destination_province").order_by("id"):
        if member.pk not in with_skills and rng.random() < 0.6:
            for name in rng.sample(names, rng.choice((1, 1, 2))):
                links.append(through(member_id=member.pk, skill_id=skills[name].pk))
        if not member.destination_province:
            Member.objects.filter(pk=member.pk).update(
                destination_province=rng.choice(DESTINATIONS)
            )
            updated += 1
    through.objects.bulk_create(links, ignore_conflicts=True, batch_size=1000)
    return len(links)


@transaction.atomic
def seed(*, rng: random.Random, members: int) -> list[str]:
    if Article.objects.exists():
        return ["学习资料已存在，跳过"]
    county = Organization.objects.filter(kind=Organization.Kind.COUNTY).order_by("path").first()
    if county is None:
        return ["没有县级党组织，跳过"]
    skills = _skills()
    linked = _give_members_skills(rng, skills)
    now = timezone.now()
    created: list[Article] = []
    total = len(ARTICLES) + len(REGULATIONS)
    for index, (category, title, summary, texts, options) in enumerate(ARTICLES):
        organization = county
        if options.get("organization"):
            organization = (
                Organization.objects.filter(code=options["organization"]).first() or county
            )
        article = article_create(
            actor=None,
            data=ArticleInput(
                title=title,
                category=category,
                organization=organization,
                audience=options.get("audience", A.COUNTY),
                summary=summary,
                body=paragraphs(*texts),
                pinned=options.get("pinned", False),
                required=options.get("required", False),
                target_skills=tuple(skills[name] for name in options.get("skills", ())),
                target_provinces=tuple(options.get("provinces", ())),
            ),
            published_at=now - timedelta(days=(total - index) * 2, hours=rng.randint(0, 10)),
        )
        if options.get("cover"):
            article_set_cover(actor=None, article=article, upload=_cover(options["cover"], rng))
        created.append(article)
    for index, (title, body_name, number, effective, text) in enumerate(REGULATIONS):
        created.append(
            article_create(
                actor=None,
                data=ArticleInput(
                    title=title,
                    category=C.REGULATION,
                    organization=county,
                    audience=A.PUBLIC,
                    body=paragraphs(text, "（全文请见附件或原文链接。）"),
                    issuing_body=body_name,
                    document_number=number,
                    effective_on=effective,
                    required=index == 0,
                ),
                published_at=now - timedelta(days=60 + index),
            )
        )
    # One scheduled announcement and one draft, so that staff see both states.
    scheduled = article_create(
        actor=None,
        data=ArticleInput(
            title="关于组织收看“学习身边榜样”专题节目的通知",
            category=C.ANNOUNCEMENT,
            organization=county,
            audience=A.COUNTY,
            body=paragraphs("请各党支部组织党员按时收看专题节目，并在平台上交流学习体会。"),
        ),
    )
    Article.objects.filter(pk=scheduled.pk).update(scheduled_at=now + timedelta(days=2))
    article_create(
        actor=None,
        data=ArticleInput(
            title="（草稿）2027年流动党员集中培训计划",
            category=C.TRAINING,
            organization=county,
            audience=A.COUNTY,
            body=paragraphs("培训计划正在征求意见。"),
        ),
    )
    FeedSource.objects.get_or_create(
        name="三原县党建（公众号）",
        defaults={
            "kind": FeedSource.Kind.WECHAT,
            "organization": county,
            "category": C.NEWS,
            "audience": A.PUBLIC,
            "enabled": False,
        },
    )
    records = _seed_study(rng, created)
    return [
        f"学习资料 {Article.objects.count()} 篇（其中党内法规 {len(REGULATIONS)} 篇），"
        f"技能 {len(skills)} 项（为档案补充技能 {linked} 项次），学习记录 {records} 条",
    ]


def _seed_study(rng: random.Random, articles: list[Article]) -> int:
    from members.demo import ACTIVE_MEMBER
    from members.identity import normalize_id_number
    from sanyuan.crypto import keyed_hash

    now = timezone.now()
    digest = keyed_hash(normalize_id_number(ACTIVE_MEMBER.id_number), purpose="id_number")
    active_id = Member.objects.filter(id_number_hash=digest).values_list("pk", flat=True).first()
    # Only members with an account study online.
    ids = list(
        Member.objects.filter(user__isnull=False).order_by("id").values_list("pk", flat=True)
    )
    reader_ids = rng.sample(ids, min(300, len(ids)))
    if active_id is not None:
        reader_ids = [active_id] + [pk for pk in reader_ids if pk != active_id]
    rows: list[StudyRecord] = []
    opened_dates = []
    touched: dict[int, object] = {}
    for member_id in reader_ids:
        count = 6 if member_id == active_id else rng.randint(1, 5)
        for article in rng.sample(articles, min(count, len(articles))):
            opened = max(article.published_at, now - timedelta(days=30)) + timedelta(
                hours=rng.randint(1, 200)
            )
            opened = min(opened, now - timedelta(minutes=5))
            finished = rng.random() < 0.6
            record = StudyRecord(
                member_id=member_id,
                article=article,
                seconds=rng.randint(30, 900),
                finished_at=opened + timedelta(minutes=rng.randint(2, 15)) if finished else None,
            )
            rows.append(record)
            opened_dates.append(opened)
            touched[member_id] = max(touched.get(member_id, opened), opened)
    StudyRecord.objects.bulk_create(rows, batch_size=1000)
    # auto_now_add stamped "now" on insert; put back the spread-out dates.
    for record, opened in zip(rows, opened_dates, strict=True):
        record.opened_at = opened
        record.last_reported_at = record.finished_at or opened
    StudyRecord.objects.bulk_update(rows, ["opened_at", "last_reported_at"], batch_size=1000)
    for member_id, when in touched.items():
        member_engagement_touch(member_id=member_id, studied_at=when)
    return len(rows)
