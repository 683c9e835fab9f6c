from django.urls import path

from .api import views

urlpatterns = [
    # The member (mini-program)
    path("me/appraisals/", views.MyAppraisalListApi.as_view(), name="my-appraisals"),
    path("me/appraisals/<int:pk>/", views.MyAppraisalDetailApi.as_view(), name="my-appraisal"),
    path(
        "appraisals/<int:pk>/self-assessment/",
        views.SelfAssessmentApi.as_view(),
        name="appraisal-self-assessment",
    ),
    path("appraisals/<int:pk>/ballot/", views.BallotApi.as_view(), name="appraisal-ballot"),
    # Staff
    path("appraisals/", views.AppraisalListApi.as_view(), name="appraisal-list"),
    path("appraisals/<int:pk>/", views.AppraisalDetailApi.as_view(), name="appraisal-detail"),
    path("appraisals/<int:pk>/tallies/", views.TalliesApi.as_view(), name="appraisal-tallies"),
    path(
        "appraisals/<int:pk>/close-ballot/",
        views.BallotCloseApi.as_view(),
        name="appraisal-close-ballot",
    ),
    path(
        "appraisals/<int:pk>/paper-tally/",
        views.PaperTallyApi.as_view(),
        name="appraisal-paper-tally",
    ),
    path("appraisals/<int:pk>/ratings/", views.RatingApi.as_view(), name="appraisal-ratings"),
    path(
        "appraisals/<int:pk>/ratings/<int:member_pk>/approve/",
        views.RatingApproveApi.as_view(),
        name="appraisal-rating-approve",
    ),
    path(
        "appraisals/<int:pk>/ratings/<int:member_pk>/reject/",
        views.RatingRejectApi.as_view(),
        name="appraisal-rating-reject",
    ),
    path(
        "appraisals/<int:pk>/finish/", views.AppraisalFinishApi.as_view(), name="appraisal-finish"
    ),
]
