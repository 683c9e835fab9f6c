"""Member pages (我的 → 组织关系转接) and staff pages, each tier, in and out of scope; the
printable letter page."""

import pytest
from django.utils import timezone

from members.models import AuditEvent, Member
from tests.factories import login_staff
from tests.transfers import factories as tf
from transfers.models import Transfer

pytestmark = pytest.mark.django_db
S = Transfer.Status


@pytest.fixture
def login(client):
    def as_(user):
        client.logout()
        if user is not None:
            login_staff(client, user, backend=None)
        return client

    return as_


def test_a_member_asks_on_the_page_and_withdraws(tw, login):
    client = login(tw.member_a.user)
    page = client.get("/me/transfers/")
    assert page.status_code == 200
    body = page.content.decode()
    assert "申请县内转接" in body and "陵前村党支部" in body and "泾阳某村党支部" not in body
    response = client.post(
        "/me/transfers/", {"to_organization": tw.branch_b1.pk, "reason": "已在陵前镇定居"}
    )
    transfer = Transfer.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/me/transfers/{transfer.pk}/"
    detail = client.get(response["Location"]).content.decode()
    assert "待转出方审批" in detail and "撤回申请" in detail and "本人" in detail
    client.post(f"/me/transfers/{transfer.pk}/", {"reason": "暂不转了"})
    transfer.refresh_from_db()
    assert transfer.status == S.WITHDRAWN
    assert "撤回申请" not in client.get(f"/me/transfers/{transfer.pk}/").content.decode()


def test_the_member_page_shows_a_bad_destination_as_a_form_error(tw, login):
    client = login(tw.member_a.user)
    response = client.post("/me/transfers/", {"to_organization": "", "reason": "x"})
    assert response.status_code == 400
    assert not Transfer.objects.exists()


def test_the_member_page_answers_409_with_a_message_when_already_transferring(tw, login):
    tf.prepared(tw)
    client = login(tw.member_a.user)
    body = client.get("/me/transfers/").content.decode()
    assert "正在办理" in body and "申请县内转接" not in body
    response = client.post(
        "/me/transfers/", {"to_organization": tw.branch_b1.pk, "reason": "x"}, follow=True
    )
    assert "正在办理" in response.content.decode()
    assert Transfer.objects.count() == 1


@pytest.mark.parametrize(
    ("who", "status"), [("member_b", 404), ("staff_a", 403), ("anonymous", 302)]
)
def test_only_the_member_opens_their_transfer_page(tw, login, who, status):
    transfer = tf.requested(tw)
    user = {"member_b": tw.member_b.user, "staff_a": tw.staff_a, "anonymous": None}[who]
    assert login(user).get(f"/me/transfers/{transfer.pk}/").status_code == status


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("county_staff", 200),
        ("staff_a", 200),
        ("staff_b", 404),
        ("host_staff", 403),
        ("member", 403),
    ],
)
def test_the_staff_detail_page_per_tier(tw, login, who, status):
    transfer = tf.requested(tw, to=tw.branch_a2)
    user = tw.member_a.user if who == "member" else getattr(tw, who)
    response = login(user).get(f"/staff/transfers/{transfer.pk}/")
    assert response.status_code == status
    if status == 200:
        assert "同意转出" in response.content.decode()


@pytest.mark.parametrize(
    "url",
    [
        "/staff/transfers/",
        "/staff/transfers/candidates/",
        "/staff/transfers/incoming/new/",
    ],
)
@pytest.mark.parametrize(
    ("who", "status"),
    [("county_staff", 200), ("staff_a", 200), ("host_staff", 403), ("member", 403)],
)
def test_staff_pages_per_tier(tw, login, url, who, status):
    user = tw.member_a.user if who == "member" else getattr(tw, who)
    assert login(user).get(url).status_code == status


def test_anonymous_visitors_are_sent_to_log_in(tw, login):
    for url in ("/staff/transfers/", "/me/transfers/"):
        response = login(None).get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_the_staff_list_shows_transfers_in_scope_with_figures(tw, login):
    tf.requested(tw, to=tw.branch_a2)
    body = login(tw.staff_b).get("/staff/transfers/").content.decode()
    assert "张三" not in body and "没有符合条件" in body
    body = login(tw.staff_a).get("/staff/transfers/?status=open").content.decode()
    assert "张三" in body and "待转出方审批" in body


