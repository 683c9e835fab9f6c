from django.urls import path

from .api import moderation, threads

urlpatterns = [
    path("forum/threads/", threads.ThreadListCreateApi.as_view(), name="forum-threads"),
    path("forum/threads/<int:pk>/", threads.ThreadDetailApi.as_view(), name="forum-thread"),
    path(
        "forum/threads/<int:pk>/posts/",
        threads.ThreadPostListCreateApi.as_view(),
        name="forum-thread-posts",
    ),
    path("forum/threads/<int:pk>/read/", threads.ThreadReadApi.as_view(), name="forum-thread-read"),
    path(
        "forum/threads/<int:pk>/share/", threads.ThreadShareApi.as_view(), name="forum-thread-share"
    ),
    path(
        "forum/threads/<int:pk>/staff-read/",
        threads.ThreadStaffReadApi.as_view(),
        name="forum-thread-staff-read",
    ),
    path(
        "forum/threads/<int:pk>/moderation/",
        moderation.ThreadModerationApi.as_view(),
        name="forum-thread-moderation",
    ),
    path("forum/posts/<int:pk>/", threads.PostDetailApi.as_view(), name="forum-post"),
    path(
        "forum/posts/<int:pk>/moderation/",
        moderation.PostModerationApi.as_view(),
        name="forum-post-moderation",
    ),
    path(
        "forum/posts/<int:pk>/reports/",
        moderation.PostReportCreateApi.as_view(),
        name="forum-post-reports",
    ),
    path("forum/reports/", moderation.ReportListApi.as_view(), name="forum-reports"),
    path(
        "forum/reports/<int:pk>/resolve/",
        moderation.ReportResolveApi.as_view(),
        name="forum-report-resolve",
    ),
    path("forum/queue/", moderation.QueueApi.as_view(), name="forum-queue"),
    path("forum/stats/", moderation.StatsApi.as_view(), name="forum-stats"),
    path("forum/search/", threads.SearchApi.as_view(), name="forum-search"),
    path("forum/images/<int:pk>/", threads.ImageApi.as_view(), name="forum-image"),
]
