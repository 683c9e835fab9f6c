import ipaddress

from django.conf import settings


def client_ip(request) -> str:
    """The client address, trusting exactly TRUSTED_PROXY_COUNT proxies in front of us.

    Each trusted proxy appends the address it received the request from to
    X-Forwarded-For, so the real client is the entry that many places from the right;
    anything further left was written by the client and is ignored.
    """
    remote = request.META.get("REMOTE_ADDR", "") or ""
    hops = settings.TRUSTED_PROXY_COUNT
    if hops <= 0:
        return remote
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    forwarded = [part for part in forwarded if part]
    if len(forwarded) >= hops:
        candidate = forwarded[-hops]
        try:
            # Only an address: garbage here reached the inet columns of the lockout and
            # audit tables and ended in a 500.
            return str(ipaddress.ip_address(candidate))
        except ValueError:
            return remote
    return remote
