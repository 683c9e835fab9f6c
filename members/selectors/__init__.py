from .changes import (
    change_request_diff,
    change_request_get_for_member,
    change_request_get_for_staff,
    change_request_list_for_member,
    change_request_queue,
    contact_log_list,
    member_history,
)
from .notices import (
    notice_get,
    notice_inbox,
    notice_manageable_list,
    notice_preferences,
    notice_reach_list,
    notice_unread_count,
)
from .registry import (
    contact_overdue_q,
    hash_lookup,
    member_detail_get,
    member_get,
    member_list,
    organization_get,
    organization_list,
)

__all__ = [
    "change_request_diff",
    "change_request_get_for_member",
    "change_request_get_for_staff",
    "change_request_list_for_member",
    "change_request_queue",
    "contact_log_list",
    "contact_overdue_q",
    "hash_lookup",
    "member_detail_get",
    "member_get",
    "member_history",
    "member_list",
    "notice_get",
    "notice_inbox",
    "notice_manageable_list",
    "notice_preferences",
    "notice_reach_list",
    "notice_unread_count",
    "organization_get",
    "organization_list",
]
