from django.urls import path

from . import views

app_name = "forum"

urlpatterns = [
    path("forum/", views.ThreadListView.as_view(), name="threads"),
    path("forum/new/", views.ThreadCreateView.as_view(), name="thread-create"),
    path("forum/search/", views.SearchView.as_view(), name="search"),
    path("forum/typical/", views.TypicalView.as_view(), name="typical"),
    path("forum/threads/<int:pk>/", views.ThreadDetailView.as_view(), name="thread"),
    path(
        "forum/threads/<int:pk>/moderate/",
        views.ThreadModerateView.as_view(),
        name="thread-moderate",
    ),
    path("forum/threads/<int:pk>/share/", views.ThreadShareView.as_view(), name="thread-share"),
    path(
        "forum/threads/<int:pk>/staff-read/",
        views.ReflectionReadView.as_view(),
        name="thread-staff-read",
    ),
    path("forum/posts/<int:pk>/edit/", views.PostEditView.as_view(), name="post-edit"),
    path("forum/posts/<int:pk>/delete/", views.PostDeleteView.as_view(), name="post-delete"),
    path("forum/posts/<int:pk>/report/", views.PostReportView.as_view(), name="post-report"),
    path("forum/posts/<int:pk>/moderate/", views.PostModerateView.as_view(), name="post-moderate"),
    path("forum/images/<int:pk>/", views.ImageView.as_view(), name="image"),
    path("staff/forum/", views.StaffQueueView.as_view(), name="staff-queue"),
    path("staff/forum/reports/", views.StaffReportsView.as_view(), name="staff-reports"),
    path(
        "staff/forum/reports/<int:pk>/resolve/",
        views.StaffReportResolveView.as_view(),
        name="staff-report-resolve",
    ),
    path(
        "staff/forum/reflections/",
        views.StaffReflectionsView.as_view(),
        name="staff-reflections",
    ),
]
