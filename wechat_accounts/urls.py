from django.urls import path, re_path

from . import views

app_name = "wechat_accounts"

urlpatterns = [
    path("wechat/sign-in/", views.SignInView.as_view(), name="signin"),
    path("wechat/callback/", views.CallbackView.as_view(), name="callback"),
    path("me/wechat/", views.MyBindingsView.as_view(), name="mine"),
    path("me/wechat/bind/", views.BindView.as_view(), name="bind"),
    path("me/wechat/dismiss/", views.DismissView.as_view(), name="dismiss"),
    path("me/wechat/<int:pk>/unbind/", views.UnbindView.as_view(), name="unbind"),
    re_path(
        r"^(?P<name>MP_verify_[A-Za-z0-9]{1,64}\.txt)$", views.mp_verify_file, name="mp-verify"
    ),
]
