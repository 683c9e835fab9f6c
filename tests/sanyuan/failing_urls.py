"""A URLconf whose views fail, for the Chinese 500 answer of pages and the API."""

from django.urls import path
from django.views.decorators.csrf import csrf_exempt


@csrf_exempt
def failing(request):
    raise RuntimeError("boom")


urlpatterns = [path("boom/", failing), path("api/boom/", failing)]
handler500 = "sanyuan.views.server_error"  # as sanyuan/urls.py
