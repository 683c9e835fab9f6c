"""The member's pages (phone-first) and the staff's pages, with and without permission; the
WeChat browser flow (silent authorisation, then the payment sheet); exports; query counts."""

from datetime import date
from urllib.parse import parse_qs, urlsplit

import pytest
from openpyxl import load_workbook

from dues import months as m
from dues import services
from dues.models import DuesEntry, DuesReceipt
from members.models import AuditEvent
from tests.conftest import WECHAT_MP_APP
from tests.dues.factories import account
from tests.factories import MemberFactory, login_staff

pytestmark = pytest.mark.django_db
MEMBER_BACKEND = "members.backends.MemberBackend"


def _member_client(client, member):
    client.force_login(member.user, backend=MEMBER_BACKEND)
    return client


def test_my_dues_shows_what_i_owe_and_lets_me_declare(world, client, frozen_today):
    frozen_today(date(2026, 3, 10))
    account(world, base_fen=400_000)
    page = _member_client(client, world.member_a).get("/me/dues/").content.decode()
    assert "120.00" in page and "2026年3月" in page and "未交清" in page
    assert "尚未开通微信交纳党费" in page  # no merchant configured
    response = client.post("/me/dues/", {"year": "2026", "base": "abc"})
    assert response.status_code == 400 and "请填写正确的金额" in response.content.decode()
    response = client.post("/me/dues/", {"year": "2027", "base": "4500"})
    assert response.status_code == 302
    response = client.post("/me/dues/", {"year": "2027", "base": "4600"})
    assert response.status_code == 409 and "已申报" in response.content.decode()


def test_a_member_without_an_account_is_told_to_ask_the_branch(world, client):
    page = _member_client(client, world.member_a).get("/me/dues/").content.decode()
    assert "尚未为您设置党费类别" in page


def test_paying_in_the_wechat_browser(pay, client):
    client = _member_client(client, pay.w.member_a)
    response = client.get("/me/dues/pay/?months=2")
    assert response.status_code == 302
    target = urlsplit(response["Location"])
    query = parse_qs(target.query)
    assert query["scope"] == ["snsapi_base"] and query["appid"] == [WECHAT_MP_APP[0]]
    state = query["state"][0]
    code = pay.wechat.issue_oauth_code(WECHAT_MP_APP[0], "o-mp-member-a")
    forged = client.get(f"/me/dues/pay/?code={code}&state=forged")
    assert forged.status_code == 302 and not pay.fake.orders
    # the state is spent by a forged return: start again
    state = parse_qs(urlsplit(client.get("/me/dues/pay/?months=2")["Location"]).query)["state"][0]
    page = client.get(f"/me/dues/pay/?code={code}&state={state}")
    assert page.status_code == 200
    text = page.content.decode()
    assert "dues-pay-params" in text and "getBrandWCPayRequest" not in text and "80.00" in text
    (order,) = pay.fake.orders.values()
    assert order.openid == "o-mp-member-a" and order.appid == WECHAT_MP_APP[0]
    result = client.get(f"/me/dues/orders/{order.out_trade_no}/")
    assert "正在确认支付结果" in result.content.decode()
    pay.fake.pay(order.out_trade_no)  # the callback is slow: the member asks
    assert client.post(f"/me/dues/orders/{order.out_trade_no}/").status_code == 302
    result = client.get(f"/me/dues/orders/{order.out_trade_no}/").content.decode()
    assert "党费已交纳" in result and "查看电子收据" in result
    receipt = DuesReceipt.objects.get()
    assert client.get(f"/me/dues/receipts/{receipt.pk}/").status_code == 200


def test_another_members_order_and_receipt_are_404(world, client, frozen_today):
    frozen_today(date(2026, 3, 10))
    account(world, member=world.member_b)
    receipt = services.payment_record(
        actor=world.staff_b,
        member=world.member_b,
        months=1,
        method="cash",
        paid_on=date(2026, 3, 10),
    )
    client = _member_client(client, world.member_a)
    assert client.get(f"/me/dues/receipts/{receipt.pk}/").status_code == 404
    assert client.get("/me/dues/orders/DFNOPE/").status_code == 404


