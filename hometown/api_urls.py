from django.urls import path

from .api import views

urlpatterns = [
    # The member (mini-program)
    path("me/support-cases/", views.MySupportCaseListApi.as_view(), name="my-support-cases"),
    path("me/support-group/", views.MySupportGroupApi.as_view(), name="my-support-group"),
    path("me/contributions/", views.MyContributionListApi.as_view(), name="my-contributions"),
    # Staff (and the case's member for one case)
    path("support-cases/", views.SupportCaseListApi.as_view(), name="support-case-list"),
    path(
        "support-cases/<int:pk>/", views.SupportCaseDetailApi.as_view(), name="support-case-detail"
    ),
    path(
        "support-cases/<int:pk>/steps/",
        views.SupportCaseStepApi.as_view(),
        name="support-case-step",
    ),
    path("support-group/members/", views.MembershipListApi.as_view(), name="support-group-members"),
    path("contributions/", views.ContributionListApi.as_view(), name="contribution-list"),
    path(
        "contributions/<int:pk>/decide/",
        views.ContributionDecideApi.as_view(),
        name="contribution-decide",
    ),
    path("campaigns/", views.CampaignListApi.as_view(), name="campaign-list"),
    path("hometown/figures/", views.HometownFiguresApi.as_view(), name="hometown-figures"),
]
