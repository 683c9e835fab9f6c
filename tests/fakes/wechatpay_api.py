"""The WeChat Pay v3 endpoints of the fake (orders, refunds, trade bill), kept apart from
the server, signing and callbacks in wechatpay.py. Error codes and messages follow the
error tables of each API page."""

import gzip
import hashlib
import json
import re
import secrets
from dataclasses import dataclass, replace
from datetime import datetime
from urllib.parse import parse_qs, unquote, urlsplit
from zoneinfo import ZoneInfo

from . import wechatpay_bill as bills

CHINA = ZoneInfo("Asia/Shanghai")
OUT_NO = re.compile(r"^[0-9A-Za-z_\-*|]{6,32}$")
STATE_DESC = {"SUCCESS": "支付成功", "NOTPAY": "未支付", "CLOSED": "已关闭", "REFUND": "转入退款"}


class Refusal(Exception):
    def __init__(self, status: int, code: str, message: str, detail=None):
        self.status, self.code, self.message, self.detail = status, code, message, detail


@dataclass
class MerchantAccount:
    mchid: str
    serial_no: str
    public_key: object  # the merchant API certificate's public key
    apiv3_key: bytes
    appids: tuple[str, ...]


@dataclass
class Order:
    mchid: str
    appid: str
    out_trade_no: str
    description: str
    total: int
    openid: str
    notify_url: str
    attach: str
    time_expire: str
    prepay_id: str
    state: str = "NOTPAY"
    transaction_id: str = ""
    success_time: datetime | None = None


@dataclass
class FakeRefund:
    mchid: str
    out_refund_no: str
    refund_id: str
    out_trade_no: str
    amount: int
    total: int
    notify_url: str
    create_time: datetime
    status: str = "PROCESSING"
    success_time: datetime | None = None


def iso(moment: datetime | None) -> str:
    return moment.astimezone(CHINA).isoformat(timespec="seconds") if moment else ""


