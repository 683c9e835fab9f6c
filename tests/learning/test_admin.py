"""The admin: scoped lists, writes through the services, regulations, feed sources, records."""

import pytest
from django.utils import timezone

from learning.models import Article, FeedSource, StudyRecord
from tests.factories import login_staff
from tests.learning import factories as lf

pytestmark = pytest.mark.django_db


def login(client, user):
    login_staff(client, user)
    return client


def form(**overrides):
    data = {
        "category": "news",
        "title": "后台新建的资料",
        "summary": "",
        "body": "<p>正文</p><script>alert(1)</script>",
        "audience": "subtree",
        "video_url": "",
        "issuing_body": "",
        "document_number": "",
        "effective_on": "",
        "attachments-TOTAL_FORMS": "0",
        "attachments-INITIAL_FORMS": "0",
        "attachments-MIN_NUM_FORMS": "0",
        "attachments-MAX_NUM_FORMS": "1000",
    }
    data.update(overrides)
    return data


def test_committee_staff_see_only_their_articles_in_the_admin(client, library):
    body = login(client, library.staff_a).get("/admin/learning/article/").content.decode()
    assert "城关街道的资料" in body and "陵前镇的资料" not in body and "全县的通知" not in body
    response = client.get(f"/admin/learning/article/{library.for_b.pk}/change/")
    assert response.status_code in (302, 404) and "陵前镇的资料" not in response.content.decode()


def test_staff_create_an_article_with_cover_through_the_service(client, world):
    login(client, world.staff_a)
    response = client.post(
        "/admin/learning/article/add/",
        form(organization=world.branch_a1.pk, publish_now="on", cover_upload=lf.jpeg()),
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    article = Article.objects.get(title="后台新建的资料")
    assert article.status == "published" and article.created_by == world.staff_a
    assert "<script" not in article.body and article.cover_320
    assert article.search_text


def test_committee_staff_cannot_choose_a_county_wide_audience_in_the_admin(client, world):
    login(client, world.staff_a)
    response = client.post(
        "/admin/learning/article/add/", form(organization=world.committee_a.pk, audience="county")
    )
    assert response.status_code == 200
    assert "县委组织部" in response.content.decode()
    outside = client.post("/admin/learning/article/add/", form(organization=world.branch_b1.pk))
    assert outside.status_code == 200
    assert not Article.objects.filter(title="后台新建的资料").exists()


def test_a_bad_cover_or_attachment_is_refused_with_a_chinese_message(client, world):
    from django.core.files.uploadedfile import SimpleUploadedFile

    login(client, world.staff_a)
    response = client.post(
        "/admin/learning/article/add/",
        form(
            organization=world.branch_a1.pk,
            cover_upload=SimpleUploadedFile("x.jpg", b"<svg onload=alert(1)>"),
            attachment_upload=SimpleUploadedFile("x.pdf", b"MZ exe"),
        ),
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "图片无法识别" in body and "按文件内容识别" in body
    assert not Article.objects.exists()


def test_scheduling_from_the_admin_leaves_a_draft_with_a_time(client, world):
    login(client, world.county_staff)
    when = timezone.localtime() + timezone.timedelta(days=1)
    response = client.post(
        "/admin/learning/article/add/",
        form(organization=world.county.pk, scheduled_at=when.strftime("%Y-%m-%dT%H:%M")),
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    article = Article.objects.get()
    assert article.status == "draft" and article.scheduled_at is not None


def test_admin_actions_publish_and_withdraw_through_the_services(client, world):
    draft = lf.article(world.branch_a1, published=False, category="announcement")
    login(client, world.staff_a)
    client.post(
        "/admin/learning/article/",
        {"action": "publish_selected", "_selected_action": [draft.pk]},
    )
    draft.refresh_from_db()
    assert draft.status == "published"
    client.post(
        "/admin/learning/article/",
        {"action": "withdraw_selected", "_selected_action": [draft.pk]},
    )
    draft.refresh_from_db()
    assert draft.status == "withdrawn"


def test_the_regulations_library_in_the_admin_shows_only_regulations(client, world):
    lf.article(
        world.county,
        category="regulation",
        title="支部工作条例",
        document_number="中发〔2018〕29号",
    )
    lf.article(world.county, title="一条新闻")
    body = login(client, world.county_staff).get("/admin/learning/regulation/").content.decode()
    assert "支部工作条例" in body and "中发〔2018〕29号" in body and "一条新闻" not in body


def test_feed_sources_are_the_county_tiers(client, world):
    FeedSource.objects.create(
        name="三原县党建", url="https://mp.weixin.qq.com/feed", organization=world.county
    )
    assert (
        "三原县党建"
        in login(client, world.county_staff).get("/admin/learning/feedsource/").content.decode()
    )
    client.logout()
    assert login(client, world.staff_a).get("/admin/learning/feedsource/").status_code == 403


def test_study_records_are_read_only_and_scoped(client, world, as_user):
    article = lf.article(world.county, audience=lf.A.COUNTY, title="全县学习")
    as_user(world.member_a.user).post(f"/api/articles/{article.pk}/study/", {}, format="json")
    as_user(world.member_b.user).post(f"/api/articles/{article.pk}/study/", {}, format="json")
    body = login(client, world.staff_a).get("/admin/learning/studyrecord/").content.decode()
    assert "张三" in body and "王五" not in body
    record = StudyRecord.objects.get(member=world.member_a)
    response = client.post(f"/admin/learning/studyrecord/{record.pk}/change/", {"seconds": 9999})
    record.refresh_from_db()
    assert record.seconds == 0
    assert response.status_code in (200, 403)
