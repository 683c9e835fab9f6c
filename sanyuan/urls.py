from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from . import metrics, pwa, views

api_patterns = [
    path("", include("members.api_urls")),
    path("", include("learning.api_urls")),
    path("", include("activities.api_urls")),
    path("", include("forum.api_urls")),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api:schema"), name="docs"),
]

urlpatterns = [
    path("healthz/", views.healthz, name="healthz"),
    path("metrics", metrics.metrics_view, name="metrics"),
    path("sw.js", pwa.service_worker, name="pwa-sw"),
    path("manifest.webmanifest", pwa.manifest, name="pwa-manifest"),
    path("offline/", pwa.offline_page, name="pwa-offline"),
    path("offline/precache.json", pwa.precache_list, name="pwa-precache"),
    path("admin/", admin.site.urls),
    path("api/", include((api_patterns, "api"))),
    path("", include("members.urls")),
    path("", include("learning.urls")),
    path("", include("activities.urls")),
    path("", include("forum.urls")),
]

# A database outage answers 503 with a Chinese page or JSON (sanyuan/views.py).
handler500 = "sanyuan.views.server_error"
