from django.urls import path

from . import views

app_name = "appraisals"

urlpatterns = [
    # Members (我的 → 民主评议)
    path("me/appraisals/", views.MyAppraisalListView.as_view(), name="mine"),
    path("me/appraisals/<int:pk>/", views.MyAppraisalDetailView.as_view(), name="my-detail"),
    path("me/appraisals/<int:pk>/ballot/", views.MyBallotView.as_view(), name="my-ballot"),
    # Staff
    path("staff/appraisals/", views.StaffAppraisalListView.as_view(), name="staff-list"),
    path("staff/appraisals/new/", views.StaffAppraisalOpenView.as_view(), name="staff-open"),
    path(
        "staff/appraisals/<int:pk>/", views.StaffAppraisalDetailView.as_view(), name="staff-detail"
    ),
    path(
        "staff/appraisals/<int:pk>/paper-tally/",
        views.StaffPaperTallyView.as_view(),
        name="staff-paper-tally",
    ),
    path(
        "staff/appraisals/<int:pk>/export/",
        views.StaffAppraisalExportView.as_view(),
        name="staff-export",
    ),
]
