"""The daily trade bill (交易账单), parsed into typed records.

Format (交易账单文件格式说明,
https://pay.weixin.qq.com/docs/merchant/products/bill-download/format-trade.html; 下载账单
https://pay.weixin.qq.com/wiki/doc/apiv3/apis/chapter7_3_9.shtml): comma-separated UTF-8
text in four parts: the detail header, the detail rows, the summary header (总交易单数,…)
and one summary row. Every value of the detail and summary rows starts with a backtick
(`` ` ``) so that Excel keeps long numbers as text; the parser strips it. Amounts are
yuan with two decimals (the fee with five) and become fen here. Columns are found by their
header name, so the ALL, SUCCESS and REFUND layouts (which differ) all parse.
"""

import csv
import io
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from zoneinfo import ZoneInfo

from .errors import BillIntegrityError

CHINA = ZoneInfo("Asia/Shanghai")

DETAIL_COLUMNS = {
    "交易时间": "trade_time",
    "公众账号ID": "appid",
    "商户号": "mchid",
    "特约商户号": "sub_mchid",
    "子商户号": "sub_mchid",
    "设备号": "device_info",
    "微信订单号": "transaction_id",
    "商户订单号": "out_trade_no",
    "用户标识": "openid",
    "交易类型": "trade_type",
    "交易状态": "trade_state",
    "付款银行": "bank_type",
    "货币种类": "currency",
    "应结订单金额": "settlement_total_fen",
    "代金券金额": "coupon_fen",
    "退款申请时间": "refund_applied_at",
    "退款成功时间": "refund_succeeded_at",
    "微信退款单号": "refund_id",
    "商户退款单号": "out_refund_no",
    "退款金额": "refund_fen",
    "充值券退款金额": "recharge_coupon_refund_fen",
    "退款类型": "refund_type",
    "退款状态": "refund_status",
    "商品名称": "description",
    "商户数据包": "attach",
    "手续费": "fee_yuan",
    "费率": "rate",
    "订单金额": "total_fen",
    "申请退款金额": "refund_apply_fen",
    "费率备注": "rate_note",
}
SUMMARY_COLUMNS = {
    "总交易单数": "count",
    "应结订单总金额": "settlement_total_fen",
    "退款总金额": "refund_fen",
    "充值券退款总金额": "recharge_coupon_refund_fen",
    "手续费总金额": "fee_yuan",
    "订单总金额": "total_fen",
    "申请退款总金额": "refund_apply_fen",
}
REQUIRED_DETAIL = ("交易时间", "商户订单号", "交易状态")


@dataclass(frozen=True)
class TradeBillRecord:
    """One detail row. A payment has trade_state SUCCESS; a refund row has trade_state
    REFUND, the original order's out_trade_no and its own out_refund_no and refund_fen."""

    trade_time: datetime | None = None
    appid: str = ""
    mchid: str = ""
    sub_mchid: str = ""
    device_info: str = ""
    transaction_id: str = ""
    out_trade_no: str = ""
    openid: str = ""
    trade_type: str = ""
    trade_state: str = ""
    bank_type: str = ""
    currency: str = ""
    settlement_total_fen: int = 0
    coupon_fen: int = 0
    refund_applied_at: datetime | None = None
    refund_succeeded_at: datetime | None = None
    refund_id: str = ""
    out_refund_no: str = ""
    refund_fen: int = 0
    recharge_coupon_refund_fen: int = 0
    refund_type: str = ""
    refund_status: str = ""
    description: str = ""
    attach: str = ""
    fee_yuan: Decimal = Decimal("0")
    rate: str = ""
    total_fen: int = 0
    refund_apply_fen: int = 0
    rate_note: str = ""
    extra: dict = field(default_factory=dict, compare=False)

    @property
    def is_refund(self) -> bool:
        return self.trade_state == "REFUND"


@dataclass(frozen=True)
class TradeBillSummary:
    count: int
    settlement_total_fen: int
    refund_fen: int
    recharge_coupon_refund_fen: int
    fee_yuan: Decimal
    total_fen: int
    refund_apply_fen: int


