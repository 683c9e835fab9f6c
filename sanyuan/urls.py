from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView

from . import error_pages, metrics, pwa, security, views

api_patterns = [
    path("", include("members.api_urls")),
    path("", include("learning.api_urls")),
    path("", include("activities.api_urls")),
    path("", include("forum.api_urls")),
    path("", include("transfers.api_urls")),
    path("", include("wechat_accounts.api_urls")),
    path("", include("appraisals.api_urls")),
    path("", include("dues.api_urls")),
    path("", include("hometown.api_urls")),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", security.ApiDocsView.as_view(url_name="api:schema"), name="docs"),
]

urlpatterns = [
    path("healthz/", views.healthz, name="healthz"),
    path("metrics", metrics.metrics_view, name="metrics"),
    path("sw.js", pwa.service_worker, name="pwa-sw"),
    path("manifest.webmanifest", pwa.manifest, name="pwa-manifest"),
    path("offline/", pwa.offline_page, name="pwa-offline"),
    path("offline/precache.json", pwa.precache_list, name="pwa-precache"),
    # Pages without an icon link (the admin) make browsers ask for /favicon.ico.
    path("favicon.ico", error_pages.favicon),
    path("admin/", admin.site.urls),
    path("api/", include((api_patterns, "api"))),
    path("", include("members.urls")),
    path("", include("learning.urls")),
    path("", include("activities.urls")),
    path("", include("forum.urls")),
    path("", include("transfers.urls")),
    path("", include("wechat_accounts.urls")),
    path("", include("appraisals.urls")),
    path("", include("dues.urls")),
    path("", include("hometown.urls")),
]

# A database outage answers 503 with a Chinese page or JSON (sanyuan/views.py).
handler500 = "sanyuan.views.server_error"
handler400 = "sanyuan.error_pages.bad_request"
handler403 = "sanyuan.error_pages.permission_denied"
handler404 = "sanyuan.error_pages.page_not_found"
