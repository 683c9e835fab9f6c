from .accounts import OneTimeCode
from .audit import AuditEvent
from .notices import (
    Notice,
    NoticeDelivery,
    NoticeInboxState,
    NoticePreference,
    NoticeRead,
    NoticeRecipient,
)
from .organizations import (
    Organization,
    OrganizationGroupObjectPermission,
    OrganizationUserObjectPermission,
)
from .people import Member, Skill, TemporaryBranchMembership, User

__all__ = [
    "AuditEvent",
    "Member",
    "Notice",
    "NoticeDelivery",
    "NoticeInboxState",
    "NoticePreference",
    "NoticeRead",
    "NoticeRecipient",
    "OneTimeCode",
    "Organization",
    "OrganizationGroupObjectPermission",
    "OrganizationUserObjectPermission",
    "Skill",
    "TemporaryBranchMembership",
    "User",
]
