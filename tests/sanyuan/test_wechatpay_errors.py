"""Every documented error answer becomes its typed exception with the right retry flag,
both from the mapping itself and through HTTP from the fake."""

import pytest

from sanyuan.wechatpay import errors
from sanyuan.wechatpay.errors import api_error

# (HTTP status, code) as the API pages list them → (class, retryable)
DOCUMENTED = [
    (202, "USERPAYING", errors.UserPaying, True),
    (400, "PARAM_ERROR", errors.ParamError, False),
    (400, "INVALID_REQUEST", errors.InvalidRequest, False),
    (400, "APPID_MCHID_NOT_MATCH", errors.AppidMchidNotMatch, False),
    (400, "MCH_NOT_EXISTS", errors.MchNotExists, False),
    (400, "ORDERPAID", errors.OrderPaid, False),
    (400, "ORDER_CLOSED", errors.OrderClosed, False),
    (400, "NO_STATEMENT_EXIST", errors.BillNotFound, False),
    (400, "STATEMENT_CREATING", errors.BillNotReady, True),
    (401, "SIGN_ERROR", errors.SignError, False),
    (403, "NO_AUTH", errors.NoAuth, False),
    (403, "NOAUTH", errors.NoAuth, False),
    (403, "NOT_ENOUGH", errors.NotEnough, False),
    (403, "NOTENOUGH", errors.NotEnough, False),
    (403, "OUT_TRADE_NO_USED", errors.OutTradeNoUsed, False),
    (403, "ACCOUNT_ERROR", errors.AccountError, False),
    (403, "USER_ACCOUNT_ABNORMAL", errors.AccountError, False),
    (403, "RULE_LIMIT", errors.RuleLimit, False),
    (403, "TRADE_ERROR", errors.TradeError, False),
    (404, "ORDER_NOT_EXIST", errors.OrderNotFound, False),
    (404, "ORDERNOTEXIST", errors.OrderNotFound, False),
    (404, "RESOURCE_NOT_EXISTS", errors.OrderNotFound, False),
    (429, "FREQUENCY_LIMITED", errors.RateLimited, True),
    (429, "RATELIMIT_EXCEEDED", errors.RateLimited, True),
    (500, "SYSTEM_ERROR", errors.ServerError, True),
    (500, "SYSTEMERROR", errors.ServerError, True),
    (500, "BANKERROR", errors.ServerError, True),
    (502, "SERVICE_UNAVAILABLE", errors.ServerError, True),
]
# codes this client does not know: the HTTP status decides
UNKNOWN = [
    (400, errors.ApiError, False),
    (401, errors.SignError, False),
    (403, errors.ApiError, False),
    (404, errors.OrderNotFound, False),
    (429, errors.RateLimited, True),
    (500, errors.ServerError, True),
    (503, errors.ServerError, True),
]


@pytest.mark.parametrize("status, code, cls, retryable", DOCUMENTED)
def test_each_documented_code_maps_to_its_exception(status, code, cls, retryable):
    error = api_error(status=status, code=code, message="说明", request_id="08F8B")

    assert type(error) is cls and error.retryable is retryable
    assert (error.status, error.code, error.message) == (status, code, "说明")
    assert isinstance(error, errors.ApiError) and isinstance(error, errors.WechatPayError)
    assert "08F8B" in str(error)


@pytest.mark.parametrize("status, cls, retryable", UNKNOWN)
def test_an_unknown_code_maps_by_status(status, cls, retryable):
    error = api_error(status=status, code="SOMETHING_NEW")

    assert type(error) is cls and error.retryable is retryable


def test_the_other_failures_say_whether_to_retry():
    assert errors.TransportError("timeout").retryable
    for cls in (
        errors.ConfigurationError,
        errors.MerchantNotConfigured,
        errors.SignatureError,
        errors.UnknownSerialError,
        errors.StaleTimestampError,
        errors.DecryptionError,
        errors.BillIntegrityError,
        errors.MalformedNotification,
    ):
        assert not cls("x").retryable
    assert issubclass(errors.StaleTimestampError, errors.VerificationError)


@pytest.mark.parametrize("status, code, cls, retryable", [d for d in DOCUMENTED if d[0] >= 400])
def test_each_error_answer_from_wechatpay_raises_its_exception(
    wechatpay, status, code, cls, retryable
):
    wechatpay.fake.inject_error(status, code, "来自微信支付的说明", path_contains="out-trade-no")

    with pytest.raises(cls) as caught:
        wechatpay.client.query_order("DUES202601000001")

    error = caught.value
    assert error.status == status and error.code == code and error.retryable is retryable
    assert error.message == "来自微信支付的说明" and len(error.request_id) == 32
    assert error.verified is (status != 401)  # the fake, like WeChat Pay, signs no 401


def test_an_unsigned_error_answer_is_marked_unverified(wechatpay):
    wechatpay.fake.inject_error(400, "ORDERPAID", path_contains="close", signed=False)

    with pytest.raises(errors.OrderPaid) as caught:
        wechatpay.client.close_order("DUES202601000001")
    assert not caught.value.verified


def test_an_error_answer_that_is_not_json_maps_by_status(wechatpay):
    wechatpay.fake.inject_error(
        502, "", path_contains="out-trade-no", raw_body=b"<html>502 Bad Gateway</html>"
    )

    with pytest.raises(errors.ServerError) as caught:
        wechatpay.client.query_order("DUES202601000001")
    assert caught.value.retryable and caught.value.code == "" and not caught.value.verified
