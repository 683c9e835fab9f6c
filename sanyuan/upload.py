"""Forms sent by static/js/upload.js (photos made smaller on the phone, with a progress bar).

The script sends the form with XMLHttpRequest, which would follow a redirect by itself and
so show (and use up) the flash message of the next page before the person sees it. For those
requests (header `X-Upload: 1`) a redirect becomes `200 {"location": …}` and the script opens
that page itself; every other answer (a form with errors, 403, 413) is left as it is.
"""

from django.http import JsonResponse

HEADER = "HTTP_X_UPLOAD"


class UploadRedirectMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if (
            request.method == "POST"
            and request.META.get(HEADER) == "1"
            and response.status_code in (301, 302, 303)
            and response.has_header("Location")
        ):
            return JsonResponse({"location": response["Location"]})
        return response
