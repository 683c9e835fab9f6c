"""The audit log in words: a Chinese label for every action code any app records, and the
`detail` of an event as "键：值" text, so that staff read 登录成功 and 原因：手机号已停用
instead of `login.success` and a JSON dict. One table: an app that records a new action adds
its label here (tests/members/test_audit_text.py finds every `audit_record(action=…)` in the
code and fails for one without a label)."""

from django.apps import apps

from .archive_fields import LABELS as FIELD_LABELS
from .archive_fields import display_value, field_label

ACTION_LABELS = {
    "login.success": "登录成功",
    "login.failure": "登录失败",
    "login_throttle.lift": "解除登录限制",
    "logout": "退出登录",
    "device.remember": "记住登录设备",
    "device.revoke": "移除登录设备",
    "password.change": "修改密码",
    "access.denied": "访问被拒绝",
    "second_factor.enrol": "绑定身份验证器",
    "second_factor.reset": "重置身份验证器",
    "one_time_code.issue": "签发激活验证码",
    "member.view": "查看档案",
    "member.create": "新建档案",
    "member.duplicate_refused": "拒绝重复建档（档案在管理范围外）",
    "member.change": "修改档案",
    "member.reveal_id_number": "查看完整身份证号",
    "member.sms_opt_out.set": "为党员退订通知短信",
    "member.sms_opt_out.clear": "为党员恢复通知短信",
    "member.sms_opt_out.reply": "党员回复退订通知短信",
    "member.export": "导出档案",
    "stats.export": "导出统计数据",
    "change_request.approve": "批准档案修改申请",
    "change_request.reject": "驳回档案修改申请",
    "contact.create": "记录动态联系",
    "roster.check": "检查花名册",
    "roster.import": "导入花名册",
    "organization.create": "新建党组织",
    "organization.rename": "修改党组织名称",
    "organization.move": "调整上级党组织",
    "temporary_branch.create": "成立临时党支部",
    "temporary_branch.dissolve": "撤销临时党支部",
    "temporary_branch.rule": "修改临时党支部成员规则",
    "temporary_branch.proposal_accept": "确认临时党支部成员变动",
    "temporary_branch.proposal_decline": "不同意临时党支部成员变动",
    "hosting.request": "登记流入地党组织",
    "hosting.accept": "接收报到",
    "hosting.decline": "不接收报到",
    "hosting.close": "结束流入地管理",
    "hosting.checkin": "报到码报到",
    "hosting.checkin_wrong": "报到码输入错误",
    "hosting.checkin_throttled": "报到码尝试过多",
    "hosting.checkin_secret": "为手机发放报到码密钥",
    "learning.study_export": "导出学习情况",
    "activity.attendance_export": "导出参会情况",
    "activity.reply_by_staff": "代党员登记活动回复",
    "forum.thread.pin": "置顶主题",
    "forum.thread.unpin": "取消置顶主题",
    "forum.thread.lock": "锁定主题",
    "forum.thread.unlock": "解除锁定主题",
    "forum.thread.hide": "隐藏主题",
    "forum.thread.unhide": "取消隐藏主题",
    "forum.thread.typical": "标为典型问题",
    "forum.thread.untypical": "取消典型问题",
    "forum.post.hide": "隐藏回复",
    "forum.post.unhide": "取消隐藏回复",
    "forum.post.report": "举报回复",
    "forum.report.resolved": "处理举报：属实",
    "forum.report.dismissed": "处理举报：不予处理",
    "export.request": "申请后台导出",
    "export.download": "下载导出文件",
    "member.transfer": "组织关系转接（档案变更）",
    "transfer.request": "申请组织关系转接",
    "wechat.bind": "绑定微信",
    "wechat.unbind": "解除微信绑定",
    "transfer.approve": "转出方同意转接",
    "transfer.reject": "组织关系转接未通过",
    "transfer.accept": "接收方接收转接",
    "transfer.withdraw": "撤回组织关系转接",
    "transfer.prepare": "准备转出县外",
    "transfer.issue_letter": "开具组织关系介绍信",
    "transfer.expire": "介绍信逾期未回执",
    "transfer.record_receipt": "登记介绍信回执",
    "transfer.register": "登记县外转入",
    "transfer.letter_print": "打印介绍信（含完整身份证号）",
    "transfer.receipt_print": "打印回执（含完整身份证号）",
    # appraisals (民主评议党员); a ballot is never audited
    "appraisal.open": "发起民主评议党员",
    "appraisal.ballot_close": "结束民主测评",
    "appraisal.paper_tally": "登记纸质票计票",
    "appraisal.rating_record": "作出组织评定",
    "appraisal.rating_approve": "上级党委同意不合格评定",
    "appraisal.rating_reject": "上级党委退回不合格评定",
    "appraisal.finish": "完成民主评议",
    "appraisal.export": "导出民主评议",
    "dues.account_set": "设置党费类别",
    "dues.base_declare": "申报党费交纳基数",
    "dues.base_set": "核定党费交纳基数",
    "dues.base_approve": "审核通过党费交纳基数",
    "dues.base_reject": "退回党费交纳基数",
    "dues.payment_record": "登记线下交纳党费",
    "dues.payment_online": "微信支付党费入账",
    "dues.correction_record": "更正党费台账",
    "dues.refund_record": "退还党费",
    "dues.refund_request": "申请微信支付退还党费",
    "dues.refund_online": "微信支付退还党费入账",
    "dues.order_create": "创建党费微信支付订单",
    "dues.export": "导出党费台账",
    "support_case.open": "困难帮扶立案",
    "support_case.ask": "党员申请困难帮扶",
    "support_case.step": "记录困难帮扶进展",
    "support_case.close": "困难帮扶办结",
    "support_group.join": "加入家乡后援团",
    "support_group.change": "修改后援团支持方式",
    "support_group.leave": "退出家乡后援团",
    "contribution.record": "登记回馈家乡贡献",
    "contribution.confirm": "确认回馈家乡贡献",
    "contribution.decline": "不予确认回馈家乡贡献",
    "campaign.publish": "发布回馈家乡年度活动",
    "pacesetter.name": "评选回馈标兵并发布优秀典型",
    "hometown.export": "导出困难帮扶和后援团统计",
}

