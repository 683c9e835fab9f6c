from django.urls import path

from . import views

app_name = "members"

urlpatterns = [
    path("accounts/login/", views.LoginView.as_view(), name="login"),
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
    path("staff/", views.StaffHomeView.as_view(), name="staff-home"),
    path("notices/", views.NoticeListView.as_view(), name="notices"),
    path("notices/read-all/", views.NoticeReadAllView.as_view(), name="notices-read-all"),
    path("notices/settings/", views.NoticePreferenceView.as_view(), name="notice-preferences"),
    path("notices/<int:pk>/", views.NoticeOpenView.as_view(), name="notice-open"),
]