def test_staff_record_an_offline_payment_and_a_correction_on_the_page(world, client, frozen_today):
    frozen_today(date(2026, 3, 10))
    account(world)
    login_staff(client, world.staff_a)
    url = f"/staff/dues/members/{world.member_a.pk}/"
    assert "尚欠" in client.get(url).content.decode()
    bad = client.post(
        url, {"action": "payment", "months": "2", "method": "online", "paid_on": "2026-03-09"}
    )
    assert bad.status_code == 400
    ok = client.post(
        url,
        {
            "action": "payment",
            "months": "2",
            "method": "cash",
            "paid_on": "2026-03-09",
            "note": "支部大会上交",
        },
    )
    assert ok.status_code == 302
    entry = DuesEntry.objects.filter(kind="due").first()
    ok = client.post(
        url, {"action": "correction", "entry": entry.pk, "amount": "-5", "note": "基数有误"}
    )
    assert ok.status_code == 302
    assert DuesEntry.objects.filter(kind="correction").get().amount_fen == -500
    bad = client.post(url, {"action": "correction", "entry": entry.pk, "amount": "x", "note": ""})
    assert bad.status_code == 400
    assert DuesEntry.objects.filter(kind="correction").count() == 1


def test_the_standing_list_costs_the_same_queries_for_more_members(
    world, client, frozen_today, django_assert_max_num_queries
):
    frozen_today(date(2026, 3, 10))
    account(world)
    login_staff(client, world.staff_a)
    client.get("/staff/dues/")  # warm the grants cache

    def count():
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as ctx:
            assert client.get("/staff/dues/").status_code == 200
        return len(ctx.captured_queries)

    few = count()
    for _ in range(15):
        account(world, member=MemberFactory(organization=world.branch_a1))
    assert count() == few


def test_exports_per_branch_month_and_year(world, client, frozen_today):
    import io

    frozen_today(date(2026, 3, 10))
    account(world)
    services.payment_record(
        actor=world.staff_a,
        member=world.member_a,
        months=2,
        method="cash",
        paid_on=date(2026, 3, 9),
    )
    login_staff(client, world.staff_a)
    month = client.get(
        f"/staff/dues/ledger/?organization={world.branch_a1.pk}&month=2026-02&export=xlsx"
    )
    rows = list(load_workbook(io.BytesIO(month.content)).active.values)
    assert rows[0][:4] == ("姓名", "党组织", "应交（元）", "实交（元）")
    assert (world.member_a.name, world.branch_a1.name, "40.00", "40.00", "已交清") in rows
    year = client.get(
        f"/staff/dues/ledger/?organization={world.branch_a1.pk}&year=2026&export=xlsx"
    )
    rows = list(load_workbook(io.BytesIO(year.content)).active.values)
    mine = next(r for r in rows if r[0] == world.member_a.name)
    assert mine[2:4] == ("40.00", "40.00") and mine[-1] == "80.00"
    behind = client.get("/staff/dues/?behind=1&export=xlsx")
    names = [r[0] for r in load_workbook(io.BytesIO(behind.content)).active.values]
    assert world.member_a.name in names
    assert AuditEvent.objects.filter(action="dues.export").count() == 3
    # committee B's branch is not committee A's to export
    other = client.get(f"/staff/dues/ledger/?organization={world.branch_b1.pk}&export=xlsx")
    assert other.status_code == 404


def test_the_county_sees_totals_per_committee(world, client, frozen_today):
    frozen_today(date(2026, 3, 10))
    account(world)
    account(world, member=world.member_b)
    services.payment_record(
        actor=world.staff_a,
        member=world.member_a,
        months=3,
        method="cash",
        paid_on=date(2026, 3, 9),
    )
    login_staff(client, world.county_staff)
    response = client.get(f"/api/dues/totals/?organization={world.county.pk}&year=2026")
    rows = {row["name"]: row for row in response.json()}
    assert rows[world.committee_a.name]["paid_fen"] == 12_000
    assert rows[world.committee_b.name]["paid_fen"] == 0
    page = client.get(f"/staff/dues/totals/?organization={world.county.pk}&year=2026")
    assert world.committee_a.name in page.content.decode()
    assert m.label(date(2026, 3, 1)) == "2026年3月"
