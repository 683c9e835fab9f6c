from .member import MyTransferDetailView, MyTransferListView
from .printing import StaffLetterPrintView, StaffReceiptPrintView
from .staff import (
    StaffCandidateListView,
    StaffIncomingRegisterView,
    StaffTransferDetailView,
    StaffTransferListView,
    StaffTransferPrepareView,
    StaffTransferRequestView,
)

__all__ = [
    "MyTransferDetailView",
    "MyTransferListView",
    "StaffCandidateListView",
    "StaffIncomingRegisterView",
    "StaffLetterPrintView",
    "StaffReceiptPrintView",
    "StaffTransferDetailView",
    "StaffTransferListView",
    "StaffTransferPrepareView",
    "StaffTransferRequestView",
]
