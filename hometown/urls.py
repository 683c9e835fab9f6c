from django.urls import path

from . import views

app_name = "hometown"

urlpatterns = [
    # Members (我的 → 家庭困难帮扶, 家乡后援团)
    path("me/family-support/", views.MyFamilySupportView.as_view(), name="my-cases"),
    path("me/family-support/<int:pk>/", views.MyFamilySupportDetailView.as_view(), name="my-case"),
    path("me/support-group/", views.MySupportGroupView.as_view(), name="my-support-group"),
    # Staff
    path("staff/family-support/", views.StaffCaseListView.as_view(), name="staff-cases"),
    path("staff/family-support/new/", views.StaffCaseOpenView.as_view(), name="staff-case-open"),
    path("staff/family-support/<int:pk>/", views.StaffCaseDetailView.as_view(), name="staff-case"),
    path(
        "staff/support-group/members/",
        views.StaffMembershipListView.as_view(),
        name="staff-memberships",
    ),
    path(
        "staff/support-group/contributions/",
        views.StaffContributionListView.as_view(),
        name="staff-contributions",
    ),
    path(
        "staff/support-group/campaigns/",
        views.StaffCampaignListView.as_view(),
        name="staff-campaigns",
    ),
    path(
        "staff/support-group/campaigns/<int:year>/",
        views.StaffCampaignDetailView.as_view(),
        name="staff-campaign",
    ),
    path(
        "staff/hometown/export/",
        views.StaffHometownExportView.as_view(),
        name="staff-export",
    ),
]
