"""Writing articles: create, edit, cover and attachments, publish (now or scheduled), withdraw.

Every write validates first and changes nothing on error (ServiceError with a Chinese message
tied to a field). Notices of a published article go out once (dedupe key per article), after
commit, through members.services.notices.
"""

import re
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlsplit

from django.db import transaction
from django.utils import timezone

from members.models import Notice, Organization, Skill, User
from members.services.notices import Audience, notice_publish
from sanyuan.errors import ServiceError, StateConflict
from sanyuan.sanitize import html_to_text, rich_text
from sanyuan.search import segment
from sanyuan.uploads import clean_document, clean_image, safe_filename, thumbnail

from .. import permissions
from ..models import Article, ArticleAttachment
from ..regions import provinces

A = Article.Audience
S = Article.Status
C = Article.Category

COVER_WIDTHS = (320, 640, 960)
SEARCH_BODY_CHARS = 20_000
MAX_ATTACHMENTS = 10
# Categories whose publication is announced in the members' inboxes.
NOTIFIED_CATEGORIES = {C.ANNOUNCEMENT, C.TRAINING}
# The names members type for well-known texts: an article whose title contains the full
# name is found by these too (besides its own 简称或别名).
KNOWN_SHORT_NAMES = {
    "中国共产党章程": ("党章",),
    "中国共产党纪律处分条例": ("纪律处分条例", "纪律条例", "纪律处分"),
    "中国共产党党员教育管理工作条例": ("党员教育管理条例", "党员教育管理"),
    "中国共产党支部工作条例": ("支部工作条例", "支部条例"),
    "中国共产党廉洁自律准则": ("廉洁自律准则", "廉洁准则"),
    "关于新形势下党内政治生活的若干准则": ("党内政治生活准则", "政治生活准则"),
    "中国共产党党内监督条例": ("党内监督条例", "监督条例"),
    "中国共产党问责条例": ("问责条例",),
    "中国共产党发展党员工作细则": ("发展党员工作细则", "发展党员细则"),
    "中央八项规定": ("八项规定",),
}
_NAME_SEPARATORS = re.compile(r"[,，、;；\s]+")


@dataclass
class ArticleInput:
    """What staff type in; the service checks all of it."""

    title: str
    category: str
    organization: Organization
    audience: str = A.SUBTREE
    summary: str = ""
    body: str = ""
    video_url: str = ""
    source_url: str = ""
    pinned: bool = False
    required: bool = False
    issuing_body: str = ""
    document_number: str = ""
    effective_on: object = None
    short_names: str = ""
    target_skills: tuple = ()
    target_provinces: tuple = ()


def _check_https(url: str, field: str, label: str) -> str:
    url = (url or "").strip()
    if not url:
        return ""
    parts = urlsplit(url)
    if parts.scheme != "https" or not parts.hostname:
        raise ServiceError(f"{label}必须是以 https:// 开头的网址。", field=field)
    return url


def _clean_provinces(codes) -> str:
    if isinstance(codes, str):
        codes = codes.replace("，", ",").split(",")
    cleaned = []
    for code in codes:
        code = str(code).strip()
        if not code:
            continue
        if code not in provinces():
            raise ServiceError(
                f"省份代码“{code}”无效，应为6位行政区划代码。", field="target_provinces"
            )
        if code not in cleaned:
            cleaned.append(code)
    return ",".join(cleaned)


def _validated(*, actor: User | None, data: ArticleInput) -> dict:
    title = (data.title or "").strip()
    if not title:
        raise ServiceError("请填写标题。", field="title")
    if len(title) > 120:
        raise ServiceError("标题不能超过120个字。", field="title")
    if data.category not in C.values:
        raise ServiceError("栏目无效。", field="category")
    if data.audience not in A.values:
        raise ServiceError("阅读范围无效。", field="audience")
    if data.organization is None:
        raise ServiceError("请选择发布组织。", field="organization")
    if actor is not None and not permissions.can_publish_to(
        actor, organization=data.organization, audience=data.audience
    ):
        if permissions.can_author_for(actor, data.organization):
            raise ServiceError(
                "基层党（工）委只能面向本组织及下级发布，公开或全县范围由县委组织部发布。",
                field="audience",
            )
        raise ServiceError("所选发布组织不在您的管理范围内。", field="organization")
    body = rich_text(data.body or "")
    text = html_to_text(body)
    summary = (data.summary or "").strip()[:300] or text[:100]
    if data.category == C.REGULATION and not (data.document_number or data.issuing_body):
        raise ServiceError("党内法规请填写发文机关或发文字号。", field="document_number")
    fields = {
        "title": title,
        "category": data.category,
        "organization": data.organization,
        "audience": data.audience,
        "summary": summary,
        "body": body,
        "video_url": _check_https(data.video_url, "video_url", "视频链接"),
        "source_url": (data.source_url or "").strip()[:500],
        "pinned": bool(data.pinned),
        "required": bool(data.required),
        "issuing_body": (data.issuing_body or "").strip()[:100],
        "document_number": (data.document_number or "").strip()[:60],
        "effective_on": data.effective_on,
        "target_provinces": _clean_provinces(data.target_provinces),
        "short_names": _clean_short_names(data.short_names),
    }
    fields["search_text"] = search_text_for(
        title,
        " ".join(short_names_for(title, fields["short_names"])),
        summary,
        text,
        fields["issuing_body"],
        fields["document_number"],
    )
    return fields


