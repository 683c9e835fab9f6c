"""Who may read, publish and analyse what in the learning library.

Reading (published articles only):
- anonymous visitors and accounts without a tier: public articles;
- members: public and county-wide articles, and subtree articles whose organisation is their
  home organisation or one of its ancestors;
- staff: public and county-wide articles, subtree articles of organisations in their scope,
  and subtree articles addressed to an organisation above their grant (their area is in it).

Managing (any status): staff whose scope holds the article's organisation. County staff publish
to any audience; committee staff only to their own subtree.

Study figures: staff see the records of the members in their scope; a member sees their own.
"""

from django.db.models import Q, QuerySet
from django.http import Http404

from members import permissions as member_permissions
from members.selectors import audiences_of

from .models import Article, StudyRecord

A = Article.Audience
S = Article.Status


def _grant_ancestor_ids(user) -> list[int]:
    ids: set[int] = set()
    for org in member_permissions.staff_grants(user):
        ids.update(org.ancestor_ids)
    return sorted(ids)


def readable_q(user) -> Q:
    """The audiences `user` may read (status not included)."""
    public = Q(audience=A.PUBLIC)
    tier = member_permissions.user_tier(user) if user is not None else None
    if tier is None:
        return public
    q = Q(audience__in=[A.PUBLIC, A.COUNTY])
    if member_permissions.member_of(user) is not None:
        q |= Q(audience=A.SUBTREE, organization_id__in=audiences_of(user).organization_ids)
    if member_permissions.is_staff_user(user):
        q |= Q(audience=A.SUBTREE) & member_permissions.scope_q(user, via="organization__")
        ancestors = _grant_ancestor_ids(user)
        if ancestors:
            q |= Q(audience=A.SUBTREE, organization_id__in=ancestors)
    return q


def filter_articles_visible_to(user, qs: QuerySet | None = None) -> QuerySet:
    qs = Article.objects.all() if qs is None else qs
    return qs.filter(readable_q(user), status=S.PUBLISHED)


def can_view_article(user, article: Article) -> bool:
    return filter_articles_visible_to(user, Article.objects.filter(pk=article.pk)).exists()


def check_view_article_permission(user, article: Article) -> None:
    if not can_view_article(user, article):
        raise Http404


# Managing ---------------------------------------------------------------------------------


def filter_articles_manageable_by(user, qs: QuerySet | None = None) -> QuerySet:
    qs = Article.objects.all() if qs is None else qs
    return qs.filter(member_permissions.scope_q(user, via="organization__"))


def can_manage_article(user, article: Article) -> bool:
    return member_permissions.in_scope(user, article.organization)


def check_manage_article_permission(user, article: Article) -> None:
    if not can_manage_article(user, article):
        raise Http404


def can_publish_to(user, *, organization, audience: str) -> bool:
    """County staff publish anywhere in the county; committee staff only to their subtree."""
    if not member_permissions.in_scope(user, organization):
        return False
    if audience == A.SUBTREE:
        return True
    return member_permissions.user_tier(user) == member_permissions.TIER_COUNTY


# Studying ---------------------------------------------------------------------------------


def can_study(user) -> bool:
    return member_permissions.member_of(user) is not None


def filter_study_records_visible_to(user, qs: QuerySet | None = None) -> QuerySet:
    qs = StudyRecord.objects.all() if qs is None else qs
    if member_permissions.is_staff_user(user):
        return qs.filter(member_permissions.scope_q(user, via="member__organization__"))
    member = member_permissions.member_of(user)
    if member is not None:
        return qs.filter(member_id=member.pk)
    return qs.none()


def can_view_study_figures(user) -> bool:
    return member_permissions.is_staff_user(user)


# Feed sources -----------------------------------------------------------------------------


def filter_feed_sources_manageable_by(user, qs: QuerySet):
    """Feed sources are the county's: only the county tier configures them."""
    if member_permissions.user_tier(user) == member_permissions.TIER_COUNTY:
        return qs.filter(member_permissions.scope_q(user, via="organization__"))
    return qs.none()
