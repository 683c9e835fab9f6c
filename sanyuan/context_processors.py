from django.conf import settings
from django.utils.functional import SimpleLazyObject


def site(request):
    from .pwa import offline_key

    user = getattr(request, "user", None)
    return {
        "SITE_NAME": settings.SITE_NAME,
        # The service worker's and the offline queue's name for this person's data.
        "offline_key": SimpleLazyObject(lambda: offline_key(user)),
    }
