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

from members.permissions import scope_of

from .models import Article, StudyRecord

A = Article.Audience
S = Article.Status


def readable_q(user) -> Q:
    """The audiences `user` may read (status not included)."""
    public = Q(audience=A.PUBLIC)
    scope = scope_of(user)
    if scope.tier is None:
        return public
    q = Q(audience__in=[A.PUBLIC, A.COUNTY])
    if scope.member is not None:
        q |= Q(audience=A.SUBTREE, organization_id__in=scope.organization_ids)
    if scope.is_staff:
        q |= Q(audience=A.SUBTREE) & scope.q(via="organization__")
        if scope.grant_ancestor_ids:
            q |= Q(audience=A.SUBTREE, organization_id__in=scope.grant_ancestor_ids)
    return q


def filter_articles_visible_to(user, qs: QuerySet | None = None) -> QuerySet:
    qs = Article.objects.all() if qs is None else qs
    return qs.filter(readable_q(user), status=S.PUBLISHED)


def audience_key(user) -> str:
    """Users with the same key read the same articles (cache keys of shared lists)."""
    scope = scope_of(user)
    if scope.member is not None:
        return "m:" + scope.member.organization.path
    if scope.is_staff:
        return "s:" + ",".join(org.path for org in scope.grants)
    return "t:" + str(scope.tier)


# Managing ---------------------------------------------------------------------------------


def filter_articles_manageable_by(user, qs: QuerySet | None = None) -> QuerySet:
    qs = Article.objects.all() if qs is None else qs
    return qs.filter(scope_of(user).q(via="organization__"))


def can_manage_article(user, article: Article) -> bool:
    return scope_of(user).covers(article.organization)


def check_manage_article_permission(user, article: Article) -> None:
    if not can_manage_article(user, article):
        raise Http404


def can_publish_to(user, *, organization, audience: str) -> bool:
    """County staff publish anywhere in the county; committee staff only to their subtree."""
    scope = scope_of(user)
    if not scope.covers(organization):
        return False
    if audience == A.SUBTREE:
        return True
    return scope.is_county


def can_author_for(user, organization) -> bool:
    """Staff write articles for organisations in their scope."""
    return scope_of(user).covers(organization)


# Studying ---------------------------------------------------------------------------------


def filter_study_records_visible_to(user, qs: QuerySet | None = None) -> QuerySet:
    qs = StudyRecord.objects.all() if qs is None else qs
    scope = scope_of(user)
    if scope.is_staff:
        return qs.filter(scope.q(via="member__organization__"))
    if scope.member is not None:
        return qs.filter(member_id=scope.member.pk)
    return qs.none()


def can_view_study_figures(user) -> bool:
    return scope_of(user).is_staff


# Feed sources -----------------------------------------------------------------------------


def can_manage_feed_sources(user) -> bool:
    """Feed sources are the county's: only the county tier configures them."""
    return scope_of(user).is_county


def filter_feed_sources_manageable_by(user, qs: QuerySet):
    scope = scope_of(user)
    if scope.is_county:
        return qs.filter(scope.q(via="organization__"))
    return qs.none()
