from django.urls import path

from . import views

app_name = "dues"

urlpatterns = [
    # Members (我的 → 我的党费)
    path("me/dues/", views.MyDuesView.as_view(), name="mine"),
    path("me/dues/pay/", views.MyPayView.as_view(), name="pay"),
    path("me/dues/orders/<str:out_trade_no>/", views.MyOrderView.as_view(), name="order"),
    path("me/dues/receipts/<int:pk>/", views.MyReceiptView.as_view(), name="receipt"),
    # Staff
    path("staff/dues/", views.StaffDuesListView.as_view(), name="staff-list"),
    path("staff/dues/bases/", views.StaffBaseListView.as_view(), name="staff-bases"),
    path("staff/dues/ledger/", views.StaffLedgerView.as_view(), name="staff-ledger"),
    path("staff/dues/totals/", views.StaffTotalsView.as_view(), name="staff-totals"),
    path(
        "staff/dues/reconciliation/",
        views.StaffReconciliationView.as_view(),
        name="staff-reconciliation",
    ),
    path("staff/dues/members/<int:pk>/", views.StaffMemberDuesView.as_view(), name="staff-member"),
    path("staff/dues/receipts/<int:pk>/", views.StaffReceiptView.as_view(), name="staff-receipt"),
]
