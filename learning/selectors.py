"""Reads of the learning library, always through permissions.py."""

import hashlib
from dataclasses import dataclass

from django.db.models import (
    Count,
    F,
    FilteredRelation,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
)
from django.db.models.functions import Coalesce
from django.http import Http404

from members import permissions as member_permissions
from members.models import Member
from sanyuan import respcache
from sanyuan.keyset import Page, keyset_page
from sanyuan.search import filter_fulltext

from . import permissions
from .models import Article, SavedArticle, StudyRecord

C = Article.Category
LIST_DEFER = ("body", "search_text")


def _int_pk(pk) -> int:
    try:
        return int(pk)
    except (TypeError, ValueError) as exc:
        raise Http404 from exc


# Reading ----------------------------------------------------------------------------------


def article_list(
    *,
    user,
    category: str | None = None,
    q: str = "",
    cursor: str | None = None,
    page_size: int = 20,
) -> Page:
    """Published articles the user may read, newest first, in keyset pages."""
    qs = permissions.filter_articles_visible_to(user).select_related("organization")
    qs = qs.defer(*LIST_DEFER)
    if category:
        qs = qs.filter(category=category)
    if q and q.strip():
        # Ordered by date first, the planner picks the GIN index for rare words and walks the
        # date index for common ones (measured in tests/learning/test_search_index.py); the
        # `id + 0` trick of NOTES.md changed neither plan here, so it is not used.
        qs = filter_fulltext(qs, q)
    return keyset_page(
        qs, fields=("published_at", "id"), descending=True, cursor=cursor, page_size=page_size
    )


def article_get(*, user, pk) -> Article:
    """A published article the user may read; 404 otherwise (never tells it exists)."""
    article = (
        permissions.filter_articles_visible_to(user)
        .select_related("organization")
        .prefetch_related("attachments", "target_skills")
        .filter(pk=_int_pk(pk))
        .first()
    )
    if article is None:
        raise Http404
    return article


def article_for_manage(*, user, pk) -> Article:
    article = (
        permissions.filter_articles_manageable_by(user)
        .select_related("organization")
        .filter(pk=_int_pk(pk))
        .first()
    )
    if article is None:
        raise Http404
    return article


def attachment_get(*, user, article_pk, pk):
    article = article_get(user=user, pk=article_pk)
    for attachment in article.attachments.all():
        if attachment.pk == _int_pk(pk):
            return article, attachment
    raise Http404


@dataclass
class HomeSections:
    pinned: list
    announcements: list
    news: list
    highlights: list
    exemplars: list
    continue_studying: list
    cache_key: str = ""


def _latest(user, *, category=None, limit: int, exclude=()) -> list:
    qs = permissions.filter_articles_visible_to(user).select_related("organization")
    qs = qs.defer(*LIST_DEFER)
    if category:
        qs = qs.filter(category=category)
    if exclude:
        qs = qs.exclude(pk__in=exclude)
    return list(qs.order_by("-published_at", "-id")[:limit])


HOME_CACHE_SECONDS = 60


def _home_audience_key(user) -> str:
    """Users who read the same articles share the cached home sections."""
    return permissions.audience_key(user)


def home_sections(*, user) -> HomeSections:
    """首页's sections. The article lists are cached per audience (everyone of a branch reads
    the same ones) for a minute, and dropped at once when an article is saved; the member's
    own "continue studying" strip is read fresh."""
    from django.core.cache import cache

    version = cache.get_or_set("learning:home-version", 1, timeout=None)
    key = f"learning:home2:{version}:{hashlib.sha1(_home_audience_key(user).encode()).hexdigest()}"
    cached = cache.get(key)
    if cached is None:
        with respcache.tables_read() as tables:
            lists = _home_lists(user)
        cache.set(key, (lists, tables), timeout=HOME_CACHE_SECONDS)
    else:
        lists, tables = cached
        respcache.depends_on(*tables)  # a page cached whole (首页) depends on them too
    member = member_permissions.member_of(user)
    continue_studying = []
    if member is not None:
        continue_studying = list(
            _readable_records(user)
            .filter(finished_at__isnull=True)
            .select_related("article")
            .defer(*(f"article__{f}" for f in LIST_DEFER))
            .order_by("-last_reported_at", "-id")[:5]
        )
    return HomeSections(**lists, continue_studying=continue_studying, cache_key=key)


