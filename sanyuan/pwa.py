"""The installable web app: manifest, service worker, offline page, and what the service worker
may keep for offline reading.

The service worker (templates/pwa/sw.js, served at /sw.js so that its scope is the whole
site) keeps the pages a member read in a cache of their own, named after an opaque per-user
key (`offline_key`: an HMAC of the account's id, never the id or the name). Every HTML response
carries that key in `X-Offline-Key` ("anon" when nobody is signed in); when the key changes
(logout, another person signs in on a shared phone) the worker drops every cache that belongs
to another key. Which pages may be kept is decided by the worker's allow-list; responses
marked `Cache-Control: no-store` (the archive) are never kept.

`/offline/precache.json` lists, for the signed-in person, the pages worth having before the
network goes: each app contributes through a provider named in
`settings.OFFLINE_PRECACHE_PROVIDERS` (`provider(user) -> list[str]`), so that this module
imports no app.
"""

import hashlib
import json
from functools import cache

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.contrib.staticfiles.storage import staticfiles_storage
from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils.crypto import salted_hmac
from django.utils.module_loading import import_string
from django.views.decorators.cache import cache_control, never_cache
from django.views.decorators.http import require_GET

ANONYMOUS_KEY = "anon"
KEY_HEADER = "X-Offline-Key"
PREFETCH_HEADER = "X-Offline-Prefetch"
# Static files the worker stores when it installs (the offline page comes with them).
PRECACHE_STATIC = [
    "css/app.css",
    "js/app.js",
    "js/checkin.js",
    "img/icon-192.png",
    "img/icon.svg",
]


def offline_key(user) -> str:
    """An opaque, stable name for this person's offline cache; "anon" for visitors."""
    if user is None or not user.is_authenticated:
        return ANONYMOUS_KEY
    return salted_hmac("sanyuan.pwa.offline-key", str(user.pk), algorithm="sha256").hexdigest()[:32]


def is_prefetch(request) -> bool:
    """True for the service worker's background fetches (not a person opening the page)."""
    return request.headers.get(PREFETCH_HEADER) == "1"


class OfflineKeyMiddleware:
    """Tell the service worker whose page this is (`X-Offline-Key` on HTML responses)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.get("Content-Type", "").startswith("text/html"):
            response[KEY_HEADER] = offline_key(getattr(request, "user", None))
        return response


def _static_urls() -> list[str]:
    return [staticfiles_storage.url(name) for name in PRECACHE_STATIC]


@cache
def _worker_source_and_version() -> tuple[str, str]:
    from django.urls import reverse

    urls = _static_urls()
    offline_url = reverse("pwa-offline")
    source = render_to_string(
        "pwa/sw.js",
        {
            "precache_json": json.dumps([*urls, offline_url]),
            "offline_url_json": json.dumps(offline_url),
            "precache_list_url_json": json.dumps(reverse("pwa-precache")),
        },
    )
    version = hashlib.sha256(source.encode()).hexdigest()[:12]
    return source.replace('"VERSION"', json.dumps(version), 1), version


@require_GET
def service_worker(request):
    """/sw.js: at the root so that the worker's scope is the whole site; never cached by
    the browser's HTTP cache, so that a new version is found on the next visit."""
    if settings.DEBUG:  # static files change while developing
        _worker_source_and_version.cache_clear()
    source, version = _worker_source_and_version()
    etag = f'"{version}"'
    # The browser asks again on every visit: an unchanged worker costs a 304, not the script.
    if etag in request.headers.get("If-None-Match", ""):
        response = HttpResponse(status=304)
    else:
        response = HttpResponse(source, content_type="application/javascript; charset=utf-8")
    response["ETag"] = etag
    response["Service-Worker-Allowed"] = "/"
    response["Cache-Control"] = "no-cache, max-age=0"
    return response


@require_GET
@cache_control(public=True, max_age=24 * 60 * 60)
def manifest(request):
    """The web app manifest: installing from the browser puts 流动e家 on the home screen."""
    icon = staticfiles_storage.url
    data = {
        "name": settings.SITE_NAME,
        "short_name": "流动e家",
        "description": "三原县流动党员的学习、组织生活与交流平台。离乡不离党，流动不失流。",
        "lang": "zh-Hans",
        "dir": "ltr",
        "id": "/",
        "start_url": "/?source=pwa",
        "scope": "/",
        "display": "standalone",
        "orientation": "portrait",
        "background_color": "#f6f3ef",
        "theme_color": "#b7141b",
        "categories": ["education", "news"],
        "icons": [
            {"src": icon("img/icon-192.png"), "sizes": "192x192", "type": "image/png"},
            {"src": icon("img/icon-512.png"), "sizes": "512x512", "type": "image/png"},
            {
                "src": icon("img/icon-maskable-512.png"),
                "sizes": "512x512",
                "type": "image/png",
                "purpose": "maskable",
            },
        ],
    }
    return HttpResponse(
        json.dumps(data, ensure_ascii=False), content_type="application/manifest+json"
    )


@require_GET
def offline_page(request):
    """What the worker shows for a page it does not have. Rendered as for a visitor (it is
    stored once for everybody): no name, no badge, nothing personal."""
    response = render(
        request,
        "pwa/offline.html",
        # Fetched by the worker when it installs: nobody's, and it must not use up the
        # flash messages meant for the page the person is looking at.
        {"user": AnonymousUser(), "unread_notices": 0, "offline_key": "", "messages": ()},
    )
    response["Cache-Control"] = "no-cache"
    return response


@require_GET
@never_cache
def precache_list(request):
    """The pages this person will want offline (their upcoming activities, their inbox, the
    articles they opened). Read by the service worker; never stored itself."""
    user = request.user
    if not user.is_authenticated:
        return JsonResponse({"key": ANONYMOUS_KEY, "urls": []})
    urls: list[str] = []
    for path in settings.OFFLINE_PRECACHE_PROVIDERS:
        for url in import_string(path)(user):
            if url not in urls:
                urls.append(url)
    return JsonResponse({"key": offline_key(user), "urls": urls[: settings.OFFLINE_PRECACHE_MAX]})