def _clean_short_names(value: str) -> str:
    names = []
    for name in _NAME_SEPARATORS.split(value or ""):
        if name and name not in names:
            names.append(name)
    cleaned = "、".join(names)
    if len(cleaned) > 200:
        raise ServiceError("简称或别名合计不能超过200个字。", field="short_names")
    return cleaned


def short_names_for(title: str, short_names: str = "") -> list[str]:
    """The names an article is also found by: its own, and those of the well-known texts
    its title names."""
    names = [name for name in _NAME_SEPARATORS.split(short_names or "") if name]
    for full, known in KNOWN_SHORT_NAMES.items():
        if full in (title or ""):
            names.extend(name for name in known if name not in names)
    return names


def publishable_error(
    *, required: bool, category: str, body: str, video_url: str = "", attachments: int = 0
) -> str | None:
    """Why an article may not be published yet, or None. 必学 and 党内法规 need something to
    read: an empty one would count as studied after a few seconds."""
    if not (required or category == C.REGULATION):
        return None
    if html_to_text(body or "").strip() or video_url or attachments:
        return None
    if category == C.REGULATION:
        return "党内法规需要有正文或附件才能发布。"
    return "必学资料需要有正文、视频或附件才能发布。"


def check_publishable(article: Article) -> None:
    message = publishable_error(
        required=article.required,
        category=article.category,
        body=article.body,
        video_url=article.video_url,
        attachments=article.attachments.count() if article.pk else 0,
    )
    if message:
        raise ServiceError(message, field="body")


def article_validate(*, actor: User | None, data: ArticleInput) -> None:
    """Check input without saving (forms show the errors next to the fields)."""
    _validated(actor=actor, data=data)


def search_text_for(*parts: str) -> str:
    return segment(" ".join(part for part in parts if part)[: SEARCH_BODY_CHARS + 500])


def article_create(
    *,
    actor: User | None,
    data: ArticleInput,
    feed_source=None,
    feed_entry_id: str = "",
    published_at: datetime | None = None,
) -> Article:
    """A new draft (or a published article when `published_at` is given, used by the feed)."""
    fields = _validated(actor=actor, data=data)
    with transaction.atomic():
        article = Article.objects.create(
            **fields,
            created_by=actor,
            feed_source=feed_source,
            feed_entry_id=feed_entry_id,
        )
        if data.target_skills:
            article.target_skills.set(_skills(data.target_skills))
        if published_at is not None:
            check_publishable(article)
            _publish(article, when=published_at, actor=actor)
    return article


def article_update(*, actor: User, article: Article, data: ArticleInput) -> Article:
    permissions.check_manage_article_permission(actor, article)
    fields = _validated(actor=actor, data=data)
    with transaction.atomic():
        for name, value in fields.items():
            setattr(article, name, value)
        article.save()
        article.target_skills.set(_skills(data.target_skills))
    return article


def _skills(values) -> list[Skill]:
    skills = [v for v in values if isinstance(v, Skill)]
    ids = [v for v in values if not isinstance(v, Skill)]
    if ids:
        skills += list(Skill.objects.filter(pk__in=ids))
    return skills


# Files ------------------------------------------------------------------------------------


def article_set_cover(*, actor: User | None, article: Article, upload) -> Article:
    """Re-encode the image and make the srcset widths; the old files are replaced."""
    if actor is not None:
        permissions.check_manage_article_permission(actor, article)
    cleaned = clean_image(upload, max_side=1920, field="cover")
    original = cleaned.content.read()
    content_type = f"image/{cleaned.format}"
    # Names, not FieldFile objects: saving reuses the same objects for the new files.
    old = [getattr(article, f).name for f in ("cover", "cover_320", "cover_640", "cover_960")]
    article.cover.save(cleaned.content.name, cleaned.content, save=False)
    for width in COVER_WIDTHS:
        field = getattr(article, f"cover_{width}")
        if cleaned.width > width:
            small = thumbnail(original, width)
            field.save(small.content.name, small.content, save=False)
        else:
            field.name = ""
    article.cover_width, article.cover_height = cleaned.width, cleaned.height
    article.cover_content_type = content_type
    article.save(
        update_fields=[
            "cover",
            "cover_320",
            "cover_640",
            "cover_960",
            "cover_width",
            "cover_height",
            "cover_content_type",
            "updated_at",
        ]
    )
    storage = article.cover.storage
    for name in old:
        if name:
            transaction.on_commit(lambda name=name: storage.delete(name))
    return article


