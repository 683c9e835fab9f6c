"""The installable app: manifest, icons, service worker, offline page, the per-person offline
key, the precache list, and 大字模式 (page switch and API)."""

import json
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from PIL import Image

from learning.models import StudyRecord
from learning.services.study import study_record_touch
from sanyuan.pwa import offline_key
from tests.activities import factories as af
from tests.conftest import client_for
from tests.learning import factories as lf

pytestmark = pytest.mark.django_db


def _session(user=None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def test_the_manifest_makes_the_site_installable_in_chinese():
    response = Client().get(reverse("pwa-manifest"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/manifest+json"
    data = json.loads(response.content)
    assert data["name"] == "同心三原 流动e家"
    assert data["short_name"] == "流动e家"
    assert data["lang"] == "zh-Hans"
    assert data["display"] == "standalone"
    assert data["theme_color"] == "#b7141b"
    assert data["start_url"].startswith("/")
    purposes = {(icon["sizes"], icon.get("purpose", "any")) for icon in data["icons"]}
    assert {("192x192", "any"), ("512x512", "any"), ("512x512", "maskable")} <= purposes


@pytest.mark.parametrize(
    "name,size", [("icon-192.png", 192), ("icon-512.png", 512), ("icon-maskable-512.png", 512)]
)
def test_the_icons_are_png_files_of_their_stated_size(name, size):
    with Image.open(Path(settings.BASE_DIR) / "static" / "img" / name) as image:
        assert image.format == "PNG"
        assert image.size == (size, size)
        # The red of the design fills the corner of the maskable icon (full bleed).
        if "maskable" in name:
            assert image.convert("RGB").getpixel((2, 2)) == (183, 20, 27)


def test_the_service_worker_is_served_at_the_root_and_never_from_the_http_cache():
    response = Client().get("/sw.js")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/javascript")
    assert response["Service-Worker-Allowed"] == "/"
    assert "no-cache" in response["Cache-Control"]
    source = response.content.decode()
    assert '"VERSION"' not in source  # replaced by a version hash
    assert "/offline/" in source and "/static/css/app.css" in source
    assert "{%" not in source and "{{" not in source


def test_pages_register_the_worker_from_a_deferred_file_without_inline_script(world):
    html = _session(world.member_a.user).get(reverse("learning:home")).content.decode()
    assert '<link rel="manifest" href="/manifest.webmanifest">' in html
    assert '<script src="/static/js/app.js" defer></script>' in html
    assert "<script>" not in html and " style=" not in html and " onclick=" not in html


def test_the_offline_key_is_opaque_stable_and_different_per_person(world):
    key_a = offline_key(world.member_a.user)
    assert key_a == offline_key(world.member_a.user)
    assert key_a != offline_key(world.member_b.user)
    assert str(world.member_a.user.pk) != key_a and world.member_a.name not in key_a
    assert len(key_a) == 32


def test_html_responses_tell_the_worker_whose_page_it_is(world):
    response = _session(world.member_a.user).get(reverse("learning:home"))
    assert response["X-Offline-Key"] == offline_key(world.member_a.user)
    assert f'<meta name="offline-key" content="{offline_key(world.member_a.user)}">' in (
        response.content.decode()
    )
    assert _session().get(reverse("members:login"))["X-Offline-Key"] == "anon"
    api = client_for(world.member_a.user).get(reverse("api:me"))
    assert "X-Offline-Key" not in api


def test_the_archive_says_no_store_so_the_worker_never_keeps_it(world):
    response = _session(world.member_a.user).get(reverse("members:my-archive"))
    assert response["Cache-Control"] == "no-store"


def test_the_offline_page_carries_nothing_personal(world):
    response = _session(world.member_a.user).get(reverse("pwa-offline"))
    html = response.content.decode()
    assert response.status_code == 200
    assert world.member_a.name not in html
    assert 'name="offline-key"' not in html
    assert "data-offline-list" in html


def test_the_precache_list_names_a_members_upcoming_activities_materials_inbox_and_articles(
    world,
):
    member = world.member_a
    upcoming = af.activity(world.branch_a1, title="十二月主题党日")
    from activities.services.materials import material_add

    material = material_add(
        user=world.staff_a,
        activity=upcoming,
        kind="study_material",
        title="学习资料",
        upload=af.pdf_upload(),
    )
    past = af.past(world.branch_a1, title="十月支部党员大会")
    other = af.activity(world.branch_b1, title="别的支部的活动")
    opened = lf.article(world.county, audience=lf.A.COUNTY, title="读过的文章")
    study_record_touch(member=member, article=opened)

    response = _session(member.user).get(reverse("pwa-precache"))

    assert response.status_code == 200
    assert "no-cache" in response["Cache-Control"] or "no-store" in response["Cache-Control"]
    data = response.json()
    assert data["key"] == offline_key(member.user)
    urls = data["urls"]
    assert reverse("activities:detail", args=[upcoming.pk]) in urls
    assert reverse("activities:material-file", args=[material.pk]) in urls
    assert reverse("activities:detail", args=[past.pk]) not in urls
    assert reverse("activities:detail", args=[other.pk]) not in urls
    assert reverse("members:notices") in urls
    assert reverse("learning:article", args=[opened.pk]) in urls
    assert not any(url.startswith(("/me/", "/api/", "/staff/", "/admin/")) for url in urls)


def test_the_precache_list_is_empty_for_visitors():
    data = Client().get(reverse("pwa-precache")).json()
    assert data == {"key": "anon", "urls": []}


def test_the_precache_list_costs_the_same_queries_for_many_activities(
    world, django_assert_max_num_queries
):
    for n in range(8):
        af.activity(world.branch_a1, title=f"活动{n}")
    client = _session(world.member_a.user)
    client.get(reverse("pwa-precache"))  # warm the session
    with django_assert_max_num_queries(14):
        client.get(reverse("pwa-precache"))


def test_the_workers_prefetch_of_an_article_does_not_count_as_reading_it(world):
    article = lf.article(world.county, audience=lf.A.COUNTY)
    client = _session(world.member_a.user)
    response = client.get(
        reverse("learning:article", args=[article.pk]), HTTP_X_OFFLINE_PREFETCH="1"
    )
    assert response.status_code == 200
    assert not StudyRecord.objects.filter(member=world.member_a, article=article).exists()
    client.get(reverse("learning:article", args=[article.pk]))
    assert StudyRecord.objects.filter(member=world.member_a, article=article).exists()


# 大字模式 -----------------------------------------------------------------------------------


def test_a_member_switches_large_text_on_in_me_and_every_page_follows(world):
    client = _session(world.member_a.user)
    me = client.get(reverse("members:me")).content.decode()
    assert "开启大字模式" in me
    assert 'class="large-text"' not in me

    response = client.post(
        reverse("members:display-preferences"), {"large_text": "1", "next": "/me/"}
    )
    assert response.status_code == 302 and response["Location"] == "/me/"
    home = client.get(reverse("learning:home")).content.decode()
    assert '<html lang="zh-Hans" class="large-text">' in home
    assert 'large-text">' in home.split("<body", 1)[1].split(">", 1)[0] + ">"
    assert "关闭大字模式" in client.get(reverse("members:me")).content.decode()


def test_large_text_follows_the_member_to_another_device(world):
    _session(world.member_a.user).post(reverse("members:display-preferences"), {"large_text": "1"})
    other_phone = _session(world.member_a.user)
    assert 'class="large-text"' in other_phone.get(reverse("activities:list")).content.decode()


def test_the_display_api_reads_and_sets_large_text(world):
    client = client_for(world.member_a.user)
    url = reverse("api:me-display")
    assert client.get(url).json() == {"large_text": False}
    assert client.put(url, {"large_text": True}, format="json").json() == {"large_text": True}
    world.member_a.user.refresh_from_db()
    assert world.member_a.user.large_text is True
    assert client.patch(url, {"large_text": False}, format="json").json() == {"large_text": False}


def test_the_display_api_refuses_bad_input_in_chinese_and_changes_nothing(world):
    client = client_for(world.member_a.user)
    url = reverse("api:me-display")
    response = client.put(url, {"large_text": "也许"}, format="json")
    assert response.status_code == 400
    assert "true 或 false" in response.json()["large_text"][0]
    assert client.put(url, {}, format="json").status_code == 400
    world.member_a.user.refresh_from_db()
    assert world.member_a.user.large_text is False


def test_the_display_api_serves_staff_too_and_refuses_visitors(world, api):
    url = reverse("api:me-display")
    assert (
        client_for(world.staff_a).put(url, {"large_text": True}, format="json").status_code == 200
    )
    assert api.get(url).status_code == 401


def test_an_unchanged_service_worker_costs_a_304():
    first = Client().get("/sw.js")
    again = Client().get("/sw.js", HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 304 and again.content == b""
    assert again["Service-Worker-Allowed"] == "/"
    assert Client().get("/sw.js", HTTP_IF_NONE_MATCH='"other"').status_code == 200


def test_pages_fetched_ahead_and_the_offline_page_leave_flash_messages_for_the_person(world):
    client = _session(world.member_a.user)
    client.post(reverse("members:display-preferences"), {"large_text": "1", "next": "/me/"})
    # The worker fetches ahead (or installs) between the POST and the redirected page.
    ahead = client.get(reverse("members:notices"), HTTP_X_OFFLINE_PREFETCH="1")
    assert "已开启大字模式" not in ahead.content.decode()
    assert "已开启大字模式" not in client.get(reverse("pwa-offline")).content.decode()
    assert "已开启大字模式" in client.get(reverse("members:me")).content.decode()
