from .member import (
    MyFamilySupportDetailView,
    MyFamilySupportView,
    MySupportGroupView,
)
from .staff import (
    StaffCampaignDetailView,
    StaffCampaignListView,
    StaffCaseDetailView,
    StaffCaseListView,
    StaffCaseOpenView,
    StaffContributionListView,
    StaffHometownExportView,
    StaffMembershipListView,
)

__all__ = [
    "MyFamilySupportDetailView",
    "MyFamilySupportView",
    "MySupportGroupView",
    "StaffCampaignDetailView",
    "StaffCampaignListView",
    "StaffCaseDetailView",
    "StaffCaseListView",
    "StaffCaseOpenView",
    "StaffContributionListView",
    "StaffHometownExportView",
    "StaffMembershipListView",
]
