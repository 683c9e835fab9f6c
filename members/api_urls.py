from django.urls import path

from .api import auth, notices, registry

urlpatterns = [
    path("auth/activation-code/", auth.ActivationCodeRequestApi.as_view(), name="activation-code"),
    path("auth/register/", auth.RegisterApi.as_view(), name="register"),
    path("auth/password-reset/", auth.PasswordResetApi.as_view(), name="password-reset"),
    path("auth/login/", auth.LoginApi.as_view(), name="login"),
    path("auth/logout/", auth.LogoutApi.as_view(), name="logout"),
    path("me/", registry.MeApi.as_view(), name="me"),
    path("organizations/", registry.OrganizationListApi.as_view(), name="organization-list"),
    path("members/", registry.MemberListCreateApi.as_view(), name="member-list"),
    path("members/<int:pk>/", registry.MemberDetailApi.as_view(), name="member-detail"),
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
]
