"""Pages of `learning` that a member keeps for offline reading (see sanyuan/pwa.py): 首页,
学习, the articles the member saved (收藏) and those opened most recently (opening one from the
service worker does not count as studying it: see ArticleView)."""

from django.urls import reverse

from members import permissions as member_permissions

from . import selectors

RECENT_COUNT = 10
SAVED_COUNT = 20


def precache_urls(user) -> list[str]:
    urls = [reverse("learning:home"), reverse("learning:study")]
    if member_permissions.member_of(user) is None:
        return urls
    saved = selectors.saved_articles(user=user, limit=SAVED_COUNT)
    urls += [reverse("learning:article", args=[article.pk]) for article in saved]
    page = selectors.study_history(user=user, page_size=RECENT_COUNT)
    urls += [reverse("learning:article", args=[record.article_id]) for record in page.results]
    return urls
