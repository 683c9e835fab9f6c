from django.urls import path

from .api import auth, display, notices, registry, sms, stats

urlpatterns = [
    path("auth/activation-code/", auth.ActivationCodeRequestApi.as_view(), name="activation-code"),
    path("auth/register/", auth.RegisterApi.as_view(), name="register"),
    path("auth/password-reset/", auth.PasswordResetApi.as_view(), name="password-reset"),
    path("auth/login/", auth.LoginApi.as_view(), name="login"),
    path("auth/login-code/", auth.LoginCodeRequestApi.as_view(), name="login-code"),
    path("auth/login-code/verify/", auth.LoginCodeVerifyApi.as_view(), name="login-code-verify"),
    path("auth/logout/", auth.LogoutApi.as_view(), name="logout"),
    path("me/", registry.MeApi.as_view(), name="me"),
    path("me/display/", display.DisplayPreferenceApi.as_view(), name="me-display"),
    path("me/history/", registry.MeHistoryApi.as_view(), name="me-history"),
    path(
        "me/change-requests/", registry.MyChangeRequestListApi.as_view(), name="my-change-requests"
    ),
    path(
        "me/change-requests/<int:pk>/withdraw/",
        registry.MyChangeRequestWithdrawApi.as_view(),
        name="my-change-request-withdraw",
    ),
    path("change-requests/", registry.ChangeRequestQueueApi.as_view(), name="change-request-list"),
    path(
        "change-requests/<int:pk>/",
        registry.ChangeRequestDetailApi.as_view(),
        name="change-request-detail",
    ),
    path(
        "change-requests/<int:pk>/approve/",
        registry.ChangeRequestReviewApi.as_view(action="approve"),
        name="change-request-approve",
    ),
    path(
        "change-requests/<int:pk>/reject/",
        registry.ChangeRequestReviewApi.as_view(action="reject"),
        name="change-request-reject",
    ),
    path(
        "change-requests/<int:pk>/evidence/<int:evidence_pk>/",
        registry.EvidenceDownloadApi.as_view(),
        name="change-request-evidence",
    ),
    path("skills/", registry.SkillListApi.as_view(), name="skill-list"),
    path("stats/overview/", stats.StatsOverviewApi.as_view(), name="stats-overview"),
    path("lost-contact/", stats.LostContactListApi.as_view(), name="lost-contact"),
    path(
        "temporary-branches/suggestions/",
        stats.TemporaryBranchSuggestionsApi.as_view(),
        name="temporary-branch-suggestions",
    ),
    path(
        "temporary-branches/", stats.TemporaryBranchCreateApi.as_view(), name="temporary-branches"
    ),
    path(
        "temporary-branches/proposals/",
        stats.TemporaryBranchProposalListApi.as_view(),
        name="temporary-branch-proposals",
    ),
    path(
        "temporary-branches/proposals/<int:pk>/decide/",
        stats.TemporaryBranchProposalDecideApi.as_view(),
        name="temporary-branch-proposal-decide",
    ),
    path(
        "temporary-branches/<int:pk>/dissolve/",
        stats.TemporaryBranchDissolveApi.as_view(),
        name="temporary-branch-dissolve",
    ),
    path("hosting/", stats.HostingListApi.as_view(), name="hosting"),
    path("hosting/arrive/", stats.HostingArriveApi.as_view(), name="hosting-arrive"),
    path(
        "hosting/<int:pk>/accept/",
        stats.HostingDecisionApi.as_view(decision="accept"),
        name="hosting-accept",
    ),
    path(
        "hosting/<int:pk>/decline/",
        stats.HostingDecisionApi.as_view(decision="decline"),
        name="hosting-decline",
    ),
    path("me/qr-token/", stats.MyQrTokenApi.as_view(), name="my-qr-token"),
    path("regions/", registry.RegionListApi.as_view(), name="region-list"),
    path("organizations/", registry.OrganizationListApi.as_view(), name="organization-list"),
    path("members/", registry.MemberListCreateApi.as_view(), name="member-list"),
    path("members/search/", registry.MemberSearchApi.as_view(), name="member-search"),
    path("members/<int:pk>/", registry.MemberDetailApi.as_view(), name="member-detail"),
    path("members/<int:pk>/history/", registry.MemberHistoryApi.as_view(), name="member-history"),
    path(
        "members/<int:pk>/contacts/",
        registry.MemberContactListApi.as_view(),
        name="member-contacts",
    ),
    path(
        "members/<int:pk>/reveal-id-number/",
        registry.MemberRevealIdNumberApi.as_view(),
        name="member-reveal-id-number",
    ),
    path(
        "members/<int:pk>/activation-code/",
        registry.MemberActivationCodeApi.as_view(),
        name="member-activation-code",
    ),
    path("notices/", notices.NoticeListApi.as_view(), name="notice-list"),
    path(
        "notices/unread-count/", notices.NoticeUnreadCountApi.as_view(), name="notice-unread-count"
    ),
    path("notices/read-all/", notices.NoticeReadAllApi.as_view(), name="notice-read-all"),
    path("notices/preferences/", notices.NoticePreferenceApi.as_view(), name="notice-preferences"),
    path("notices/<int:pk>/read/", notices.NoticeReadApi.as_view(), name="notice-read"),
    # SMS gateways' callbacks (token in the URL, or the MNS signature)
    path("sms/aliyun/replies/", sms.AliyunSmsReplyApi.as_view(), name="sms-aliyun-replies"),
    path("sms/aliyun/mns/", sms.AliyunMnsReplyApi.as_view(), name="sms-aliyun-mns"),
    path("sms/tencent/replies/", sms.TencentSmsReplyApi.as_view(), name="sms-tencent-replies"),
    path("sms/tencent/status/", sms.TencentSmsStatusApi.as_view(), name="sms-tencent-status"),
]
