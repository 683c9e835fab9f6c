from django.urls import path

from . import staff_dashboard_views as dash
from . import staff_views, views

app_name = "members"

urlpatterns = [
    path("accounts/login/", views.LoginView.as_view(), name="login"),
    path("accounts/login/verify/", views.LoginVerifyView.as_view(), name="login-verify"),
    path("accounts/logout/", views.LogoutView.as_view(), name="logout"),
    path("accounts/activate/", views.IdentityStepView.as_view(mode="activate"), name="activate"),
    path(
        "accounts/activate/confirm/",
        views.ConfirmStepView.as_view(mode="activate"),
        name="activate-confirm",
    ),
    path("accounts/reset/", views.IdentityStepView.as_view(mode="reset"), name="reset"),
    path(
        "accounts/reset/confirm/", views.ConfirmStepView.as_view(mode="reset"), name="reset-confirm"
    ),
    path("privacy/", views.PrivacyNoticeView.as_view(), name="privacy"),
    path("me/", views.MeView.as_view(), name="me"),
    path("me/display/", views.DisplayPreferenceView.as_view(), name="display-preferences"),
    path("me/archive/", views.MyArchiveView.as_view(), name="my-archive"),
    path(
        "me/archive/change/", views.ChangeRequestCreateView.as_view(), name="change-request-create"
    ),
    path("me/archive/changes/", views.MyChangeRequestListView.as_view(), name="my-change-requests"),
    path(
        "me/archive/changes/<int:pk>/",
        views.MyChangeRequestDetailView.as_view(),
        name="my-change-request",
    ),
    path("me/archive/history/", views.MyHistoryView.as_view(), name="my-history"),
    path("me/qr/", views.MemberQrView.as_view(), name="my-qr"),
    path("staff/", views.StaffHomeView.as_view(), name="staff-home"),
    path("staff/members/", staff_views.StaffMemberListView.as_view(), name="staff-members"),
    path(
        "staff/members/export/",
        staff_views.StaffMemberExportView.as_view(),
        name="staff-members-export",
    ),
    path(
        "staff/members/import/",
        staff_views.StaffRosterUploadView.as_view(),
        name="staff-roster-upload",
    ),
    path(
        "staff/members/import/<int:pk>/",
        staff_views.StaffRosterDetailView.as_view(),
        name="staff-roster",
    ),
    path(
        "staff/members/<int:pk>/", staff_views.StaffMemberDetailView.as_view(), name="staff-member"
    ),
    path(
        "staff/change-requests/",
        staff_views.StaffChangeRequestListView.as_view(),
        name="staff-change-requests",
    ),
    path(
        "staff/change-requests/<int:pk>/",
        staff_views.StaffChangeRequestDetailView.as_view(),
        name="staff-change-request",
    ),
    path(
        "staff/contacts/overdue/",
        staff_views.StaffContactsOverdueView.as_view(),
        name="staff-contacts-overdue",
    ),
    path("staff/dashboard/", dash.StaffDashboardView.as_view(), name="staff-dashboard"),
    path(
        "staff/dashboard/export/",
        dash.StaffDashboardExportView.as_view(),
        name="staff-dashboard-export",
    ),
    path("staff/lost-contact/", dash.StaffLostContactView.as_view(), name="staff-lost-contact"),
    path(
        "staff/temporary-branches/",
        dash.StaffTemporaryBranchView.as_view(),
        name="staff-temporary-branches",
    ),
    path("staff/hosting/", dash.StaffHostingView.as_view(), name="staff-hosting"),
    path(
        "staff/hosting/arrive/", dash.StaffHostingArriveView.as_view(), name="staff-hosting-arrive"
    ),
    path("staff/support-group/", dash.StaffSupportGroupView.as_view(), name="staff-support-group"),
    path("staff/audit/", staff_views.StaffAuditListView.as_view(), name="staff-audit"),
    path(
        "staff/second-factor/",
        staff_views.StaffSecondFactorView.as_view(),
        name="staff-second-factor",
    ),
    path("notices/", views.NoticeListView.as_view(), name="notices"),
    path("notices/read-all/", views.NoticeReadAllView.as_view(), name="notices-read-all"),
    path("notices/settings/", views.NoticePreferenceView.as_view(), name="notice-preferences"),
    path("notices/<int:pk>/", views.NoticeOpenView.as_view(), name="notice-open"),
]