@dataclass(frozen=True)
class TradeBill:
    bill_date: date
    bill_type: str
    records: tuple[TradeBillRecord, ...]
    summary: TradeBillSummary

    @property
    def payments(self) -> list[TradeBillRecord]:
        return [r for r in self.records if not r.is_refund]

    @property
    def refunds(self) -> list[TradeBillRecord]:
        return [r for r in self.records if r.is_refund]


def _clean(value: str) -> str:
    value = value.strip()
    return value[1:] if value.startswith("`") else value


def yuan_to_fen(value: str) -> int:
    """`12.34` → 1234; anything that is not a whole number of fen is a broken bill."""
    if not value:
        return 0
    try:
        fen = Decimal(value) * 100
    except InvalidOperation as exc:
        raise BillIntegrityError(f"not an amount: {value!r}") from exc
    if fen != fen.to_integral_value():
        raise BillIntegrityError(f"not a whole number of fen: {value!r}")
    return int(fen)


def _decimal(value: str) -> Decimal:
    try:
        return Decimal(value) if value else Decimal("0")
    except InvalidOperation as exc:
        raise BillIntegrityError(f"not a number: {value!r}") from exc


def _time(value: str) -> datetime | None:
    if not value:
        return None
    try:
        return datetime.strptime(value, "%Y-%m-%d %H:%M:%S").replace(tzinfo=CHINA)
    except ValueError as exc:
        raise BillIntegrityError(f"not a bill time: {value!r}") from exc


def _convert(name: str, value: str):
    if name.endswith("_fen"):
        return yuan_to_fen(value)
    if name == "fee_yuan":
        return _decimal(value)
    if name in ("trade_time", "refund_applied_at", "refund_succeeded_at"):
        return _time(value)
    if name == "count":
        if not value.isdigit():
            raise BillIntegrityError(f"not a count: {value!r}")
        return int(value)
    return value


def _record(header: list[str], row: list[str]) -> TradeBillRecord:
    if len(row) != len(header):
        raise BillIntegrityError(f"a bill row has {len(row)} columns, the header {len(header)}")
    values, extra = {}, {}
    for title, raw in zip(header, row, strict=True):
        value = _clean(raw)
        name = DETAIL_COLUMNS.get(title)
        if name:
            values[name] = _convert(name, value)
        else:
            extra[title] = value
    return TradeBillRecord(**values, extra=extra)


def _summary(header: list[str], row: list[str]) -> TradeBillSummary:
    values = {}
    for title, raw in zip(header, row, strict=False):
        name = SUMMARY_COLUMNS.get(title)
        if name:
            values[name] = _convert(name, _clean(raw))
    if set(values) != set(SUMMARY_COLUMNS.values()):
        raise BillIntegrityError("the bill summary lacks columns")
    return TradeBillSummary(**values)


def parse_trade_bill(content: bytes, *, bill_date: date, bill_type: str = "ALL") -> TradeBill:
    """Parse a downloaded (already hash-checked) trade bill. BillIntegrityError when the
    layout is not the documented one or the summary count disagrees with the rows."""
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise BillIntegrityError("the bill is not UTF-8") from exc
    rows = [[cell.strip() for cell in row] for row in csv.reader(io.StringIO(text)) if row]
    header = [_clean(cell) for cell in rows[0]] if rows else []
    if not all(column in header for column in REQUIRED_DETAIL):
        raise BillIntegrityError("the bill does not start with the trade bill header")
    try:
        split = next(i for i, row in enumerate(rows) if _clean(row[0]) == "总交易单数")
    except StopIteration as exc:
        raise BillIntegrityError("the bill has no summary") from exc
    if split + 2 != len(rows):
        raise BillIntegrityError("the bill summary is not its last two lines")
    records = tuple(_record(header, row) for row in rows[1:split])
    summary = _summary([_clean(c) for c in rows[split]], rows[split + 1])
    if summary.count != len(records):
        raise BillIntegrityError(
            f"the bill summary counts {summary.count} trades, the bill lists {len(records)}"
        )
    return TradeBill(bill_date=bill_date, bill_type=bill_type, records=records, summary=summary)
