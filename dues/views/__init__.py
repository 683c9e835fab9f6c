from .member import (
    MyDuesView,
    MyOrderView,
    MyPayView,
    MyReceiptView,
)
from .staff import (
    StaffBaseListView,
    StaffDuesListView,
    StaffLedgerView,
    StaffMemberDuesView,
    StaffReceiptView,
    StaffReconciliationView,
    StaffTotalsView,
)

__all__ = [
    "MyDuesView",
    "MyOrderView",
    "MyPayView",
    "MyReceiptView",
    "StaffBaseListView",
    "StaffDuesListView",
    "StaffLedgerView",
    "StaffMemberDuesView",
    "StaffReceiptView",
    "StaffReconciliationView",
    "StaffTotalsView",
]
