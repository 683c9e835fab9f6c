from django.urls import path

from .api import views

urlpatterns = [
    path("activities/", views.ActivityListApi.as_view(), name="activity-list"),
    path("activities/cadence/", views.CadenceApi.as_view(), name="activity-cadence"),
    path("activities/<int:pk>/", views.ActivityDetailApi.as_view(), name="activity-detail"),
    path(
        "activities/<int:pk>/publish/", views.ActivityPublishApi.as_view(), name="activity-publish"
    ),
    path("activities/<int:pk>/cancel/", views.ActivityCancelApi.as_view(), name="activity-cancel"),
    path("activities/<int:pk>/held/", views.ActivityHeldApi.as_view(), name="activity-held"),
    path(
        "activities/<int:pk>/attendance/", views.AttendanceApi.as_view(), name="activity-attendance"
    ),
    path("activities/<int:pk>/study/", views.StudyConfirmApi.as_view(), name="activity-study"),
    path(
        "activities/<int:pk>/participation/",
        views.ParticipationApi.as_view(),
        name="activity-participation",
    ),
    path(
        "activities/<int:pk>/materials/",
        views.MaterialCreateApi.as_view(),
        name="activity-materials",
    ),
    path(
        "activity-materials/<int:pk>/", views.MaterialDetailApi.as_view(), name="activity-material"
    ),
    path(
        "activity-materials/<int:pk>/file/",
        views.MaterialFileApi.as_view(),
        name="activity-material-file",
    ),
]
