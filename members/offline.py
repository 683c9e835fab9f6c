"""Pages of `members` that a member keeps for offline reading (see sanyuan/pwa.py): the
inbox. The archive (我的, 我的档案) is never kept."""

from django.urls import reverse


def precache_urls(user) -> list[str]:
    return [reverse("members:notices")]