def test_staff_take_the_steps_on_the_page(tw, login):
    committee, county = tw.staff_a, tw.county_staff
    client = login(committee)
    response = client.post(
        f"/staff/transfers/outgoing/new/?member={tw.member_a.pk}",
        {"to_name": "中共深圳市宝安区委组织部", "reason": "在深圳定居"},
    )
    transfer = Transfer.objects.get()
    assert response.status_code == 302
    body = client.get(f"/staff/transfers/{transfer.pk}/").content.decode()
    assert "开具介绍信" not in body.split("办理记录")[0].split("转接原因")[1]
    client = login(county)
    assert "开具介绍信" in client.get(f"/staff/transfers/{transfer.pk}/").content.decode()
    bad = client.post(
        f"/staff/transfers/{transfer.pk}/",
        {"step": "issue_letter", "number": "SX-1", "validity_days": 120, "dues_paid_until": "x"},
    )
    assert bad.status_code == 400 and "1至90天" in bad.content.decode()
    done = client.post(
        f"/staff/transfers/{transfer.pk}/",
        {
            "step": "issue_letter",
            "number": "SX2026-0001",
            "validity_days": 30,
            "dues_paid_until": tf.last_month(),
        },
        follow=True,
    )
    assert "第SX2026-0001号已开具" in done.content.decode()
    again = client.post(
        f"/staff/transfers/{transfer.pk}/",
        {"step": "issue_letter", "number": "SX2026-0002", "validity_days": 30},
        follow=True,
    )
    assert "不能开具介绍信" in again.content.decode()
    client = login(committee)
    client.post(
        f"/staff/transfers/{transfer.pk}/",
        {"step": "record_receipt", "reported_on": timezone.localdate().isoformat()},
    )
    transfer.refresh_from_db()
    assert transfer.status == S.RECEIPT_RECORDED


def test_the_letter_page_prints_all_three_parts_and_is_audited(tw, login):
    transfer = tf.issued(tw)
    response = login(tw.staff_a).get(f"/staff/transfers/{transfer.pk}/letter/")
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    body = response.content.decode()
    for text in (
        "（存根）",
        "中国共产党党员组织关系介绍信回执",
        "请转接组织关系",
        "（盖章）",
        "骑缝章",
    ):
        assert text in body
    assert tw.member_a.id_number in body
    assert "叁拾" in body  # the validity in capitals
    assert "style=" not in body  # the CSP allows no inline style
    letter = transfer.letters.get()
    assert letter.printed_count == 1
    assert AuditEvent.objects.filter(action="transfer.letter_print", actor=tw.staff_a).exists()
    assert login(tw.staff_b).get(f"/staff/transfers/{transfer.pk}/letter/").status_code == 404
    assert login(tw.host_staff).get(f"/staff/transfers/{transfer.pk}/letter/").status_code == 403
    letter.refresh_from_db()
    assert letter.printed_count == 1


def test_the_receipt_page_of_an_incoming_member(tw, login):
    transfer = tf.registered(tw)
    body = login(tw.staff_a).get(f"/staff/transfers/{transfer.pk}/receipt/").content.decode()
    assert "中国共产党党员组织关系介绍信回执" in body and "（存根）" not in body
    assert "中共西安市雁塔区委组织部" in body
    # An incoming transfer has no three-part letter to print here: back to the page.
    response = login(tw.staff_a).get(f"/staff/transfers/{transfer.pk}/letter/", follow=True)
    assert response.redirect_chain[-1][0] == f"/staff/transfers/{transfer.pk}/"
    assert "不能打印介绍信" in response.content.decode()
    # An outgoing transfer awaiting its letter has no receipt yet: back to the page, no 500.
    prepared = tf.prepared(tw)
    printed = AuditEvent.objects.filter(action="transfer.receipt_print").count()
    response = login(tw.staff_a).get(f"/staff/transfers/{prepared.pk}/receipt/", follow=True)
    assert response.redirect_chain[-1][0] == f"/staff/transfers/{prepared.pk}/"
    assert "不能打印回执" in response.content.decode()
    assert AuditEvent.objects.filter(action="transfer.receipt_print").count() == printed


def test_staff_register_an_incoming_member_on_the_page(tw, login):
    client = login(tw.staff_a)
    values = tf.incoming_values(tw)
    payload = {
        **values,
        "organization": tw.branch_a1.pk,
        "letter_issued_on": values["letter_issued_on"].isoformat(),
        "status": "away",
        "joined_party_on": "",
    }
    response = client.post("/staff/transfers/incoming/new/", payload)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert Member.objects.filter(name="周建华", organization=tw.branch_a1).exists()
    again = client.post("/staff/transfers/incoming/new/", payload)
    assert again.status_code == 409 and "已经使用过" in again.content.decode()


def test_the_member_page_links_to_transfers(tw, login):
    assert "/me/transfers/" in login(tw.member_a.user).get("/me/").content.decode()