def _home_lists(user) -> dict:
    pinned = list(
        permissions.filter_articles_visible_to(user)
        .filter(pinned=True)
        .select_related("organization")
        .defer(*LIST_DEFER)
        .order_by("-published_at", "-id")[:3]
    )
    pinned_ids = [a.pk for a in pinned]
    return {
        "pinned": pinned,
        "announcements": _latest(user, category=C.ANNOUNCEMENT, limit=5, exclude=pinned_ids),
        "news": _latest(user, category=C.NEWS, limit=4, exclude=pinned_ids),
        "highlights": _latest(user, category=C.HIGHLIGHT, limit=3, exclude=pinned_ids),
        "exemplars": _latest(user, category=C.EXEMPLAR, limit=3, exclude=pinned_ids),
    }


def regulation_list(*, user, issuing_body: str = "", q: str = "") -> QuerySet:
    """The library of party regulations: by issuing body, newest effective date first."""
    qs = (
        permissions.filter_articles_visible_to(user)
        .filter(category=C.REGULATION)
        .defer(*LIST_DEFER)
    )
    if issuing_body:
        qs = qs.filter(issuing_body=issuing_body)
    if q and q.strip():
        qs = filter_fulltext(qs, q)
    return qs.order_by(F("effective_on").desc(nulls_last=True), "-id")


def regulation_issuing_bodies(*, user) -> list[str]:
    return list(
        permissions.filter_articles_visible_to(user)
        .filter(category=C.REGULATION)
        .exclude(issuing_body="")
        .order_by("issuing_body")
        .values_list("issuing_body", flat=True)
        .distinct()
    )


def study_record_of(*, user, article: Article) -> StudyRecord | None:
    member = member_permissions.member_of(user)
    if member is None:
        return None
    return StudyRecord.objects.filter(member=member, article=article).first()


# A member's own study --------------------------------------------------------------------


def _readable_records(user) -> QuerySet:
    """The member's study records of articles they may still open: an article withdrawn,
    or whose audience the member left (moved branch), is no longer linked (it would 404) nor
    fetched ahead for offline reading."""
    return permissions.filter_study_records_visible_to(user).filter(
        article__in=permissions.filter_articles_visible_to(user)
    )


def study_history(*, user, cursor: str | None = None, page_size: int = 20) -> Page:
    """我的学习: what the member studied and may still open, most recent first."""
    qs = (
        _readable_records(user)
        .filter(member=member_permissions.member_of(user))
        .select_related("article")
        .defer(*(f"article__{f}" for f in LIST_DEFER))
    )
    return keyset_page(
        qs, fields=("last_reported_at", "id"), descending=True, cursor=cursor, page_size=page_size
    )


@dataclass
class StudySummary:
    opened: int
    finished: int
    seconds: int
    required_open: int  # required articles the member has not finished

    @property
    def minutes(self) -> int:
        return self.seconds // 60


def study_summary(*, user) -> StudySummary:
    member = member_permissions.member_of(user)
    if member is None:
        return StudySummary(0, 0, 0, 0)
    totals = StudyRecord.objects.filter(member=member).aggregate(
        opened=Count("id"),
        finished=Count("id", filter=Q(finished_at__isnull=False)),
        seconds=Coalesce(Sum("seconds"), 0),
    )
    required_open = (
        permissions.filter_articles_visible_to(user)
        .filter(required=True)
        .exclude(
            pk__in=StudyRecord.objects.filter(member=member, finished_at__isnull=False).values(
                "article_id"
            )
        )
        .count()
    )
    return StudySummary(
        opened=totals["opened"],
        finished=totals["finished"],
        seconds=totals["seconds"],
        required_open=required_open,
    )


def required_unfinished(*, user, limit: int = 5) -> list[Article]:
    """The newest required articles the member has not finished. Kept on the user object for
    the request: the home page and its to-do card both ask."""
    member = member_permissions.member_of(user)
    if member is None:
        return []
    kept = getattr(user, "_required_unfinished", None)
    if kept is not None and kept[0] >= limit:
        return kept[1][:limit]
    rows = _required_unfinished(user, member, limit)
    user._required_unfinished = (limit, rows)
    return rows


def _required_unfinished(user, member, limit: int) -> list[Article]:
    return list(
        permissions.filter_articles_visible_to(user)
        .filter(required=True)
        .exclude(
            pk__in=StudyRecord.objects.filter(member=member, finished_at__isnull=False).values(
                "article_id"
            )
        )
        .defer(*LIST_DEFER)
        .order_by("-published_at", "-id")[:limit]
    )


