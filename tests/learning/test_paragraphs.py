"""Paragraph breaks typed in the admin survive on members' phones: article bodies and activity
materials (rich text: typed text becomes paragraphs, sanitised), activity agendas and notice
bodies (plain text, shown with line breaks)."""

import re
from datetime import timedelta

import pytest
from django.test import Client

from activities.models import ActivityMaterial
from learning.models import Article
from members.models import Notice
from members.services.notices import Audience, notice_publish
from tests.activities import factories as af
from tests.factories import login_staff
from tests.learning.test_admin import form

pytestmark = pytest.mark.django_db

TYPED = "外出务工的党员同志们：\r\n\r\n请按时参加线上主题党日。\r\n有困难请联系支部。"


def member_client(world) -> Client:
    client = Client()
    client.force_login(world.member_a.user, backend="members.backends.MemberBackend")
    return client


def paragraphs(html: str) -> list[str]:
    return re.findall(r"<p>(.*?)</p>", html, re.S)


def test_an_article_typed_in_the_admin_keeps_its_paragraphs_on_the_phone(world):
    staff = login_staff(Client(), world.staff_a)
    response = staff.post(
        "/admin/learning/article/add/",
        form(organization=world.branch_a1.pk, body=TYPED, publish_now="on"),
    )
    assert response.status_code == 302
    article = Article.objects.get(title="后台新建的资料")
    assert paragraphs(article.body) == [
        "外出务工的党员同志们：",
        "请按时参加线上主题党日。<br>有困难请联系支部。",
    ]
    page = member_client(world).get(f"/articles/{article.pk}/").content.decode()
    assert "<p>外出务工的党员同志们：</p><p>请按时参加线上主题党日。<br>" in page


def test_an_article_saved_as_plain_text_before_shows_its_paragraphs_too(world):
    from tests.learning import factories as lf

    article = lf.article(world.branch_a1)
    Article.objects.filter(pk=article.pk).update(body=TYPED)  # as stored before the fix
    page = member_client(world).get(f"/articles/{article.pk}/").content.decode()
    assert "<p>外出务工的党员同志们：</p>" in page


def test_a_material_typed_in_the_admin_keeps_its_paragraphs(world):
    activity = af.activity(world.branch_a1, title="主题党日", starts_in=timedelta(days=2))
    staff = login_staff(Client(), world.staff_a)
    response = staff.post(
        "/admin/activities/activitymaterial/add/",
        {"activity": activity.pk, "kind": "study_material", "title": "学习提纲", "body": TYPED},
    )
    assert response.status_code == 302
    material = ActivityMaterial.objects.get(title="学习提纲")
    assert len(paragraphs(material.body)) == 2
    page = member_client(world).get(f"/activities/{activity.pk}/").content.decode()
    assert "<p>外出务工的党员同志们：</p>" in page


def test_an_agenda_and_a_notice_keep_their_line_breaks(world):
    activity = af.activity(
        world.branch_a1,
        title="支部党员大会",
        starts_in=timedelta(days=2),
        agenda="一、学习文件\n二、民主评议",
    )
    page = member_client(world).get(f"/activities/{activity.pk}/").content.decode()
    assert "一、学习文件<br>二、民主评议" in page
    notice_publish(
        audience=Audience.user(world.member_a.user),
        kind=Notice.Kind.SYSTEM,
        title="通知",
        body="第一段\n\n第二段",
    )
    notice = Notice.objects.get(title="通知")
    body = member_client(world).get(f"/notices/{notice.pk}/", follow=True).content.decode()
    assert "<p>第一段</p>" in body and "<p>第二段</p>" in body
