from datetime import timedelta

from django.db import connection
from django.utils import timezone
from rest_framework import authentication, exceptions

from accounts.models import ApiToken, User
from core.compiled import fetch, model_instance

# last_used_at is written at most this often per token, so reads do not turn into writes.
LAST_USED_RESOLUTION = timedelta(minutes=1)


class ApiTokenAuthentication(authentication.BaseAuthentication):
    """`Authorization: Bearer dsp_...` (or `Token dsp_...`)."""

    keywords = ("bearer", "token")

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].decode(errors="ignore").lower() not in self.keywords:
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed("The Authorization header must be “Bearer <token>”.")
        raw = header[1].decode(errors="ignore")
        now = timezone.now()
        token = token_for_request(ApiToken.hash(raw), now=now)
        if token is None:
            raise exceptions.AuthenticationFailed("Invalid API token.")
        if token.revoked_at is not None:
            raise exceptions.AuthenticationFailed("This API token was revoked.")
        if token.expires_at is not None and token.expires_at <= now:
            raise exceptions.AuthenticationFailed("This API token has expired.")
        if not token.user.is_active:
            raise exceptions.AuthenticationFailed("This account is disabled.")
        return token.user, token

    def authenticate_header(self, request):
        return 'Bearer realm="api"'


def token_for_request(key_hash: str, *, now) -> ApiToken | None:
    """The token with this hash and its user, its last-used time stamped when older than the resolution.

    Only a token that lets the request in is stamped (not revoked, not expired, its user active). Every API request
    asks this, so on PostgreSQL it is one statement whose SQL is built once: the stamp as a data-modifying CTE
    beside the select of token and user (the select sees the row as it was before the stamp). Elsewhere (the
    embedded default's SQLite) the ORM, in two statements."""
    if connection.vendor != "postgresql":
        token = next(iter(ApiToken.objects.select_related("user").filter(key_hash=key_hash).order_by()[:1]), None)
        if token is not None and (token.last_used_at is None or now - token.last_used_at > LAST_USED_RESOLUTION):
            ApiToken.objects.active().filter(pk=token.pk, user__is_active=True).update(last_used_at=now)
        return token
    rows = fetch(_token_sql(), [now, key_hash, now - LAST_USED_RESOLUTION, now, key_hash])
    if not rows:
        return None
    row = rows[0]
    split = len(ApiToken._meta.concrete_fields)
    token = model_instance(ApiToken, row[:split])
    token.user = model_instance(User, row[split:])
    return token


def _token_sql() -> str:
    global _TOKEN_SQL  # noqa: PLW0603 - built once from the models' metadata, then reused for every request
    if _TOKEN_SQL is None:
        token, user = ApiToken._meta, User._meta
        columns = [f't."{f.column}"' for f in token.concrete_fields] + [f'u."{f.column}"' for f in user.concrete_fields]
        # Identifiers come from model metadata only; the hash and times are parameters.
        _TOKEN_SQL = (
            f'WITH stamped AS (UPDATE "{token.db_table}" SET "last_used_at" = %s WHERE "key_hash" = %s '  # noqa: S608
            f'AND ("last_used_at" IS NULL OR "last_used_at" < %s) AND "revoked_at" IS NULL '
            f'AND ("expires_at" IS NULL OR "expires_at" > %s) '
            f'AND "user_id" IN (SELECT "id" FROM "{user.db_table}" WHERE "is_active") RETURNING 1) '
            f'SELECT {", ".join(columns)} FROM "{token.db_table}" t JOIN "{user.db_table}" u ON u."id" = t."user_id" '
            f'WHERE t."key_hash" = %s')
    return _TOKEN_SQL


_TOKEN_SQL = None
