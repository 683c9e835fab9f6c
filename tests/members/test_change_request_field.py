"""申请修改 one row of 我的档案 (issue 20 item 7): the row's field only, the reason and a
photo, through the same change-request service and review; the destination with cascading
selects that work without JavaScript by a two-step submit."""

import pytest

from members.models import ChangeRequest, Member
from members.services.changes import change_request_approve

pytestmark = pytest.mark.django_db


@pytest.fixture
def member_client(world, client):
    client.force_login(world.member_a.user, backend="members.backends.MemberBackend")
    return client


def test_each_editable_row_of_the_archive_links_to_its_own_form(world, member_client):
    page = member_client.get("/me/archive/").content.decode()
    for row in ("name", "phone", "education", "destination", "employer", "skills"):
        assert f'href="/me/archive/change/{row}/"' in page
    assert "/me/archive/change/id_number/" not in page
    assert 'href="/me/archive/change/phone/"' in member_client.get("/me/").content.decode()


def test_the_phone_form_shows_the_phone_and_the_reason_only(world, member_client):
    response = member_client.get("/me/archive/change/phone/")
    assert response.status_code == 200
    form = response.context["form"]
    assert list(form.fields) == ["phone", "reason"]
    body = response.content.decode()
    assert "修改手机号码" in body and "民族" not in body and "依据照片" in body


@pytest.mark.parametrize(
    "row", ["id_number", "mindset_note", "destination_city", "status", "honours", "nope"]
)
def test_a_row_a_member_may_not_change_is_a_chinese_404_and_nothing_is_saved(
    world, member_client, row
):
    for response in (
        member_client.get(f"/me/archive/change/{row}/"),
        member_client.post(f"/me/archive/change/{row}/", {row: "x", "reason": "理由写全"}),
    ):
        assert response.status_code == 404
        assert "这一项不能由本人申请修改" in response.content.decode()
    assert not ChangeRequest.objects.exists()


def test_the_phone_is_asked_for_and_other_fields_sent_along_are_ignored(world, member_client):
    response = member_client.post(
        "/me/archive/change/phone/",
        {"phone": "13912345678", "reason": "换了新手机号", "name": "王五", "employer": "某公司"},
    )
    assert response.status_code == 302
    request = ChangeRequest.objects.get()
    assert list(request.changes) == ["phone"]
    change_request_approve(staff=world.staff_a, change_request=request, comment="已核对")
    member = Member.objects.get(pk=world.member_a.pk)
    assert member.phone == "13912345678" and member.name == world.member_a.name


def test_a_bad_value_or_no_reason_is_a_chinese_400_and_nothing_is_saved(world, member_client):
    bad = member_client.post("/me/archive/change/phone/", {"phone": "12", "reason": "换号"})
    assert bad.status_code == 400 and "手机号码" in bad.content.decode()
    same = member_client.post(
        "/me/archive/change/phone/", {"phone": world.member_a.phone, "reason": "没变"}
    )
    assert same.status_code == 400 and "没有需要修改的地方" in same.content.decode()
    none = member_client.post("/me/archive/change/phone/", {"phone": "13912345678"})
    assert none.status_code == 400 and "申请理由" in none.content.decode()
    assert not ChangeRequest.objects.exists()


def test_the_destination_lists_the_chosen_provinces_cities_in_two_steps(world, member_client):
    first = member_client.get("/me/archive/change/destination/")
    assert list(first.context["form"].fields) == [
        "destination_province",
        "destination_city",
        "destination_district",
        "reason",
    ]
    step = member_client.post(
        "/me/archive/change/destination/",
        {"destination_province": "440000", "reason": "到深圳打工", "step": "regions"},
    )
    assert step.status_code == 200
    cities = dict(step.context["form"].fields["destination_city"].choices)
    assert "440300" in cities and "610100" not in cities and len(cities) < 30
    assert "到深圳打工" in step.content.decode()
    step = member_client.post(
        "/me/archive/change/destination/",
        {"destination_province": "440000", "destination_city": "440300", "step": "regions"},
    )
    districts = dict(step.context["form"].fields["destination_district"].choices)
    assert "440306" in districts and "440106" not in districts
    assert not ChangeRequest.objects.exists()
    done = member_client.post(
        "/me/archive/change/destination/",
        {
            "destination_province": "440000",
            "destination_city": "440300",
            "destination_district": "440306",
            "reason": "到深圳宝安打工",
        },
    )
    assert done.status_code == 302
    assert set(ChangeRequest.objects.get().changes) == {
        "destination_province",
        "destination_city",
        "destination_district",
    }


def test_a_city_of_another_province_is_refused_in_chinese(world, member_client):
    response = member_client.post(
        "/me/archive/change/destination/",
        {"destination_province": "440000", "destination_city": "610100", "reason": "到西安"},
    )
    assert response.status_code == 400 and "流入城市" in response.content.decode()
    assert not ChangeRequest.objects.exists()


def test_a_pending_request_sends_the_member_to_it_first(world, member_client):
    member_client.post("/me/archive/change/phone/", {"phone": "13912345678", "reason": "换号"})
    response = member_client.get("/me/archive/change/employer/")
    assert response.status_code == 302 and response["Location"] == "/me/archive/changes/"


def test_the_destination_form_reads_the_region_tree_once_per_process(
    world, member_client, django_assert_num_queries
):
    member_client.get("/me/archive/change/destination/")
    # session, user, member, pending request: the 3,400 regions come from the process cache
    with django_assert_num_queries(4):
        response = member_client.get("/me/archive/change/destination/")
    assert len(response.context["form"].fields["destination_province"].choices) > 30
