from django.core.cache import cache
from django.utils.functional import SimpleLazyObject

from sanyuan import respcache

# What notice_unread_count reads (beside the account's archive and organisation).
UNREAD_TABLES = (
    "members_notice",
    "members_noticerecipient",
    "members_noticeread",
    "members_noticeinboxstate",
)


def _unread_count(user) -> int:
    from members import selectors
    from members.services.notices import unread_cache_key

    key = unread_cache_key(user.pk)
    count = cache.get(key)
    if count is not None:
        # Served from this cache: a cached page showing the badge still depends on what the
        # count is made from (sanyuan/respcache.py).
        respcache.depends_on(*UNREAD_TABLES)
    else:
        count = selectors.notice_unread_count(user=user)
        cache.set(key, count, timeout=60)
    return count


def inbox(request):
    """`unread_notices` for the badge (computed only if a template shows it, cached 60 s) and
    `staff_user`: pages shared by members and staff show staff the way back to the 工作台,
    never the member tab bar."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"unread_notices": 0, "staff_user": False}
    from members import permissions

    return {
        "unread_notices": SimpleLazyObject(lambda: _unread_count(user)),
        "staff_user": SimpleLazyObject(lambda: permissions.is_staff(user)),
    }
