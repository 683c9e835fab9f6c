"""Articles built through the services, the way staff make them."""

import io
import itertools

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from learning.models import Article
from learning.services.articles import ArticleInput, article_create

_seq = itertools.count(1)
C = Article.Category
A = Article.Audience


def article(
    organization,
    *,
    audience=A.SUBTREE,
    category=C.NEWS,
    title=None,
    body="<p>正文内容</p>",
    published=True,
    published_at=None,
    actor=None,
    **extra,
) -> Article:
    n = next(_seq)
    data = ArticleInput(
        title=title or f"学习资料{n}",
        category=category,
        organization=organization,
        audience=audience,
        body=body,
        **extra,
    )
    if published:
        published_at = published_at or timezone.now()
    return article_create(actor=actor, data=data, published_at=published_at if published else None)


def jpeg(size=(1200, 800), color=(180, 20, 30)) -> SimpleUploadedFile:
    out = io.BytesIO()
    Image.new("RGB", size, color).save(out, format="JPEG")
    return SimpleUploadedFile("封面.jpg", out.getvalue(), content_type="image/jpeg")


def pdf() -> SimpleUploadedFile:
    from tests.factories import pdf_bytes

    return SimpleUploadedFile("学习材料.pdf", pdf_bytes(), content_type="application/pdf")
