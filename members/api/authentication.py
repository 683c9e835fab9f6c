"""Token authentication for the API: django-rest-knox, without its per-request sweep.

knox's `TokenAuthentication` deletes every expired token of the user on each request (one
extra query on every API call). Here a request checks only its own token's expiry; expired
tokens are deleted by a periodic task (`members.token-cleanup`).
"""

import binascii
from hmac import compare_digest

from django.utils import timezone
from django.utils.translation import gettext as _
from knox.auth import TokenAuthentication as KnoxTokenAuthentication
from knox.crypto import hash_token
from knox.models import get_token_model
from knox.settings import CONSTANTS, knox_settings
from rest_framework import exceptions

from members.models import Member
from members.permissions import MEMBER_ROW_RELATED
from sanyuan.prepared import PreparedQuery

# The member behind the account comes in the token's own query, in the shape
# `permissions.member_of` caches (organisations joined, encrypted columns deferred): every
# member API request needs it, and a second query would cost more than the joins.
_TOKEN_JOINS = ("user", "user__member", *(f"user__member__{r}" for r in MEMBER_ROW_RELATED))
_TOKEN_DEFER = tuple(f"user__member__{field}" for field in Member.ENCRYPTED_FIELDS)


# Compiled once per process (sanyuan/prepared.py): the ORM's compilation of this 90-column
# join cost several times the query itself on every API request.
_token_candidates = PreparedQuery(
    lambda key: (
        get_token_model()
        .objects.filter(token_key=key)
        .select_related(*_TOKEN_JOINS)
        .defer(*_TOKEN_DEFER)
    )
)


class TokenAuthentication(KnoxTokenAuthentication):
    def authenticate_credentials(self, token):
        """knox's check, with the member row joined to the token's query."""
        msg = _("Invalid token.")
        try:
            token = token.decode("utf-8")
        except UnicodeDecodeError as exc:  # a header of Latin-1 bytes that are not UTF-8
            raise exceptions.AuthenticationFailed(msg) from exc
        for auth_token in _token_candidates(token[: CONSTANTS.TOKEN_KEY_LENGTH]):
            if self._cleanup_token(auth_token):
                continue
            try:
                digest = hash_token(token)
            except (TypeError, binascii.Error) as exc:
                raise exceptions.AuthenticationFailed(msg) from exc
            if compare_digest(digest, auth_token.digest):
                if knox_settings.AUTO_REFRESH and auth_token.expiry:
                    self.renew_token(auth_token)
                return self.validate_user(auth_token)
        raise exceptions.AuthenticationFailed(msg)

    def _cleanup_token(self, auth_token) -> bool:
        if auth_token.expiry is not None and auth_token.expiry < timezone.now():
            auth_token.delete()
            return True
        return False


from drf_spectacular.contrib.knox_auth_token import KnoxTokenScheme  # noqa: E402


class TokenScheme(KnoxTokenScheme):
    """The OpenAPI description of this scheme: knox's own (`Authorization: Token …`)."""

    target_class = "members.api.authentication.TokenAuthentication"
