"""优秀典型 articles published on behalf of another app (the `hometown` app's 回馈标兵,
through settings.HOMETOWN_EXEMPLAR_PUBLISHER): feature apps do not import each other, so the
caller names this function by its dotted path."""

from django.utils.html import escape

from members.permissions import scope_of

from ..models import Article
from .articles import ArticleInput, article_create, article_publish


def exemplar_publish(*, actor, title: str, summary: str, body: str) -> int:
    """A county-wide 优秀典型 article, published now by `actor` (county tier) for the
    outermost organisation they hold; `body` is plain text (paragraphs by line). Returns the
    article's id. The caller's transaction holds both."""
    organization = scope_of(actor).grants[0]
    paragraphs = "".join(f"<p>{escape(line)}</p>" for line in body.splitlines() if line.strip())
    article = article_create(
        actor=actor,
        data=ArticleInput(
            title=title,
            category=Article.Category.EXEMPLAR,
            organization=organization,
            audience=Article.Audience.COUNTY,
            summary=summary,
            body=paragraphs,
        ),
    )
    article_publish(actor=actor, article=article)
    return article.pk
