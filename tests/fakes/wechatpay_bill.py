"""Trade bill files as WeChat Pay writes them (交易账单: header, backticked detail rows,
summary header, backticked summary row; amounts in yuan), for the fake."""

from decimal import ROUND_HALF_UP, Decimal

ALL_COLUMNS = (
    "交易时间,公众账号ID,商户号,特约商户号,设备号,微信订单号,商户订单号,用户标识,交易类型,"
    "交易状态,付款银行,货币种类,应结订单金额,代金券金额,微信退款单号,商户退款单号,退款金额,"
    "充值券退款金额,退款类型,退款状态,商品名称,商户数据包,手续费,费率,订单金额,申请退款金额,费率备注"
).split(",")
SUCCESS_COLUMNS = (
    "交易时间,公众账号ID,商户号,特约商户号,设备号,微信订单号,商户订单号,用户标识,交易类型,"
    "交易状态,付款银行,货币种类,应结订单金额,代金券金额,商品名称,商户数据包,手续费,费率,订单金额,费率备注"
).split(",")
REFUND_COLUMNS = (
    "交易时间,公众账号ID,商户号,特约商户号,设备号,微信订单号,商户订单号,用户标识,交易类型,"
    "交易状态,付款银行,货币种类,应结订单金额,代金券金额,退款申请时间,退款成功时间,微信退款单号,"
    "商户退款单号,退款金额,充值券退款金额,退款类型,退款状态,商品名称,商户数据包,手续费,费率,"
    "订单金额,申请退款金额,费率备注"
).split(",")
COLUMNS = {"ALL": ALL_COLUMNS, "SUCCESS": SUCCESS_COLUMNS, "REFUND": REFUND_COLUMNS}
SUMMARY_HEADER = (
    "总交易单数,应结订单总金额,退款总金额,充值券退款总金额,手续费总金额,订单总金额,申请退款总金额"
)
RATE = Decimal("0.006")


def yuan(fen: int) -> str:
    return f"{Decimal(fen) / 100:.2f}"


def fee(fen: int) -> Decimal:
    return (Decimal(fen) / 100 * RATE).quantize(Decimal("0.00001"), rounding=ROUND_HALF_UP)


def _when(moment) -> str:
    return moment.strftime("%Y-%m-%d %H:%M:%S") if moment else ""


def payment_row(order, mchid: str) -> dict:
    return {
        "交易时间": _when(order.success_time),
        "公众账号ID": order.appid,
        "商户号": mchid,
        "特约商户号": "0",
        "设备号": "",
        "微信订单号": order.transaction_id,
        "商户订单号": order.out_trade_no,
        "用户标识": order.openid,
        "交易类型": "JSAPI",
        "交易状态": "SUCCESS",
        "付款银行": "OTHERS",
        "货币种类": "CNY",
        "应结订单金额": yuan(order.total),
        "代金券金额": "0.00",
        "微信退款单号": "0",
        "商户退款单号": "0",
        "退款金额": "0.00",
        "充值券退款金额": "0.00",
        "退款类型": "",
        "退款状态": "",
        "商品名称": order.description,
        "商户数据包": order.attach,
        "手续费": f"{fee(order.total)}",
        "费率": "0.60%",
        "订单金额": yuan(order.total),
        "申请退款金额": "0.00",
        "费率备注": "",
    }


def refund_row(refund, order, mchid: str) -> dict:
    row = payment_row(order, mchid)
    row.update(
        {
            "交易时间": _when(refund.create_time),
            "交易状态": "REFUND",
            "应结订单金额": "0.00",
            "退款申请时间": _when(refund.create_time),
            "退款成功时间": _when(refund.success_time),
            "微信退款单号": refund.refund_id,
            "商户退款单号": refund.out_refund_no,
            "退款金额": yuan(refund.amount),
            "退款类型": "ORIGINAL",
            "退款状态": refund.status,
            "手续费": f"{-fee(refund.amount)}",
            "订单金额": "0.00",
            "申请退款金额": yuan(refund.amount),
        }
    )
    return row


def _sum(rows: list[dict], column: str) -> Decimal:
    return sum((Decimal(row.get(column) or "0") for row in rows), Decimal("0"))


def bill_text(rows: list[dict], bill_type: str) -> bytes:
    columns = COLUMNS[bill_type]
    lines = [",".join(columns)]
    lines += [",".join(f"`{row.get(column, '')}" for column in columns) for row in rows]
    summary = [
        str(len(rows)),
        f"{_sum(rows, '应结订单金额'):.2f}",
        f"{_sum(rows, '退款金额'):.2f}",
        f"{_sum(rows, '充值券退款金额'):.2f}",
        f"{_sum(rows, '手续费'):.5f}",
        f"{_sum(rows, '订单金额'):.2f}",
        f"{_sum(rows, '申请退款金额'):.2f}",
    ]
    lines += [SUMMARY_HEADER, ",".join(f"`{value}" for value in summary)]
    return ("\r\n".join(lines) + "\r\n").encode()
