"""The audit log in words: a Chinese label for every action code any app records, and the
`detail` of an event as "键：值" text, so that staff read 登录成功 and 原因：手机号已停用
instead of `login.success` and a JSON dict. One table: an app that records a new action adds
its label here (tests/members/test_audit_text.py finds every `audit_record(action=…)` in the
code and fails for one without a label)."""

from django.apps import apps

from .archive_fields import LABELS as FIELD_LABELS
from .archive_fields import display_value

ACTION_LABELS = {
    "login.success": "登录成功",
    "login.failure": "登录失败",
    "logout": "退出登录",
    "access.denied": "访问被拒绝",
    "second_factor.enrol": "绑定身份验证器",
    "second_factor.reset": "重置身份验证器",
    "one_time_code.issue": "签发激活验证码",
    "member.view": "查看档案",
    "member.create": "新建档案",
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
    "hosting.request": "登记流入地党组织",
    "hosting.accept": "接收报到",
    "hosting.decline": "不接收报到",
    "hosting.close": "结束流入地管理",
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
}
# Internal details that mean nothing to a reader (kept in the record for investigators).
HIDDEN_DETAILS = {"view"}
VALUE_LABELS = {
    "kind": {"member": "党员", "staff": "工作人员"},
    "reason": {
        "credentials": "账号或密码错误",
        "locked_out": "错误次数过多，已锁定",
        "second_factor": "动态验证码错误",
    },
    "method": {"GET": "打开", "HEAD": "打开", "POST": "提交", "PUT": "修改", "PATCH": "修改"},
    "reply": {"attending": "参加", "excused": "请假"},
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
    "organization.create": {"kind": "组织类型"},
    "export.request": {"kind": "导出内容"},
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


def _value(key: str, value, action: str = "") -> str:
    if action.startswith("organization.") and value is not None:
        return _organization_value(key, value)
    if action.startswith("transfer."):
        named = _transfer_value(key, value)
        if named is not None:
            return named
    if key == "figure":
        from .stats_dimensions import DIMENSION_TITLES

        return DIMENSION_TITLES.get(str(value), str(value))
    if isinstance(value, bool):
        return "是" if value else "否"
    if value is None or value == "":
        return "（空）"
    if key == "fields" and isinstance(value, list | tuple):
        return "、".join(FIELD_LABELS.get(str(v), str(v)) for v in value)
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
