"""收藏: a member keeps an article to read later (the phone keeps it for offline reading)."""

from django.db import IntegrityError, transaction

from members.models import Member

from ..models import Article, SavedArticle


def article_save(*, member: Member, article: Article) -> SavedArticle:
    """Keep `article` in the member's 收藏 (again is harmless). The caller checked that the
    member may read it (selectors.article_get)."""
    saved = SavedArticle.objects.filter(member=member, article=article).first()
    if saved is not None:
        return saved
    try:
        with transaction.atomic():
            return SavedArticle.objects.create(member=member, article=article)
    except IntegrityError:  # saved twice at once
        return SavedArticle.objects.get(member=member, article=article)


def article_unsave(*, member: Member, article: Article) -> None:
    SavedArticle.objects.filter(member=member, article=article).delete()
