from django.urls import path

from .api import views

urlpatterns = [
    # The member (mini-program)
    path("me/transfers/", views.MyTransferListApi.as_view(), name="my-transfers"),
    path(
        "me/transfers/destinations/",
        views.MyDestinationListApi.as_view(),
        name="my-transfer-destinations",
    ),
    path("me/transfers/<int:pk>/", views.MyTransferDetailApi.as_view(), name="my-transfer"),
    path(
        "me/transfers/<int:pk>/withdraw/",
        views.MyTransferWithdrawApi.as_view(),
        name="my-transfer-withdraw",
    ),
    # Staff
    path("transfers/", views.TransferListApi.as_view(), name="transfer-list"),
    path(
        "transfers/outgoing/",
        views.TransferPrepareApi.as_view(),
        name="transfer-prepare",
    ),
    path(
        "transfers/incoming/",
        views.IncomingRegisterApi.as_view(),
        name="transfer-register-incoming",
    ),
    path("transfers/candidates/", views.CandidateListApi.as_view(), name="transfer-candidates"),
    path("transfers/<int:pk>/", views.TransferDetailApi.as_view(), name="transfer-detail"),
    path(
        "transfers/<int:pk>/approve/", views.TransferApproveApi.as_view(), name="transfer-approve"
    ),
    path("transfers/<int:pk>/reject/", views.TransferRejectApi.as_view(), name="transfer-reject"),
    path("transfers/<int:pk>/accept/", views.TransferAcceptApi.as_view(), name="transfer-accept"),
    path(
        "transfers/<int:pk>/withdraw/",
        views.TransferWithdrawApi.as_view(),
        name="transfer-withdraw",
    ),
    path("transfers/<int:pk>/letter/", views.LetterIssueApi.as_view(), name="transfer-letter"),
    path("transfers/<int:pk>/receipt/", views.ReceiptRecordApi.as_view(), name="transfer-receipt"),
]
