from django.urls import path

from . import api

urlpatterns = [
    path(
        "auth/wechat/mini-program/",
        api.MiniProgramLoginApi.as_view(),
        name="wechat-mini-program-login",
    ),
    path("me/wechat/bindings/", api.MyBindingListApi.as_view(), name="my-wechat-bindings"),
    path(
        "me/wechat/bindings/<int:pk>/",
        api.MyBindingDetailApi.as_view(),
        name="my-wechat-binding",
    ),
    path(
        "me/wechat/subscriptions/",
        api.MySubscriptionListApi.as_view(),
        name="my-wechat-subscriptions",
    ),
]