DETAIL_LABELS = {
    "kind": "账号类型",
    "username": "账号",
    "id_number": "身份证号",
    "reason": "原因",
    "source": "来源",
    "fields": "涉及字段",
    "code_id": "验证码编号",
    "rows": "行数",
    "errors": "有误行数",
    "created": "新建",
    "updated": "更新",
    "unchanged": "未变",
    "filters": "筛选条件",
    "selected": "所选档案数",
    "figure": "统计项",
    "from": "原上级组织",
    "to": "新上级组织",
    "members": "人数",
    "member": "党员",
    "status": "状态码",
    "method": "请求方式",
    "path": "地址",
    "title": "标题",
    "thread": "主题编号",
    "post": "回复编号",
    "report": "举报编号",
    "reports_closed": "一并处理的举报",
    "resolution": "处理意见",
    "article": "学习资料编号",
    "reply": "回复",
    "parent": "上级组织",
    "failed": "检查未通过",
    "label": "对象",
    "failures": "失败次数",
    "year": "年度",
    "organization": "党组织",
    "voted": "在线投票人数",
    "ballots": "纸质票数",
    "rating": "组织评定",
}
# Internal details that mean nothing to a reader (kept in the record for investigators).
HIDDEN_DETAILS = {"view"}
VALUE_LABELS = {
    "reason": {
        "credentials": "账号或密码错误",
        "locked_out": "错误次数过多，已锁定",
        "second_factor": "动态验证码错误",
        "throttled": "尝试过于频繁，已限制",
    },
    "method": {"GET": "打开", "HEAD": "打开", "POST": "提交", "PUT": "修改", "PATCH": "修改"},
    "reply": {"attending": "参加", "excused": "请假"},
    "source": {"create": "新建档案", "roster": "花名册检查"},
    "rating": {
        "excellent": "优秀",
        "qualified": "合格",
        "basically_qualified": "基本合格",
        "unqualified": "不合格",
    },
    "kind": {"member": "党员", "staff": "工作人员", "join": "拟加入", "leave": "拟移出"},
}
FILTER_LABELS = {
    **FIELD_LABELS,
    "q": "关键词",
    "skill": "技能",
    "contact_overdue": "90天未联系",
    "selected": "所选档案数",
}


# Keys that mean something else in some actions' details (an action code, or the prefix of
# a family of actions ending in ".").
ACTION_DETAIL_LABELS = {
    "login_throttle.lift": {"kind": "限制类型"},
    "organization.create": {"kind": "组织类型"},
    "export.request": {"kind": "导出内容"},
    "dues.": {
        "dues_category": "党费类别",
        "created": "新设置",
        "year": "年度",
        "receipt": "收据号",
        "refund": "退还收据号",
        "months": "月数",
        "method": "交纳方式",
        "entry": "更正的记录",
        "month": "月份",
        "out_trade_no": "商户订单号",
        "out_refund_no": "微信退款单号",
        "what": "导出内容",
    },
    "support_case.": {"kind": "困难类型", "case": "帮扶编号"},
    "temporary_branch.proposal_": {"kind": "变动类型"},
    "support_group.": {"offers": "可提供的支持", "publicity_consent": "同意宣传报道"},
    "contribution.": {"kind": "贡献类型", "contribution": "贡献编号"},
    "campaign.publish": {"year": "年度"},
    "pacesetter.name": {"year": "年度", "article": "优秀典型文章编号"},
    "transfer.": {
        "from": "原状态",
        "to": "新状态",
        "number": "介绍信编号",
        "validity_days": "有效期（天）",
        "dues_paid_until": "党费交至",
        "kind": "转接类型",
    },
}
ORGANIZATION_KEYS = ("parent", "from", "to")


def action_label(code: str) -> str:
    return ACTION_LABELS.get(code, code)


