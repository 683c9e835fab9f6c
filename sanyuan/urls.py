from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from . import metrics, views

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
    path("admin/", admin.site.urls),
    path("api/", include((api_patterns, "api"))),
    path("", include("members.urls")),
    path("", include("learning.urls")),
    path("", include("activities.urls")),
    path("", include("forum.urls")),
]

# A database outage answers 503 with a Chinese page or JSON (sanyuan/views.py).
handler500 = "sanyuan.views.server_error"
