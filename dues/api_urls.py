from django.urls import path

from .api import views

urlpatterns = [
    # The member (mini-program)
    path("me/dues/", views.MyDuesApi.as_view(), name="my-dues"),
    path("me/dues/history/", views.MyDuesHistoryApi.as_view(), name="my-dues-history"),
    path("me/dues/bases/", views.MyBaseDeclareApi.as_view(), name="my-dues-base"),
    path("me/dues/orders/", views.MyOrderCreateApi.as_view(), name="my-dues-orders"),
    path("me/dues/orders/<str:out_trade_no>/", views.MyOrderApi.as_view(), name="my-dues-order"),
    path("me/dues/receipts/<int:pk>/", views.MyReceiptApi.as_view(), name="my-dues-receipt"),
    # WeChat Pay's callbacks (payments and refunds)
    path("payments/wechat/notify/", views.WechatPayNotifyApi.as_view(), name="wechatpay-notify"),
    # Staff
    path("dues/members/", views.DuesStandingListApi.as_view(), name="dues-members"),
    path("dues/members/<int:pk>/", views.DuesMemberApi.as_view(), name="dues-member"),
    path("dues/members/<int:pk>/account/", views.DuesAccountSetApi.as_view(), name="dues-account"),
    path("dues/members/<int:pk>/bases/", views.DuesBaseSetApi.as_view(), name="dues-base"),
    path(
        "dues/members/<int:pk>/payments/",
        views.DuesPaymentRecordApi.as_view(),
        name="dues-payments",
    ),
    path(
        "dues/entries/<int:pk>/corrections/",
        views.DuesCorrectionApi.as_view(),
        name="dues-correction",
    ),
    path("dues/receipts/<int:pk>/", views.DuesReceiptApi.as_view(), name="dues-receipt"),
    path("dues/receipts/<int:pk>/refund/", views.DuesRefundApi.as_view(), name="dues-refund"),
    path("dues/totals/", views.DuesTotalsApi.as_view(), name="dues-totals"),
]
