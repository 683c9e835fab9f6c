"""Token authentication for the API: django-rest-knox, without its per-request sweep.

knox's `TokenAuthentication` deletes every expired token of the user on each request (one
extra query on every API call). Here a request checks only its own token's expiry; expired
tokens are deleted by a periodic task (`members.token-cleanup`).
"""

from django.utils import timezone
from knox.auth import TokenAuthentication as KnoxTokenAuthentication
from knox.models import get_token_model


class TokenAuthentication(KnoxTokenAuthentication):
    def _cleanup_token(self, auth_token) -> bool:
        if auth_token.expiry is not None and auth_token.expiry < timezone.now():
            auth_token.delete()
            return True
        return False


def expired_tokens_delete() -> int:
    deleted, _ = get_token_model().objects.filter(expiry__lt=timezone.now()).delete()
    return deleted


from drf_spectacular.contrib.knox_auth_token import KnoxTokenScheme  # noqa: E402


class TokenScheme(KnoxTokenScheme):
    """The OpenAPI description of this scheme: knox's own (`Authorization: Token …`)."""

    target_class = "members.api.authentication.TokenAuthentication"
