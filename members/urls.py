from django.urls import path

from .views import (
    accounts,
    checkin,
    me,
    notices,
    phone_login,
    staff_dashboard,
    staff_exports,
    staff_home,
    staff_notices,
    staff_registry,
)

app_name = "members"

urlpatterns = [
    path("accounts/login/", accounts.LoginView.as_view(), name="login"),
    path("accounts/login/verify/", accounts.LoginVerifyView.as_view(), name="login-verify"),
    path("accounts/login/phone/", phone_login.PhoneLoginView.as_view(), name="login-phone"),
    path("accounts/logout/", accounts.LogoutView.as_view(), name="logout"),
    path("accounts/activate/", accounts.IdentityStepView.as_view(mode="activate"), name="activate"),
    path(
        "accounts/activate/confirm/",
        accounts.ConfirmStepView.as_view(mode="activate"),
        name="activate-confirm",
    ),
    path("accounts/reset/", accounts.IdentityStepView.as_view(mode="reset"), name="reset"),
    path(
        "accounts/reset/confirm/",
        accounts.ConfirmStepView.as_view(mode="reset"),
        name="reset-confirm",
    ),
    path("privacy/", accounts.PrivacyNoticeView.as_view(), name="privacy"),
    path("me/", me.MeView.as_view(), name="me"),
    path("me/display/", accounts.DisplayPreferenceView.as_view(), name="display-preferences"),
    path("me/archive/", me.MyArchiveView.as_view(), name="my-archive"),
    path("me/archive/change/", me.ChangeRequestCreateView.as_view(), name="change-request-create"),
    path(
        "me/archive/change/<slug:row>/",
        me.ChangeRequestFieldView.as_view(),
        name="change-request-field",
    ),
    path("me/archive/changes/", me.MyChangeRequestListView.as_view(), name="my-change-requests"),
    path(
        "me/archive/changes/<int:pk>/",
        me.MyChangeRequestDetailView.as_view(),
        name="my-change-request",
    ),
    path("me/archive/history/", me.MyHistoryView.as_view(), name="my-history"),
    path("me/qr/", checkin.MemberQrView.as_view(), name="my-qr"),
    path("me/qr/card/", checkin.MemberQrCardView.as_view(), name="my-qr-card"),
    path("me/qr/secret/", checkin.MemberCheckinSecretView.as_view(), name="my-checkin-secret"),
    path("me/devices/", me.MyDevicesView.as_view(), name="my-devices"),
    path("me/password/", me.PasswordChangeView.as_view(), name="password-change"),
    path("staff/", staff_home.StaffHomeView.as_view(), name="staff-home"),
    path("staff/members/", staff_registry.StaffMemberListView.as_view(), name="staff-members"),
    path(
        "staff/members/export/",
        staff_registry.StaffMemberExportView.as_view(),
        name="staff-members-export",
    ),
    path(
        "staff/members/import/",
        staff_registry.StaffRosterUploadView.as_view(),
        name="staff-roster-upload",
    ),
    path(
        "staff/members/import/<int:pk>/",
        staff_registry.StaffRosterDetailView.as_view(),
        name="staff-roster",
    ),
    path(
        "staff/members/<int:pk>/",
        staff_registry.StaffMemberDetailView.as_view(),
        name="staff-member",
    ),
    path(
        "staff/change-requests/",
        staff_registry.StaffChangeRequestListView.as_view(),
        name="staff-change-requests",
    ),
    path(
        "staff/change-requests/<int:pk>/",
        staff_registry.StaffChangeRequestDetailView.as_view(),
        name="staff-change-request",
    ),
    path(
        "staff/contacts/overdue/",
        staff_registry.StaffContactsOverdueView.as_view(),
        name="staff-contacts-overdue",
    ),
    path("staff/dashboard/", staff_dashboard.StaffDashboardView.as_view(), name="staff-dashboard"),
    path(
        "staff/dashboard/export/",
        staff_dashboard.StaffDashboardExportView.as_view(),
        name="staff-dashboard-export",
    ),
    path(
        "staff/lost-contact/",
        staff_dashboard.StaffLostContactView.as_view(),
        name="staff-lost-contact",
    ),
    path(
        "staff/temporary-branches/",
        staff_dashboard.StaffTemporaryBranchView.as_view(),
        name="staff-temporary-branches",
    ),
    path("staff/hosting/", staff_dashboard.StaffHostingView.as_view(), name="staff-hosting"),
    path(
        "staff/hosting/code/",
        checkin.StaffCheckinCodeView.as_view(),
        name="staff-hosting-code",
    ),
    path(
        "staff/hosting/arrive/",
        staff_dashboard.StaffHostingArriveView.as_view(),
        name="staff-hosting-arrive",
    ),
    path(
        "staff/support-group/",
        staff_dashboard.StaffSupportGroupView.as_view(),
        name="staff-support-group",
    ),
    path("staff/audit/", staff_home.StaffAuditListView.as_view(), name="staff-audit"),
    path(
        "staff/second-factor/",
        staff_home.StaffSecondFactorView.as_view(),
        name="staff-second-factor",
    ),
    path("notices/", notices.NoticeListView.as_view(), name="notices"),
    path("notices/read-all/", notices.NoticeReadAllView.as_view(), name="notices-read-all"),
    path("notices/settings/", notices.NoticePreferenceView.as_view(), name="notice-preferences"),
    path("notices/<int:pk>/", notices.NoticeOpenView.as_view(), name="notice-open"),
    path("staff/exports/", staff_exports.StaffExportListView.as_view(), name="staff-exports"),
    path("staff/notices/", staff_notices.StaffNoticeListView.as_view(), name="staff-notices"),
    path(
        "staff/exports/<int:pk>/",
        staff_exports.StaffExportDetailView.as_view(),
        name="staff-export",
    ),
    path(
        "staff/exports/<int:pk>/download/",
        staff_exports.StaffExportDownloadView.as_view(),
        name="staff-export-download",
    ),
]