def target_type_label(label: str) -> str:
    """`members.member` → 流动党员档案 (the model's Chinese name)."""
    if not label:
        return ""
    try:
        return str(apps.get_model(label)._meta.verbose_name)
    except (LookupError, ValueError):
        return label


def _labels_for(action: str) -> dict:
    labels = dict(DETAIL_LABELS)
    for prefix, extra in ACTION_DETAIL_LABELS.items():
        if action == prefix or (prefix.endswith(".") and action.startswith(prefix)):
            labels.update(extra)
    return labels


def _transfer_value(key: str, value) -> str | None:
    """States and kinds of a transfer by their Chinese names (the app is looked up by name:
    members imports no feature app)."""
    if key not in ("from", "to", "kind") or value in (None, ""):
        return None
    try:
        model = apps.get_model("transfers", "Transfer")
    except LookupError:
        return None
    choices = model.Kind.choices if key == "kind" else model.Status.choices
    return dict(choices).get(str(value))


DUES_VALUE_LABELS = {
    "method": {"cash": "现金交支部", "bank_transfer": "银行转账", "online": "微信支付"},
    "dues_category": {
        "wage": "在职",
        "retiree": "离退休",
        "farmer": "农民",
        "student_or_unemployed": "学生、下岗失业或领取低保",
        "hardship": "生活困难",
    },
    "what": {"standing": "交纳情况", "month": "月度台账", "year": "年度汇总"},
}
# Choice codes in the details of the hometown app's actions, by (action prefix, key): the
# model and its choices attribute (looked up by name: members imports no feature app).
HOMETOWN_CHOICES = {
    ("support_case.", "kind"): ("SupportCase", "Kind"),
    ("support_group.", "offers"): ("SupportGroupMembership", "Offer"),
    ("contribution.", "kind"): ("Contribution", "Kind"),
}
FIGURE_LABELS = {"mindset_trend": "思想状况季度趋势", "hometown": "困难帮扶与后援团统计"}


def _hometown_value(action: str, key: str, value) -> str | None:
    for (prefix, name), (model_name, attr) in HOMETOWN_CHOICES.items():
        if action.startswith(prefix) and key == name:
            try:
                labels = dict(getattr(apps.get_model("hometown", model_name), attr).choices)
            except LookupError:
                return None
            if isinstance(value, list | tuple):
                return "、".join(labels.get(str(v), str(v)) for v in value)
            return labels.get(str(value))
    return None


def _value(key: str, value, action: str = "") -> str:
    named = _hometown_value(action, key, value)
    if named is not None:
        return named
    if action.startswith("organization.") and value is not None:
        return _organization_value(key, value)
    if action.startswith("appraisal.") and key == "organization" and str(value).isdigit():
        return _organization_value("parent", value)  # by name, as organisation events
    if action.startswith("dues.") and str(value) in DUES_VALUE_LABELS.get(key, {}):
        return DUES_VALUE_LABELS[key][str(value)]
    if action.startswith("transfer."):
        named = _transfer_value(key, value)
        if named is not None:
            return named
    if key == "figure":
        from .stats_dimensions import DIMENSION_TITLES

        return DIMENSION_TITLES.get(str(value), FIGURE_LABELS.get(str(value), str(value)))
    if isinstance(value, bool):
        return "是" if value else "否"
    if value is None or value == "":
        return "（空）"
    if key == "fields" and isinstance(value, list | tuple):
        return "、".join(field_label(str(v)) for v in value)
    if key == "filters" and isinstance(value, dict):
        return "，".join(
            f"{FILTER_LABELS.get(k, k)}={_filter_value(k, v)}" for k, v in value.items()
        )
    if isinstance(value, list | tuple):
        return "、".join(_value(key, v) for v in value)
    if isinstance(value, dict):
        return "，".join(f"{DETAIL_LABELS.get(k, k)}={_value(k, v)}" for k, v in value.items())
    return VALUE_LABELS.get(key, {}).get(str(value), str(value))


def _organization_value(key: str, value) -> str:
    from .models import Organization

    if key == "kind":
        return dict(Organization.Kind.choices).get(str(value), str(value))
    if key in ORGANIZATION_KEYS and str(value).isdigit():
        name = Organization.objects.filter(pk=value).values_list("name", flat=True).first()
        return name or f"#{value}"
    return _value(key, value)


def _filter_value(key: str, value) -> str:
    """A list filter's value as the list showed it (流动状态=外出流动, 流入省份=广东省)."""
    if key in FIELD_LABELS and isinstance(value, str):
        return display_value(key, value)
    return _value(key, value)


def detail_text(detail, action: str = "") -> str:
    """`{"reason": "手机号已停用", "code_id": 3}` → 原因：手机号已停用；验证码编号：3 (the
    action's own meaning of a key first: an organisation's kind is not an account's)."""
    if not isinstance(detail, dict):
        return str(detail or "")
    labels = _labels_for(action)
    parts = [
        f"{labels.get(key, key)}：{_value(key, value, action)}"
        for key, value in detail.items()
        if key not in HIDDEN_DETAILS
    ]
    return "；".join(parts)
