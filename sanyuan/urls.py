from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView

from . import views

api_patterns = [
    path("", include("members.api_urls")),
    path("", include("learning.api_urls")),
    path("", include("activities.api_urls")),
    path("", include("forum.api_urls")),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", views.ApiDocsView.as_view(url_name="api:schema"), name="docs"),
]

urlpatterns = [
    path("healthz/", views.healthz, name="healthz"),
    # Pages without an icon link (the admin) make browsers ask for /favicon.ico.
    path("favicon.ico", views.favicon),
    path("admin/", admin.site.urls),
    path("api/", include((api_patterns, "api"))),
    path("", include("members.urls")),
    path("", include("learning.urls")),
    path("", include("activities.urls")),
    path("", include("forum.urls")),
]

handler400 = "sanyuan.views.bad_request"
handler403 = "sanyuan.views.permission_denied"
handler404 = "sanyuan.views.page_not_found"
handler500 = "sanyuan.views.server_error"
