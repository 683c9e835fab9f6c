"""Pages of `activities` that a member keeps for offline reading (see sanyuan/pwa.py): the
list, the upcoming activities and their materials (files up to a size a phone can spare)."""

from django.urls import reverse

from members import permissions as member_permissions

from . import selectors

UPCOMING_COUNT = 10
MAX_FILE_BYTES = 3 * 1024 * 1024


def precache_urls(user) -> list[str]:
    if member_permissions.member_of(user) is None:
        return []
    page = selectors.activity_page(
        user=user, when=selectors.UPCOMING, page_size=UPCOMING_COUNT, materials=True
    )
    urls = [reverse("activities:list")]
    for activity in page.results:
        urls.append(reverse("activities:detail", args=[activity.pk]))
        for material in activity.material_list:
            if material.file and material.size <= MAX_FILE_BYTES:
                urls.append(reverse("activities:material-file", args=[material.pk]))
    return urls
