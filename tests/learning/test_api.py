"""The articles API: keyset pages, categories, search, files, and query counts."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from learning.models import Article
from learning.services.articles import article_attachment_add, article_set_cover
from tests.learning import factories as lf

pytestmark = pytest.mark.django_db


@pytest.fixture
def many(world):
    now = timezone.now()
    world.articles = [
        lf.article(
            world.county,
            audience=lf.A.PUBLIC,
            category="theory" if n % 2 else "news",
            title=f"资料{n:02d}",
            published_at=now - timedelta(minutes=n),
        )
        for n in range(25)
    ]
    return world


def test_articles_come_in_keyset_pages_newest_first(api, many):
    first = api.get("/api/articles/?page_size=10").json()
    assert set(first) == {"next", "previous", "results"}
    assert [a["title"] for a in first["results"]] == [f"资料{n:02d}" for n in range(10)]
    assert first["previous"] is None
    second = api.get(first["next"]).json()
    third = api.get(second["next"]).json()
    assert [a["title"] for a in third["results"]] == [f"资料{n:02d}" for n in range(20, 25)]
    assert third["next"] is None
    back = api.get(third["previous"]).json()
    assert [a["title"] for a in back["results"]] == [f"资料{n:02d}" for n in range(10, 20)]


def test_articles_published_at_the_same_moment_are_neither_lost_nor_repeated(api, world):
    when = timezone.now()
    for n in range(7):
        lf.article(world.county, audience=lf.A.PUBLIC, title=f"同时{n}", published_at=when)
    seen, url = [], "/api/articles/?page_size=3"
    while url:
        page = api.get(url).json()
        seen += [a["title"] for a in page["results"]]
        url = page["next"]
    assert sorted(seen) == sorted(f"同时{n}" for n in range(7)) and len(seen) == 7


def test_the_category_filter_uses_the_wire_values(api, many):
    theory = api.get("/api/articles/?category=theory&page_size=100").json()["results"]
    assert len(theory) == 12 and {a["category"] for a in theory} == {"theory"}
    bad = api.get("/api/articles/?category=THEORY")
    assert bad.status_code == 400 and "category" in bad.json()


def test_a_forged_cursor_is_a_400_not_a_500(api, many):
    for cursor in ("x1", "o1.2.3", "o999999999999999999.1", "n'; drop table"):
        response = api.get(f"/api/articles/?cursor={cursor}")
        assert response.status_code == 400, cursor
        assert "cursor" in response.json()


def test_list_queries_do_not_grow_with_the_page_size(as_user, many):
    client = as_user(many.member_a.user)

    def count(size):
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(f"/api/articles/?page_size={size}").status_code == 200
        return len(ctx)

    assert count(3) == count(20)


def test_the_detail_carries_the_glossary_fields_and_the_readers_record(as_user, world):
    from members.models import Skill

    skill = Skill.objects.create(name="电工")
    article = lf.article(
        world.county,
        audience=lf.A.COUNTY,
        category="training",
        target_skills=(skill,),
        target_provinces=("440000",),
        video_url="https://v.example.cn/1.mp4",
    )
    client = as_user(world.member_a.user)
    client.post(f"/api/articles/{article.pk}/study/", {}, format="json")
    data = client.get(f"/api/articles/{article.pk}/").json()
    assert data["category"] == "training" and data["audience"] == "county"
    assert data["organization"] == world.county.pk
    assert data["target_skills"] == ["电工"] and data["target_provinces"] == ["440000"]
    assert data["video_url"] == "https://v.example.cn/1.mp4"
    assert data["study"]["finished"] is False


def test_covers_get_thumbnails_and_are_served_only_to_readers(as_user, world):
    article = lf.article(world.committee_a, title="带封面")
    article_set_cover(actor=world.staff_a, article=article, upload=lf.jpeg())
    article.refresh_from_db()
    assert article.cover_srcset_widths == [320, 640, 960]
    reader = as_user(world.member_a.user)
    data = reader.get(f"/api/articles/{article.pk}/").json()
    assert set(data["cover"]) == {"original", "320", "640", "960"}
    response = reader.get(data["cover"]["320"])
    assert response.status_code == 200 and response["Content-Type"] == "image/jpeg"
    import io

    from PIL import Image

    assert Image.open(io.BytesIO(b"".join(response.streaming_content))).width == 320
    assert as_user(world.member_b.user).get(data["cover"]["320"]).status_code == 404
    assert as_user(None).get(data["cover"]["original"]).status_code == 404
    assert reader.get(f"/api/articles/{article.pk}/cover/12/").status_code == 400


def test_attachments_are_checked_by_content_and_served_only_to_readers(as_user, world):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from sanyuan.errors import ServiceError

    article = lf.article(world.committee_a)
    with pytest.raises(ServiceError):
        article_attachment_add(
            actor=world.staff_a,
            article=article,
            upload=SimpleUploadedFile("假的.pdf", b"MZ not a pdf"),
        )
    attachment = article_attachment_add(actor=world.staff_a, article=article, upload=lf.pdf())
    url = f"/api/articles/{article.pk}/attachments/{attachment.pk}/"
    ok = as_user(world.member_a.user).get(url)
    assert ok.status_code == 200 and ok["Content-Type"] == "application/pdf"
    assert "attachment;" in ok["Content-Disposition"]
    assert as_user(world.member_b.user).get(url).status_code == 404
    other = lf.article(world.committee_a)
    assert (
        as_user(world.member_a.user)
        .get(f"/api/articles/{other.pk}/attachments/{attachment.pk}/")
        .status_code
        == 404
    )


def test_search_finds_chinese_words_in_titles_and_bodies(api, world):
    lf.article(world.county, audience=lf.A.PUBLIC, title="学习党内法规", body="<p>纪律处分条例</p>")
    lf.article(world.county, audience=lf.A.PUBLIC, title="主题党日活动", body="<p>流动党员返乡</p>")
    lf.article(world.county, audience=lf.A.COUNTY, title="党内法规汇编（内部）")

    def titles(q):
        return [a["title"] for a in api.get("/api/articles/", {"q": q}).json()["results"]]

    assert titles("党内法规") == ["学习党内法规"]  # the county-wide one is not public
    assert titles("流动党员 返乡") == ["主题党日活动"]
    assert titles("纪律处分") == ["学习党内法规"]
    assert titles("党内法规 返乡") == []  # every word is required
    assert titles("！！") == []


def test_the_regulations_library_lists_issuing_body_and_document_number(client, world):
    lf.article(
        world.county,
        audience=lf.A.PUBLIC,
        category="regulation",
        title="中国共产党支部工作条例（试行）",
        issuing_body="中共中央",
        document_number="中发〔2018〕29号",
    )
    body = client.get("/study/regulations/").content.decode()
    assert "中发〔2018〕29号" in body and "中共中央" in body
    assert (
        "中发〔2018〕29号"
        not in client.get("/study/regulations/?issuing_body=中共中央组织部").content.decode()
    )
    with pytest.raises(Exception):  # noqa: B017 - a regulation needs its number or issuer
        lf.article(world.county, category="regulation", title="缺字号")
    assert not Article.objects.filter(title="缺字号").exists()


@pytest.mark.django_db(transaction=True)
def test_replacing_a_cover_deletes_the_old_files_after_commit_and_keeps_the_new(world):
    article = lf.article(world.county, audience=lf.A.PUBLIC)
    article_set_cover(actor=None, article=article, upload=lf.jpeg())
    article.refresh_from_db()
    storage, first = article.cover.storage, [article.cover.name, article.cover_320.name]
    article_set_cover(actor=None, article=article, upload=lf.jpeg(color=(0, 90, 0)))
    article.refresh_from_db()
    assert all(storage.exists(name) for name in (article.cover.name, article.cover_320.name))
    assert not any(storage.exists(name) for name in first)