class ApiViews:
    """Mixin of FakeWechatPay: state lives in self.orders, self.refunds, self.files."""

    def _route(self, method, target, merchant, body):
        parts = urlsplit(target)
        path, query = parts.path, {k: v[0] for k, v in parse_qs(parts.query).items()}
        data = {}
        if method == "POST":
            try:
                data = json.loads(body or b"{}")
            except ValueError as exc:
                raise Refusal(400, "PARAM_ERROR", "请求体不是合法的 JSON") from exc
        routes = [
            ("POST", r"/v3/pay/transactions/jsapi", self._create),
            ("GET", r"/v3/pay/transactions/out-trade-no/([^/]+)", self._query),
            ("POST", r"/v3/pay/transactions/out-trade-no/([^/]+)/close", self._close),
            ("POST", r"/v3/refund/domestic/refunds", self._refund),
            ("GET", r"/v3/refund/domestic/refunds/([^/]+)", self._query_refund),
            ("GET", r"/v3/bill/tradebill", self._trade_bill),
            ("GET", r"/v3/billdownload/file", self._download),
        ]
        for verb, pattern, view in routes:
            match = re.fullmatch(pattern, path)
            if verb == method and match:
                args = [unquote(g) for g in match.groups()]
                return view(merchant, *args, data=data, query=query)
        raise Refusal(404, "NOT_FOUND", "请求的资源不存在")

    # -- orders --------------------------------------------------------------------------

    @staticmethod
    def _required(data: dict, *paths: str) -> None:
        for path in paths:
            node = data
            for key in path.split("/"):
                node = node.get(key) if isinstance(node, dict) else None
            if node in (None, ""):
                raise Refusal(
                    400,
                    "PARAM_ERROR",
                    f"输入源“/body/{path}”映射到值字段“{path}”必填性规则校验失败，此字段为必填项",
                    {"field": f"/{path}", "location": "body"},
                )

    def _create(self, merchant, *, data, query):
        self._required(
            data,
            "appid",
            "mchid",
            "description",
            "out_trade_no",
            "notify_url",
            "amount/total",
            "payer/openid",
        )
        if data["mchid"] != merchant.mchid:
            raise Refusal(400, "PARAM_ERROR", "mchid与请求头中的商户号不一致")
        if data["appid"] not in merchant.appids:
            raise Refusal(400, "APPID_MCHID_NOT_MATCH", "appid和mch_id不匹配")
        self._validate_order(data)
        key = (merchant.mchid, data["out_trade_no"])
        fresh = Order(
            mchid=merchant.mchid,
            appid=data["appid"],
            out_trade_no=data["out_trade_no"],
            description=data["description"],
            total=data["amount"]["total"],
            openid=data["payer"]["openid"],
            notify_url=data["notify_url"],
            attach=data.get("attach", ""),
            time_expire=data.get("time_expire", ""),
            prepay_id="wx" + datetime.now(CHINA).strftime("%d%H%M%S") + secrets.token_hex(13),
        )
        existing = self.orders.get(key)
        if existing is None:
            self.orders[key] = fresh
            return 200, {"prepay_id": fresh.prepay_id}, None
        if existing.state in ("SUCCESS", "REFUND"):
            raise Refusal(400, "ORDERPAID", "该订单已支付")
        if existing.state == "CLOSED":
            raise Refusal(400, "ORDER_CLOSED", "订单已关闭")
        if replace(fresh, prepay_id=existing.prepay_id) != existing:
            raise Refusal(403, "OUT_TRADE_NO_USED", "商户订单号重复")
        return 200, {"prepay_id": existing.prepay_id}, None

    @staticmethod
    def _validate_order(data: dict) -> None:
        total = data["amount"]["total"]
        if not OUT_NO.match(str(data["out_trade_no"])):
            raise Refusal(400, "PARAM_ERROR", "商户订单号只能是6-32位数字、大小写字母_-|*")
        if not isinstance(total, int) or isinstance(total, bool) or total < 1:
            raise Refusal(400, "PARAM_ERROR", "订单金额必须为大于0的整数（分）")
        if data["amount"].get("currency", "CNY") != "CNY":
            raise Refusal(400, "PARAM_ERROR", "境内商户仅支持人民币CNY")
        if len(data["description"]) > 127 or len(data.get("attach", "")) > 128:
            raise Refusal(400, "PARAM_ERROR", "商品描述或附加数据超长")
        notify = urlsplit(data["notify_url"])
        if notify.scheme not in ("http", "https") or notify.query:
            raise Refusal(400, "PARAM_ERROR", "通知地址必须是不带参数的URL")
        if data.get("time_expire"):
            try:
                expire = datetime.fromisoformat(data["time_expire"])
            except ValueError as exc:
                raise Refusal(400, "PARAM_ERROR", "time_expire 格式错误") from exc
            if expire.tzinfo is None:
                raise Refusal(400, "PARAM_ERROR", "time_expire 须带时区")

    def _order(self, merchant, out_trade_no) -> Order:
        order = self.orders.get((merchant.mchid, out_trade_no))
        if order is None:
            raise Refusal(404, "ORDER_NOT_EXIST", "订单不存在")
        return order

    def transaction(self, order: Order) -> dict:
        paid = order.state in ("SUCCESS", "REFUND")
        answer = {
            "appid": order.appid,
            "mchid": order.mchid,
            "out_trade_no": order.out_trade_no,
            "trade_type": "JSAPI",
            "trade_state": order.state,
            "trade_state_desc": STATE_DESC[order.state],
            "payer": {"openid": order.openid},
            "amount": {"total": order.total, "currency": "CNY"},
        }
        if paid:
            answer.update(
                transaction_id=order.transaction_id,
                bank_type="OTHERS",
                attach=order.attach,
                success_time=iso(order.success_time),
            )
            answer["amount"].update(payer_total=order.total, payer_currency="CNY")
        return answer

    def _query(self, merchant, out_trade_no, *, data, query):
        if query.get("mchid") != merchant.mchid:
            raise Refusal(400, "PARAM_ERROR", "mchid 必填且须与请求头一致")
        return 200, self.transaction(self._order(merchant, out_trade_no)), None

    def _close(self, merchant, out_trade_no, *, data, query):
        if data.get("mchid") != merchant.mchid:
            raise Refusal(400, "PARAM_ERROR", "mchid 必填且须与请求头一致")
        order = self._order(merchant, out_trade_no)
        if order.state in ("SUCCESS", "REFUND"):
            raise Refusal(400, "ORDERPAID", "订单已支付")
        order.state = "CLOSED"
        return 204, None, None

    # -- refunds -------------------------------------------------------------------------

    def _refund(self, merchant, *, data, query):
        self._required(data, "out_refund_no", "amount/refund", "amount/total", "amount/currency")
        order = next(
            (
                o
                for o in self.orders.values()
                if o.mchid == merchant.mchid
                and (
                    o.out_trade_no == data.get("out_trade_no")
                    or (o.transaction_id and o.transaction_id == data.get("transaction_id"))
                )
            ),
            None,
        )
        if order is None:
            raise Refusal(404, "RESOURCE_NOT_EXISTS", "订单不存在")
        amount, total = data["amount"]["refund"], data["amount"]["total"]
        existing = self.refunds.get((merchant.mchid, data["out_refund_no"]))
        if existing is not None:
            if (existing.out_trade_no, existing.amount, existing.total) != (
                order.out_trade_no,
                amount,
                total,
            ):
                raise Refusal(400, "INVALID_REQUEST", "退款单号已存在，且请求参数与之前不一致")
            return 200, self.refund_answer(existing), None
        if order.state not in ("SUCCESS", "REFUND"):
            raise Refusal(400, "INVALID_REQUEST", "订单未支付，不能退款")
        if total != order.total:
            raise Refusal(400, "PARAM_ERROR", "订单金额与原订单不一致")
        refunded = sum(
            r.amount
            for r in self.refunds.values()
            if r.out_trade_no == order.out_trade_no
            and r.mchid == merchant.mchid
            and r.status != "CLOSED"
        )
        if not isinstance(amount, int) or amount < 1 or refunded + amount > total:
            raise Refusal(400, "INVALID_REQUEST", "申请退款金额超过订单可退金额")
        refund = FakeRefund(
            mchid=merchant.mchid,
            out_refund_no=data["out_refund_no"],
            refund_id="50" + "".join(secrets.choice("0123456789") for _ in range(27)),
            out_trade_no=order.out_trade_no,
            amount=amount,
            total=total,
            notify_url=data.get("notify_url") or order.notify_url,
            create_time=datetime.fromtimestamp(int(self.clock()), CHINA),
        )
        self.refunds[(merchant.mchid, refund.out_refund_no)] = refund
        order.state = "REFUND"
        return 200, self.refund_answer(refund), None

    def refund_answer(self, refund: FakeRefund) -> dict:
        order = self.orders[(refund.mchid, refund.out_trade_no)]
        answer = {
            "refund_id": refund.refund_id,
            "out_refund_no": refund.out_refund_no,
            "transaction_id": order.transaction_id,
            "out_trade_no": order.out_trade_no,
            "channel": "ORIGINAL",
            "user_received_account": "支付用户零钱",
            "create_time": iso(refund.create_time),
            "status": refund.status,
            "amount": {
                "total": refund.total,
                "refund": refund.amount,
                "payer_total": refund.total,
                "payer_refund": refund.amount,
                "settlement_total": refund.total,
                "settlement_refund": refund.amount,
                "discount_refund": 0,
                "currency": "CNY",
                "from": [],
            },
            "promotion_detail": [],
        }
        if refund.success_time:
            answer["success_time"] = iso(refund.success_time)
        return answer

    def _query_refund(self, merchant, out_refund_no, *, data, query):
        refund = self.refunds.get((merchant.mchid, out_refund_no))
        if refund is None:
            raise Refusal(404, "RESOURCE_NOT_EXISTS", "退款单不存在")
        return 200, self.refund_answer(refund), None

    # -- trade bill ----------------------------------------------------------------------

    def bill_rows(self, mchid: str, bill_date: str, bill_type: str) -> list[dict]:
        rows = []
        if bill_type in ("ALL", "SUCCESS"):
            rows += [
                bills.payment_row(o, mchid)
                for o in self.orders.values()
                if o.mchid == mchid
                and o.success_time
                and o.success_time.astimezone(CHINA).date().isoformat() == bill_date
            ]
        if bill_type in ("ALL", "REFUND"):
            rows += [
                bills.refund_row(r, self.orders[(mchid, r.out_trade_no)], mchid)
                for r in self.refunds.values()
                if r.mchid == mchid and r.create_time.date().isoformat() == bill_date
            ]
        return sorted(rows, key=lambda row: row["交易时间"])

    def _trade_bill(self, merchant, *, data, query):
        bill_date, bill_type = query.get("bill_date", ""), query.get("bill_type", "ALL")
        if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", bill_date) or bill_type not in bills.COLUMNS:
            raise Refusal(400, "PARAM_ERROR", "bill_date 或 bill_type 参数错误")
        rows = self.bill_rows(merchant.mchid, bill_date, bill_type)
        if not rows:
            raise Refusal(400, "NO_STATEMENT_EXIST", "账单文件不存在")
        content = bills.bill_text(rows, bill_type)
        token = secrets.token_urlsafe(24)
        served = self.tamper_bill(content) if self.tamper_bill else content
        self.files[token] = gzip.compress(served) if query.get("tar_type") == "GZIP" else served
        return (
            200,
            {
                "hash_type": "SHA1",
                "hash_value": hashlib.sha1(content).hexdigest(),
                "download_url": f"{self.url}/v3/billdownload/file?token={token}",
            },
            None,
        )

    def _download(self, merchant, *, data, query):
        content = self.files.get(query.get("token", ""))
        if content is None:
            raise Refusal(400, "PARAM_ERROR", "下载链接无效或已过期")
        return 200, None, content
