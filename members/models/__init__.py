from .accounts import OneTimeCode
from .audit import AuditEvent
from .branches import BranchCommitteeSeat, TemporaryBranchProposal, TemporaryBranchRule
from .changes import ChangeEvidence, ChangeRequest, ContactLog, RosterImport
from .devices import RememberedDevice
from .exports import ExportJob
from .hosting import CheckinSecret, Hosting, StatsRollup
from .notices import (
    Notice,
    NoticeDelivery,
    NoticeInboxState,
    NoticePreference,
    NoticeRead,
    NoticeRecipient,
    SmsBudgetUsage,
)
from .organizations import (
    Organization,
    OrganizationGroupObjectPermission,
    OrganizationUserObjectPermission,
)
from .people import Member, Skill, TemporaryBranchMembership, User
from .regions import Region

__all__ = [
    "AuditEvent",
    "BranchCommitteeSeat",
    "ChangeEvidence",
    "ChangeRequest",
    "CheckinSecret",
    "ContactLog",
    "ExportJob",
    "Hosting",
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
    "Region",
    "RememberedDevice",
    "RosterImport",
    "Skill",
    "SmsBudgetUsage",
    "StatsRollup",
    "TemporaryBranchMembership",
    "TemporaryBranchProposal",
    "TemporaryBranchRule",
    "User",
]