# Staff: study figures for the scope ------------------------------------------------------


def audience_members(*, user, article: Article) -> QuerySet:
    """The members an article is meant for, within the staff member's scope: the subtree of
    its organisation, narrowed for a training offer to the matching skills or provinces."""
    qs = member_permissions.filter_members_visible_to(user).filter(
        organization__path__startswith=article.organization.path
    )
    if article.category == C.TRAINING:
        skill_ids = [s.pk for s in article.target_skills.all()]
        provinces = article.province_codes
        if skill_ids or provinces:
            match = Q(pk__in=[])
            if skill_ids:
                match |= Q(
                    pk__in=Member.skills.through.objects.filter(skill_id__in=skill_ids).values(
                        "member_id"
                    )
                )
            if provinces:
                match |= Q(destination_province__in=provinces)
            qs = qs.filter(match)
    return qs


def _records_in_scope(user) -> QuerySet:
    return permissions.filter_study_records_visible_to(user)


def staff_article_figures(
    *, user, category: str | None = None, required_only: bool = False
) -> QuerySet:
    """Published articles the staff member reads, with study counts among their members."""
    records = _records_in_scope(user).filter(article_id=OuterRef("pk"))

    def counted(qs):
        return Subquery(
            qs.order_by().values("article_id").annotate(n=Count("id")).values("n"),
            output_field=IntegerField(),
        )

    qs = permissions.filter_articles_visible_to(user).select_related("organization")
    qs = qs.defer(*LIST_DEFER)
    if category:
        qs = qs.filter(category=category)
    if required_only:
        qs = qs.filter(required=True)
    return qs.annotate(
        opened_count=Coalesce(counted(records), 0),
        finished_count=Coalesce(counted(records.filter(finished_at__isnull=False)), 0),
    ).order_by("-published_at", "-id")


@dataclass
class ArticleFigures:
    audience: int  # members meant to read it (for training: the matching members reached)
    opened: int
    finished: int
    seconds: int

    @property
    def not_opened(self) -> int:
        return max(self.audience - self.opened, 0)


def staff_article_get(*, user, pk) -> Article:
    if not permissions.can_view_study_figures(user):
        raise Http404
    return article_get(user=user, pk=pk)


def article_figures(*, user, article: Article) -> ArticleFigures:
    members = audience_members(user=user, article=article)
    records = StudyRecord.objects.filter(article=article, member__in=members.values("pk"))
    totals = records.aggregate(
        opened=Count("id"),
        finished=Count("id", filter=Q(finished_at__isnull=False)),
        seconds=Coalesce(Sum("seconds"), 0),
    )
    return ArticleFigures(
        audience=members.count(),
        opened=totals["opened"],
        finished=totals["finished"],
        seconds=totals["seconds"],
    )


STATES = ("all", "not_opened", "opened", "finished")


def article_study_rows(*, user, article: Article, state: str = "all") -> QuerySet:
    """The audience members in scope with their record for this article (one query)."""
    qs = (
        audience_members(user=user, article=article)
        .annotate(
            record=FilteredRelation("study_records", condition=Q(study_records__article=article))
        )
        .annotate(
            opened_at=F("record__opened_at"),
            study_seconds=F("record__seconds"),
            finished_at=F("record__finished_at"),
        )
        .select_related("organization")
        .only("id", "name", "organization__name", "organization__path")
    )
    if state == "not_opened":
        qs = qs.filter(record__id__isnull=True)
    elif state == "opened":
        qs = qs.filter(record__id__isnull=False, record__finished_at__isnull=True)
    elif state == "finished":
        qs = qs.filter(record__finished_at__isnull=False)
    return qs.order_by("organization__path", "id")


# 收藏 -------------------------------------------------------------------------------------


def saved_articles(*, user, limit: int = 20) -> list[Article]:
    """The member's saved articles they may still read, newest saved first."""
    member = member_permissions.member_of(user)
    if member is None:
        return []
    rows = (
        SavedArticle.objects.filter(
            member=member, article__in=permissions.filter_articles_visible_to(user)
        )
        .select_related("article__organization")
        .defer(*(f"article__{f}" for f in LIST_DEFER))
        .order_by("-created_at", "-id")[:limit]
    )
    return [row.article for row in rows]


def is_saved(*, user, article: Article) -> bool:
    member = member_permissions.member_of(user)
    return member is not None and article.saved_by.filter(member=member).exists()
