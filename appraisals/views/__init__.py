from .member import MyAppraisalDetailView, MyAppraisalListView, MyBallotView
from .staff import (
    StaffAppraisalDetailView,
    StaffAppraisalExportView,
    StaffAppraisalListView,
    StaffAppraisalOpenView,
    StaffPaperTallyView,
)

__all__ = [
    "MyAppraisalDetailView",
    "MyAppraisalListView",
    "MyBallotView",
    "StaffAppraisalDetailView",
    "StaffAppraisalExportView",
    "StaffAppraisalListView",
    "StaffAppraisalOpenView",
    "StaffPaperTallyView",
]
