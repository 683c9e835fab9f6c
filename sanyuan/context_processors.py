from django.conf import settings
from django.utils.functional import SimpleLazyObject


def site(request):
    from .pwa import is_prefetch, offline_key

    user = getattr(request, "user", None)
    context = {
        "SITE_NAME": settings.SITE_NAME,
        # The service worker's and the offline queue's name for this person's data.
        "offline_key": SimpleLazyObject(lambda: offline_key(user)),
    }
    if is_prefetch(request):
        # A page the service worker fetches ahead must not use up the flash messages meant
        # for the page the person is about to see (listed after the messages processor).
        context["messages"] = ()
    return context
