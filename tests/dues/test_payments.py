"""Online payment against the local fake of WeChat Pay API v3: orders, the signed callback
(forged: refused; repeated: counted once), a lost callback found by the query task, closing
expired orders, refunds and their callback, and the reconciliation against the trade bill."""

from datetime import timedelta

import pytest
from django.utils import timezone

from dues import months as m
from dues import services
from dues.models import DuesAccount, DuesEntry, DuesOrder, DuesReceipt, DuesReconciliation
from members.models import NoticeRecipient
from tests.conftest import WECHAT_MINI_APP, client_for
from tests.fakes.wechatpay_keys import rsa_key

pytestmark = pytest.mark.django_db
NOTIFY = "/api/payments/wechat/notify/"


def _order(pay, months=3):
    code = pay.wechat.issue_js_code(WECHAT_MINI_APP[0], "o-member-a")
    response = client_for(pay.w.member_a.user).post(
        "/api/me/dues/orders/", {"months": months, "code": code}, format="json"
    )
    assert response.status_code == 201, response.content
    return response.json()


def _post(client, callback):
    return client.post(
        NOTIFY, data=callback.body, content_type="application/json", headers=callback.headers
    )


def test_an_order_opens_the_payment_sheet_for_the_owed_months(pay):
    body = _order(pay, months=3)
    assert body["amount_fen"] == 12_000 and body["status"] == "pending"
    assert set(body["payment"]) == {"timeStamp", "nonceStr", "package", "signType", "paySign"}
    fake_order = pay.fake.orders[(pay.mchid, body["out_trade_no"])]
    assert fake_order.total == 12_000 and fake_order.openid == "o-member-a"
    assert not DuesEntry.objects.exists()  # nothing is written before WeChat Pay says paid


def test_the_paid_callback_records_once_and_a_forged_one_is_refused(pay, client):
    body = _order(pay, months=5)  # three owed months and two ahead
    callback = pay.fake.pay(body["out_trade_no"])
    # forged: signed with another key
    forged = pay.fake.make_callback(
        mchid=pay.mchid,
        event_type="TRANSACTION.SUCCESS",
        summary="支付成功",
        original_type="transaction",
        resource=pay.fake.transaction(pay.fake.orders[(pay.mchid, body["out_trade_no"])]),
        key=rsa_key(),
    )
    response = _post(client, forged)
    assert response.status_code == 401 and response.json()["code"] == "FAIL"
    assert not DuesReceipt.objects.exists()
    # tampered body under a valid signature of another body
    tampered = type(callback)(callback.url, callback.headers, callback.body.replace(b"1", b"2"))
    assert _post(client, tampered).status_code == 401
    # the real one, three times
    for _ in range(3):
        response = _post(client, pay.fake.resign(callback))
        assert response.status_code == 200 and response.json()["code"] == "SUCCESS"
    receipt = DuesReceipt.objects.get()
    assert receipt.total_fen == 20_000 and receipt.method == "online"
    assert DuesEntry.objects.filter(kind="payment").count() == 5
    account = DuesAccount.objects.get(pk=pay.w.member_a.pk)
    assert account.paid_through == m.add(m.this_month(), 2)
    assert DuesOrder.objects.get().status == "paid"
    assert NoticeRecipient.objects.filter(user=pay.w.member_a.user).exists()


def test_a_lost_callback_is_found_by_the_query_task(pay):
    body = _order(pay, months=1)
    pay.fake.pay(body["out_trade_no"])  # the callback never arrives
    later = timezone.now() + timedelta(minutes=2)
    assert services.orders_sweep(now=later) == {"paid": 1}
    assert DuesOrder.objects.get().status == "paid"
    assert services.orders_sweep(now=later) == {}
    assert DuesReceipt.objects.count() == 1


def test_an_expired_unpaid_order_is_closed(pay):
    body = _order(pay, months=1)
    assert services.orders_sweep(now=timezone.now() + timedelta(minutes=2)) == {"pending": 1}
    assert services.orders_sweep(now=timezone.now() + timedelta(hours=1)) == {"closed": 1}
    assert DuesOrder.objects.get().status == "closed"
    assert pay.fake.orders[(pay.mchid, body["out_trade_no"])].state == "CLOSED"


def test_an_online_refund_is_recorded_when_its_callback_comes(pay, client):
    body = _order(pay, months=2)
    _post(client, pay.fake.pay(body["out_trade_no"]))
    receipt = DuesReceipt.objects.get()
    assert services.refund_record(actor=pay.w.staff_a, receipt=receipt, note="多交") is None
    assert not DuesEntry.objects.filter(kind="refund").exists()
    callback = pay.fake.complete_refund(f"R{receipt.number}")
    for _ in range(2):
        assert _post(client, pay.fake.resign(callback)).status_code == 200
    refund = DuesReceipt.objects.get(kind="refund")
    assert refund.total_fen == 8_000 and refund.refund_of == receipt
    assert DuesEntry.objects.filter(kind="refund").count() == 2
    assert DuesAccount.objects.get(pk=pay.w.member_a.pk).paid_through is None


def test_reconciliation_reports_a_mismatch_to_the_county_staff(pay, client):
    paid = _order(pay, months=1)
    _post(client, pay.fake.pay(paid["out_trade_no"]))
    lost = _order(pay, months=1)
    pay.fake.pay(lost["out_trade_no"])  # paid at WeChat Pay, never recorded here
    (row,) = services.reconcile(bill_date=timezone.localdate())
    assert row.status == DuesReconciliation.Status.MISMATCH
    assert row.problems == [{"out_trade_no": lost["out_trade_no"], "problem": "账单有、系统未入账"}]
    county_inbox = client_for(pay.w.county_staff).get("/api/notices/").json()
    titles = [n["title"] for n in county_inbox["results"]]
    assert any("党费对账不一致" in t for t in titles)
    committee_inbox = client_for(pay.w.staff_a).get("/api/notices/").json()
    assert not any("党费对账" in n["title"] for n in committee_inbox["results"])
    # once the lost one is found, the same day matches
    services.orders_sweep(now=timezone.now() + timedelta(minutes=2))
    (row,) = services.reconcile(bill_date=timezone.localdate())
    assert row.status == DuesReconciliation.Status.MATCHED and row.payments == 2


def test_an_order_without_a_valid_code_or_merchant_changes_nothing(pay, settings):
    client = client_for(pay.w.member_a.user)
    response = client.post("/api/me/dues/orders/", {"months": 1, "code": "nope"}, format="json")
    assert response.status_code == 400 and "code" in response.json()
    response = client.post("/api/me/dues/orders/", {"months": 0, "code": "x"}, format="json")
    assert response.status_code == 400
    settings.WECHATPAY_MERCHANTS = []
    code = pay.wechat.issue_js_code(WECHAT_MINI_APP[0], "o-member-a")
    response = client.post("/api/me/dues/orders/", {"months": 1, "code": code}, format="json")
    assert response.status_code == 503 and "支部" in response.json()["detail"]
    assert not DuesOrder.objects.exists() and not pay.fake.orders
