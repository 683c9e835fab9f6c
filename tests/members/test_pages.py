import pytest

from sanyuan import keyset
from tests import factories
from tests.factories import login_staff

pytestmark = pytest.mark.django_db


def test_the_home_page_is_public(client, db):
    response = client.get("/")
    assert response.status_code == 200
    assert "首页" in response.content.decode()


@pytest.mark.parametrize("url", ["/me/", "/activities/", "/forum/"])
def test_member_pages_ask_anonymous_visitors_to_log_in(client, db, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response.url.startswith("/accounts/login/")


def test_me_shows_the_masked_id_number_never_the_full_one(client, world):
    client.force_login(world.member_a.user, backend="members.backends.MemberBackend")
    body = client.get("/me/").content.decode()
    assert world.member_a.id_number_masked in body
    assert world.member_a.id_number not in body


def test_staff_are_sent_from_me_to_their_workbench(client, world):
    client.force_login(world.staff_a, backend="members.backends.StaffBackend")
    response = client.get("/me/")
    assert response.status_code == 302 and response.url == "/staff/"
    assert "城关街道党工委" in client.get("/staff/").content.decode()


def test_activation_pages_never_echo_the_full_id_number(client, world):
    member = world.member_a2
    response = client.post(
        "/accounts/activate/",
        {"name": member.name, "id_number": member.id_number, "source": "staff"},
    )
    assert response.status_code == 302
    body = client.get("/accounts/activate/confirm/").content.decode()
    assert member.id_number_masked in body and member.id_number not in body
    # The identity waits in the session encrypted.
    assert member.id_number not in str(dict(client.session))


def test_an_open_redirect_after_login_is_refused(client, world):
    response = client.post(
        "/accounts/login/?next=https://evil.example/",
        {
            "name": "张三",
            "id_number": world.member_a.id_number,
            "password": factories.PASSWORD,
            "next": "https://evil.example/",
        },
    )
    assert response.status_code == 302 and response.url == "/"


def test_api_docs_and_schema_work_offline(client, db):
    schema = client.get("/api/schema/")
    assert schema.status_code == 200
    assert b"/api/auth/register/" in schema.content
    docs = client.get("/api/docs/")
    assert docs.status_code == 200
    assert b"cdn" not in docs.content.lower()


def test_no_registry_page_shows_a_full_id_number(client, world):
    from members.services.changes import change_request_submit

    request = change_request_submit(
        member=world.member_a, changes={"employer": "新单位"}, reason="换工作"
    )
    full = [world.member_a.id_number, world.member_a2.id_number, world.member_b.id_number]
    login_staff(client, world.county_staff)
    for url in [
        "/staff/members/",
        f"/staff/members/{world.member_a.pk}/",
        "/staff/change-requests/",
        f"/staff/change-requests/{request.pk}/",
        "/staff/contacts/overdue/",
        f"/admin/members/member/{world.member_a.pk}/change/",
        "/admin/members/member/",
    ]:
        response = client.get(url)
        assert response.status_code == 200, url
        body = response.content.decode()
        assert not any(number in body for number in full), url
    client.force_login(world.member_a.user, backend="members.backends.MemberBackend")
    for url in [
        "/me/",
        "/me/archive/",
        "/me/archive/change/",
        f"/me/archive/changes/{request.pk}/",
        "/me/archive/history/",
    ]:
        response = client.get(url)
        assert response.status_code in (200, 302), url
        assert world.member_a.id_number not in response.content.decode(), url


def test_the_archive_page_is_never_cached(client, world):
    client.force_login(world.member_a.user, backend="members.backends.MemberBackend")
    assert client.get("/me/archive/")["Cache-Control"] == "no-store"


def test_staff_pages_are_for_staff_and_scoped(client, world):
    client.force_login(world.member_a.user, backend="members.backends.MemberBackend")
    assert client.get("/staff/members/").status_code == 403
    client.force_login(world.staff_b, backend="members.backends.StaffBackend")
    assert client.get(f"/staff/members/{world.member_a.pk}/").status_code == 404
    body = client.get("/staff/members/").content.decode()
    assert "王五" in body and "张三" not in body


def test_the_member_change_request_form_submits_only_what_changed(client, world):
    from members.models import ChangeRequest

    client.force_login(world.member_a.user, backend="members.backends.MemberBackend")
    form = client.get("/me/archive/change/")
    assert form.status_code == 200
    member = world.member_a
    response = client.post(
        "/me/archive/change/",
        {
            "name": member.name,
            "phone": member.phone,
            "ethnicity": member.ethnicity,
            "employer": "宁波某模具厂",
            "reason": "换了工作",
        },
    )
    assert response.status_code == 302, response.content.decode()[-3000:]
    request = ChangeRequest.objects.get()
    assert set(request.changes) == {"employer"}


def test_change_request_lists_name_the_fields_in_chinese(client, world):
    from members.services.changes import change_request_submit

    change_request_submit(
        member=world.member_a,
        changes={"employer": "新单位", "phone": "13800138000"},
        reason="换工作",
    )
    login_staff(client, world.county_staff)
    for url in ["/staff/change-requests/", "/admin/members/changerequest/"]:
        body = client.get(url).content.decode()
        assert "工作单位" in body, url
        assert ">employer" not in body and "employer," not in body, url


def test_the_first_page_link_shows_only_beyond_the_first_page(client, world):
    login_staff(client, world.county_staff)
    for url in ["/staff/members/", "/staff/audit/"]:
        assert "第一页" not in client.get(url).content.decode(), url
        cursor = keyset.encode("n", (999999999,))  # one shared cursor format (sanyuan.keyset)
        later = client.get(url + "?cursor=" + cursor).content.decode()
        assert "第一页" in later, url
