"""Tencent Cloud SMS (API 2021-01-11) codes and what we do about each.

Sources: "错误码" https://cloud.tencent.com/document/api/382/55981#6 and
https://cloud.tencent.com/document/api/382/59177 (SendStatusSet codes), the common error
codes https://cloud.tencent.com/document/api/382/52075, and the SDK's own list
(tencentcloud/sms/v20210111/errorcodes.py). Tests cover every row.
"""

from .base import Outcome
from .gateway import CodeRule

R, G, D, N = Outcome.RETRY, Outcome.GIVE_UP, Outcome.DEAD_LETTER, Outcome.INVALID_NUMBER

TENCENT_CODES: dict[str, CodeRule] = {
    # Transient.
    "LimitExceeded.PhoneNumberThirtySecondLimit": CodeRule(
        R, "同一号码 30 秒内发送条数超限，稍后重试"
    ),
    "LimitExceeded.PhoneNumberOneHourLimit": CodeRule(R, "同一号码 1 小时内发送条数超限，稍后重试"),
    "LimitExceeded.PhoneNumberDailyLimit": CodeRule(R, "同一号码当日发送条数超限，次日重试"),
    "LimitExceeded.DeliveryFrequencyLimit": CodeRule(R, "命中频率限制策略，稍后重试"),
    "LimitExceeded.AppDailyLimit": CodeRule(R, "业务短信日下发条数超限，次日或调高上限后重试"),
    "LimitExceeded.DailyLimit": CodeRule(R, "短信日下发条数超限，次日或调高上限后重试"),
    "LimitExceeded.AppMainlandChinaDailyLimit": CodeRule(R, "国内短信日下发条数超限，次日重试"),
    "LimitExceeded.GlobalSmsSendingRateLimit": CodeRule(R, "发送速率超限，稍后重试"),
    "RequestLimitExceeded": CodeRule(R, "接口请求频率超限，稍后重试"),
    "FailedOperation.MarketingSendTimeConstraint": CodeRule(R, "营销短信只能在 8 点到 22 点发送"),
    "ClientNetworkError": CodeRule(R, "连接腾讯云失败，稍后重试"),
    "ServerNetworkError": CodeRule(R, "腾讯云返回异常，稍后重试"),
    # The number itself.
    "InvalidParameterValue.IncorrectPhoneNumber": CodeRule(
        N, "手机号格式错误（空号或无效号码），请核实号码"
    ),
    "FailedOperation.PhoneNumberParseFail": CodeRule(N, "号码解析失败，请核实号码"),
    # Permanent for this message.
    "FailedOperation.PhoneNumberInBlacklist": CodeRule(
        G, "号码在免打扰名单中（用户退订或运营商黑名单）"
    ),
    "LimitExceeded.PhoneNumberSameContentDailyLimit": CodeRule(G, "同一号码当日相同内容已达上限"),
    "FailedOperation.ContainSensitiveWord": CodeRule(G, "短信内容含有敏感词"),
    "InvalidParameterValue.ContentLengthLimit": CodeRule(G, "短信内容太长"),
    "InvalidParameterValue.ProhibitedUseUrlInTemplateParameter": CodeRule(
        G, "模板变量中不允许使用链接"
    ),
    "InvalidParameterValue.TemplateParameterFormatError": CodeRule(
        G, "验证码模板变量只能是 0～6 位数字"
    ),
    "LimitExceeded.PhoneNumberCountLimit": CodeRule(G, "单次提交的手机号超过 200 个"),
    "MissingParameter.EmptyPhoneNumberSet": CodeRule(G, "没有手机号"),
    "FailedOperation.FailResolvePacket": CodeRule(G, "请求包解析失败"),
    "FailedOperation.JsonParseFail": CodeRule(G, "请求包体解析失败"),
    "UnsupportedOperation.ContainDomesticAndInternationalPhoneNumber": CodeRule(
        G, "境内外号码不能同批发送"
    ),
    "UnsupportedOperation.ChineseMainlandTemplateToGlobalPhone": CodeRule(
        G, "国内模板不能发往境外号码"
    ),
    # Configuration staff must fix.
    "FailedOperation.InsufficientBalanceInSmsPackage": CodeRule(
        D, "短信套餐包余量不足：请购买套餐包"
    ),
    "UnauthorizedOperation.ServiceSuspendDueToArrears": CodeRule(D, "欠费停止服务：请充值"),
    "FailedOperation.TemplateIncorrectOrUnapproved": CodeRule(
        D, "模板未审批或内容不匹配：请检查 SMS_TEMPLATES"
    ),
    "FailedOperation.TemplateUnapprovedOrNotExist": CodeRule(
        D, "模板未审批或不存在：请检查 SMS_TEMPLATES"
    ),
    "FailedOperation.TemplateParamSetNotMatchApprovedTemplate": CodeRule(
        D, "模板参数个数与审核通过的模板不一致：请核对 SMS_TEMPLATES"
    ),
    "FailedOperation.MissingTemplateList": CodeRule(D, "没有审核通过的模板"),
    "FailedOperation.SignatureIncorrectOrUnapproved": CodeRule(
        D, "签名未审批或格式错误：请检查 SMS_SIGN_NAME"
    ),
    "FailedOperation.MissingSignatureList": CodeRule(D, "没有审核通过的签名"),
    "InvalidParameterValue.TemplateParameterLengthLimit": CodeRule(
        D, "模板变量超过账号允许的长度：请按控制台显示的长度调整 SMS_TEMPLATES"
    ),
    "InvalidParameterValue.SdkAppIdNotExist": CodeRule(
        D, "SdkAppId 不存在：请检查 SMS_TENCENT_SDK_APP_ID"
    ),
    "UnauthorizedOperation.SmsSdkAppIdVerifyFail": CodeRule(D, "SdkAppId 不属于该密钥的账号"),
    "UnauthorizedOperation.SdkAppIdIsDisabled": CodeRule(D, "SdkAppId 已禁用"),
    "UnauthorizedOperation.RequestIpNotInWhitelist": CodeRule(D, "服务器 IP 不在白名单中"),
    "UnauthorizedOperation.RequestPermissionDeny": CodeRule(D, "请求没有权限"),
    "UnauthorizedOperation.IndividualUserMarketingSmsPermissionDeny": CodeRule(
        D, "个人用户不能发送营销短信"
    ),
    "AuthFailure.SignatureFailure": CodeRule(D, "请求签名错误：请核对 SecretKey"),
    "AuthFailure.SecretIdNotFound": CodeRule(D, "SecretId 不存在：请核对凭据"),
    "AuthFailure.InvalidSecretId": CodeRule(D, "SecretId 非法：请核对凭据"),
    "AuthFailure.SignatureExpire": CodeRule(D, "签名过期：请校准服务器时钟"),
    "AuthFailure.UnauthorizedOperation": CodeRule(D, "请求未授权（CAM）"),
}

TENCENT_PREFIXES = (
    ("InternalError", CodeRule(R, "腾讯云内部错误，稍后重试")),
    ("RequestLimitExceeded", CodeRule(R, "接口请求频率超限，稍后重试")),
    ("LimitExceeded.", CodeRule(R, "发送量超限，稍后重试")),
    ("AuthFailure", CodeRule(D, "腾讯云鉴权失败：请核对凭据")),
    ("UnauthorizedOperation", CodeRule(D, "腾讯云未授权：请核对账号和应用")),
)