def article_attachment_add(*, actor: User | None, article: Article, upload) -> ArticleAttachment:
    if actor is not None:
        permissions.check_manage_article_permission(actor, article)
    if article.attachments.count() >= MAX_ATTACHMENTS:
        raise ServiceError(f"每篇资料最多{MAX_ATTACHMENTS}个附件。", field="attachments")
    cleaned = clean_document(upload, field="attachments")
    name = safe_filename(getattr(upload, "name", ""), default=f"附件.{cleaned.kind}")
    attachment = ArticleAttachment(
        article=article,
        original_name=name,
        content_type=cleaned.content_type,
        size=cleaned.size,
    )
    attachment.file.save(cleaned.content.name, cleaned.content, save=False)
    attachment.save()
    return attachment


# Publishing -------------------------------------------------------------------------------


def article_publish(*, actor: User | None, article: Article, at: datetime | None = None) -> Article:
    """Publish now, or (with a future `at`) schedule: the beat task publishes it when due."""
    if actor is not None:
        permissions.check_manage_article_permission(actor, article)
        if not permissions.can_publish_to(
            actor, organization=article.organization, audience=article.audience
        ):
            raise ServiceError("您不能向这个范围发布。", field="audience")
    now = timezone.now()
    with transaction.atomic():
        locked = Article.objects.select_for_update().get(pk=article.pk)
        if locked.status == S.PUBLISHED:
            raise StateConflict("这篇资料已经发布。")
        check_publishable(locked)
        if at is not None and at > now:
            locked.status = S.DRAFT
            locked.scheduled_at = at
            locked.save(update_fields=["status", "scheduled_at", "updated_at"])
        else:
            _publish(locked, when=now, actor=actor)
    article.refresh_from_db()
    return article


def _publish(article: Article, *, when: datetime, actor: User | None) -> None:
    """Caller holds the row (or just created it) inside a transaction."""
    article.status = S.PUBLISHED
    article.published_at = when
    article.scheduled_at = None
    article.save(update_fields=["status", "published_at", "scheduled_at", "updated_at"])
    _notify(article, actor=actor)


def _notify(article: Article, *, actor: User | None) -> None:
    if article.category not in NOTIFIED_CATEGORIES and not article.required:
        return
    if article.category == C.TRAINING:
        audience = Audience.subtree(
            article.organization,
            skills=list(article.target_skills.all()),
            provinces=article.province_codes,
        )
        kind = Notice.Kind.TRAINING
    else:
        audience = Audience.subtree(article.organization)
        # Required study reaches members without an account too (by SMS).
        kind = Notice.Kind.REQUIRED_STUDY if article.required else Notice.Kind.ARTICLE
    notice_publish(
        audience=audience,
        kind=kind,
        title=article.title,
        body=article.summary[:200],
        link=f"/articles/{article.pk}/",
        created_by=actor,
        # At most one notice per article, however often it is withdrawn and published again.
        dedupe_key=f"learning-article:{article.pk}",
    )


def article_publish_due(*, now: datetime | None = None, limit: int = 200) -> int:
    """Publish the scheduled drafts whose time has come (beat, every minute). Safe to run
    concurrently: rows are claimed with SKIP LOCKED, and notices carry a dedupe key."""
    now = now or timezone.now()
    published = 0
    ids = list(
        Article.objects.filter(status=S.DRAFT, scheduled_at__lte=now)
        .order_by("scheduled_at")
        .values_list("pk", flat=True)[:limit]
    )
    for pk in ids:
        with transaction.atomic():
            article = (
                Article.objects.select_for_update(skip_locked=True)
                .filter(pk=pk, status=S.DRAFT, scheduled_at__lte=now)
                .first()
            )
            if article is None:
                continue
            try:
                check_publishable(article)
            except ServiceError:
                # Emptied after it was scheduled: it stays a draft for the staff to finish.
                article.scheduled_at = None
                article.save(update_fields=["scheduled_at", "updated_at"])
                continue
            _publish(article, when=article.scheduled_at, actor=article.created_by)
            published += 1
    return published


def article_withdraw(*, actor: User | None, article: Article) -> Article:
    if actor is not None:
        permissions.check_manage_article_permission(actor, article)
    with transaction.atomic():
        locked = Article.objects.select_for_update().get(pk=article.pk)
        if locked.status == S.WITHDRAWN:
            raise StateConflict("这篇资料已经撤回。")
        locked.status = S.WITHDRAWN
        locked.scheduled_at = None
        locked.pinned = False
        locked.save(update_fields=["status", "scheduled_at", "pinned", "updated_at"])
    article.refresh_from_db()
    return article


def article_set_pinned(*, actor: User | None, article: Article, pinned: bool) -> Article:
    if actor is not None:
        permissions.check_manage_article_permission(actor, article)
    Article.objects.filter(pk=article.pk).update(pinned=pinned, updated_at=timezone.now())
    article.pinned = pinned
    return article
