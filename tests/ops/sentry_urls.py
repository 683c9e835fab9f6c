"""A URLconf for tests/ops/test_error_tracking.py: one view that fails with the person it was
handling in its error message, as a careless import or export might."""

import json

from django.urls import path
from django.views.decorators.csrf import csrf_exempt


@csrf_exempt  # an API view with token authentication
def failing_import(request):
    person = json.loads(request.body)
    raise RuntimeError(
        f"roster row rejected: {person['name']} {person['id_number']} {person['phone']}"
    )


urlpatterns = [path("boom/", failing_import)]
