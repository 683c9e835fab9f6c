"""Alibaba Cloud SMS (dysmsapi 2017-05-25) codes and what we do about each.

Sources: "API错误码" https://help.aliyun.com/document_detail/101346.html (business codes in
the HTTP 200 body's `Code`), the OpenAPI gateway's common errors (HTTP 4xx/5xx bodies:
signature, access key, time stamp, throttling) and the delivery receipt codes
(https://help.aliyun.com/document_detail/101347.html). Tests cover every row.
"""

from .base import Outcome
from .gateway import CodeRule

R, G, D, N = Outcome.RETRY, Outcome.GIVE_UP, Outcome.DEAD_LETTER, Outcome.INVALID_NUMBER

ALIYUN_CODES: dict[str, CodeRule] = {
    # Transient: try again later.
    "isv.BUSINESS_LIMIT_CONTROL": CodeRule(R, "触发业务流控（同一号码发送频率超限），稍后重试"),
    "isv.DAY_LIMIT_CONTROL": CodeRule(R, "触发日发送限额（控制台安全设置），次日或调高限额后重试"),
    "isp.SYSTEM_ERROR": CodeRule(R, "阿里云短信系统错误，稍后重试"),
    "Throttling": CodeRule(R, "接口调用过于频繁，稍后重试"),
    "Throttling.User": CodeRule(R, "账号调用频率超限，稍后重试"),
    "Throttling.Api": CodeRule(R, "接口调用频率超限，稍后重试"),
    "ServiceUnavailable": CodeRule(R, "短信服务暂不可用，稍后重试"),
    "InternalError": CodeRule(R, "阿里云内部错误，稍后重试"),
    "SignatureNonceUsed": CodeRule(R, "请求随机数重复，重新发送"),
    "NETWORK": CodeRule(R, "连接阿里云失败（网络或超时），稍后重试"),  # ours: no answer at all
    # The number itself.
    "isv.MOBILE_NUMBER_ILLEGAL": CodeRule(N, "非法手机号（空号或格式错误），请核实号码"),
    # Permanent for this message.
    "isv.BLACK_KEY_CONTROL_LIMIT": CodeRule(G, "号码或内容命中黑名单管控"),
    "isv.SMS_CONTENT_ILLEGAL": CodeRule(G, "短信内容包含禁止发送的内容"),
    "isv.TEMPLATE_PARAMS_ILLEGAL": CodeRule(G, "模板变量里包含非法关键字"),
    "isv.PARAM_NOT_SUPPORT_URL": CodeRule(G, "模板变量不支持链接"),
    "isv.INVALID_PARAMETERS": CodeRule(G, "参数异常"),
    "isv.INVALID_JSON_PARAM": CodeRule(G, "JSON 参数不合法，只接受字符串值"),
    "isv.MOBILE_COUNT_OVER_LIMIT": CodeRule(G, "手机号码数量超过限制"),
    "MissingParameter": CodeRule(G, "缺少必填参数"),
    # Configuration staff must fix.
    "isv.SMS_TEMPLATE_ILLEGAL": CodeRule(D, "短信模板不存在或未审核通过：请检查 SMS_TEMPLATES"),
    "isv.TEMPLATE_MISSING_PARAMETERS": CodeRule(D, "模板缺少变量：请核对 SMS_TEMPLATES 的参数"),
    "isv.PARAM_LENGTH_LIMIT": CodeRule(
        D, "参数超出模板变量长度：请按审核通过的长度调整 SMS_TEMPLATES"
    ),
    "isv.SMS_SIGNATURE_ILLEGAL": CodeRule(D, "短信签名不存在或未审核通过：请检查 SMS_SIGN_NAME"),
    "isv.SMS_SIGN_ILLEGAL": CodeRule(D, "短信签名禁止使用：请重新申请签名"),
    "isv.SIGN_STATE_ILLEGAL": CodeRule(D, "短信签名状态为“不可用”：请在控制台修正签名"),
    "isv.SMS_SIGNATURE_SCENE_ILLEGAL": CodeRule(D, "签名和模板类型不一致：请使用通用签名"),
    "isv.EXTEND_CODE_ERROR": CodeRule(D, "扩展码使用错误"),
    "isv.DOMESTIC_NUMBER_NOT_SUPPORTED": CodeRule(
        D, "国际/港澳台模板不支持境内号码：请使用国内模板"
    ),
    "isv.DENY_IP_RANGE": CodeRule(D, "服务器 IP 所在地区被禁用"),
    "isv.MONTH_LIMIT_CONTROL": CodeRule(D, "触发月发送限额：请在控制台调高限额"),
    "isv.AMOUNT_NOT_ENOUGH": CodeRule(D, "账户余额不足：请充值"),
    "isv.OUT_OF_SERVICE": CodeRule(D, "业务停机（余额不足）：请充值"),
    "isv.PRODUCT_UN_SUBSCRIPT": CodeRule(D, "账号未开通云通信产品"),
    "isv.PRODUCT_UNSUBSCRIBE": CodeRule(D, "账号未开通短信服务"),
    "isv.ACCOUNT_NOT_EXISTS": CodeRule(D, "账户不存在：请核对 AccessKey"),
    "isv.ACCOUNT_ABNORMAL": CodeRule(D, "账户异常"),
    "isp.RAM_PERMISSION_DENY": CodeRule(D, "RAM 权限不足：请授予 AliyunDysmsFullAccess"),
    "SignatureDoesNotMatch": CodeRule(D, "请求签名不匹配：请核对 AccessKey Secret"),
    "IncompleteSignature": CodeRule(D, "请求签名不完整"),
    "InvalidAccessKeyId.NotFound": CodeRule(D, "AccessKey ID 不存在：请核对凭据"),
    "InvalidAccessKeyId.Inactive": CodeRule(D, "AccessKey 已禁用：请核对凭据"),
    "InvalidTimeStamp.Expired": CodeRule(D, "请求时间戳过期：请校准服务器时钟"),
    "Forbidden.RAM": CodeRule(D, "RAM 权限不足"),
}

# Codes not in the table: system-side (isp.*) codes and throttling are transient.
ALIYUN_PREFIXES = (
    ("isp.", CodeRule(R, "阿里云短信系统错误，稍后重试")),
    ("Throttling", CodeRule(R, "调用频率超限，稍后重试")),
    ("InvalidAccessKeyId", CodeRule(D, "AccessKey 无效：请核对凭据")),
)

# A multi-number SendSms call refused for one of these may hold good numbers: send its numbers
# one by one so that only the culprit is marked.
ALIYUN_PER_NUMBER_CODES = frozenset({"isv.MOBILE_NUMBER_ILLEGAL", "isv.BLACK_KEY_CONTROL_LIMIT"})
