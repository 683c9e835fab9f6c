from django.urls import path

from . import views

app_name = "transfers"

urlpatterns = [
    # Members (我的 → 组织关系转接)
    path("me/transfers/", views.MyTransferListView.as_view(), name="mine"),
    path("me/transfers/<int:pk>/", views.MyTransferDetailView.as_view(), name="my-detail"),
    # Staff
    path("staff/transfers/", views.StaffTransferListView.as_view(), name="staff-list"),
    path("staff/transfers/new/", views.StaffTransferRequestView.as_view(), name="staff-request"),
    path(
        "staff/transfers/outgoing/new/",
        views.StaffTransferPrepareView.as_view(),
        name="staff-prepare",
    ),
    path(
        "staff/transfers/incoming/new/",
        views.StaffIncomingRegisterView.as_view(),
        name="staff-incoming",
    ),
    path(
        "staff/transfers/candidates/",
        views.StaffCandidateListView.as_view(),
        name="staff-candidates",
    ),
    path("staff/transfers/<int:pk>/", views.StaffTransferDetailView.as_view(), name="staff-detail"),
    path(
        "staff/transfers/<int:pk>/letter/",
        views.StaffLetterPrintView.as_view(),
        name="staff-letter",
    ),
    path(
        "staff/transfers/<int:pk>/receipt/",
        views.StaffReceiptPrintView.as_view(),
        name="staff-receipt",
    ),
]
