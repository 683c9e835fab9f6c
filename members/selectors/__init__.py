from .notices import (
    Audiences,
    audiences_of,
    notice_get,
    notice_inbox,
    notice_preferences,
    notice_unread_count,
)
from .registry import member_get, member_list, organization_get, organization_list

__all__ = [
    "Audiences",
    "audiences_of",
    "member_get",
    "member_list",
    "notice_get",
    "notice_inbox",
    "notice_preferences",
    "notice_unread_count",
    "organization_get",
    "organization_list",
]
