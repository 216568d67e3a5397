"""`Idempotency-Key` for creating and paying POSTs.

The first response is stored per (user, key). The same key with the same request replays it;
the same key with a different request is 422; a duplicate arriving while the first is still
running is 409. Responses of 5xx and raised errors are not stored, so a retry after a failure runs
again (a duplicate that finds the failed first attempt's record gone claims the key afresh). A record
still "in progress" after `IDEMPOTENCY_IN_PROGRESS_LEASE` belongs to a process that died mid-request
(no request outlives the server's timeout): the next duplicate takes it over and runs the request.

Use on a DRF view method::

    @idempotent
    def create(self, request, *args, **kwargs): ...

A view whose every effect is a write to this database (no payment provider, no file stored) can run in one
transaction with its record instead, `@idempotent(atomic=True)`: the view runs, and its response is recorded as
the transaction's last statement. The hot path costs one INSERT instead of a committed claim and an update. A
duplicate that arrives while the first is running waits for it at that INSERT (the key's unique index) and then
replays it, its own work rolled back; nothing is ever seen "in progress".
"""

import functools
import hashlib
import json

import orjson
from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.http import QueryDict
from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework.response import Response

from core.compiled import fetch
from core.errors import Conflict, Unprocessable
from core.models import IdempotencyRecord
from core.renderers import dumps as render_json

HEADER = "Idempotency-Key"
MAX_KEY_LENGTH = 255


def _scope(request) -> str:
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return f"user:{user.pk}"
    return f"anon:{request.META.get('REMOTE_ADDR', '')}"


def _fingerprint(request) -> str:
    """"~" and 63 hex digits of the SHA-256 of method, path and the parsed content, so a retry that re-encodes the
    same content matches.

    A multipart retry carries a new random boundary, and JSON may be re-serialised with other spacing or key
    order: neither is a different request. Fields count by name and values, files by field, name and SHA-256.
    The content is written canonically by orjson (sorted keys); the "~" tells these from the records of before,
    64 hex digits over `json.dumps`, which `_same_request` still recognises while they last."""
    return "~" + _digest(request, _canonical(_data(request)))[:63]


def _legacy_fingerprint(request) -> str:
    return _digest(request, json.dumps(_data(request), sort_keys=True, separators=(",", ":"), default=str).encode())


def _same_request(record, request, fingerprint: str) -> bool:
    if record.fingerprint.startswith("~"):
        return record.fingerprint == fingerprint
    return record.fingerprint == _legacy_fingerprint(request)


def _digest(request, content: bytes) -> str:
    digest = hashlib.sha256()
    for part in (request.method, request.get_full_path(), _media_type(request)):
        digest.update(part.encode())
        digest.update(b"\0")
    digest.update(content)
    return digest.hexdigest()


def _canonical(data) -> bytes:
    try:
        return orjson.dumps(data, option=orjson.OPT_SORT_KEYS, default=str)
    except TypeError:  # an integer beyond 64 bits, which orjson does not write
        return json.dumps(data, sort_keys=True, separators=(",", ":"), default=str).encode()


def _media_type(request) -> str:
    return (request.META.get("CONTENT_TYPE") or "").split(";")[0].strip().lower()


def _data(request):
    data = request.data  # an unparseable body raises ParseError (a 400) before any record is written
    if isinstance(data, QueryDict):
        fields = {name: data.getlist(name) for name in sorted(data) if name not in request.FILES}
        files = {name: [_file_digest(f) for f in request.FILES.getlist(name)] for name in sorted(request.FILES)}
        data = {"fields": fields, "files": files}
    return data


def _file_digest(upload) -> list[str]:
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)  # the view reads it again
    return [upload.name or "", digest.hexdigest()]


# A duplicate that finds the first request's record gone (that request failed and freed the key) claims again;
# a key freed and re-taken more often than this while we look is reported as still in progress.
CLAIM_ATTEMPTS = 3


def _claim(request, key):
    """Create the in-progress record, or return the existing one for this key."""
    scope = _scope(request)
    fingerprint = _fingerprint(request)
    user = request.user if request.user.is_authenticated else None
    record = None
    for _attempt in range(CLAIM_ATTEMPTS):
        try:
            with transaction.atomic():
                return IdempotencyRecord.objects.create(user=user, scope=scope, key=key,
                                                        fingerprint=fingerprint), True
        except IntegrityError:
            record = IdempotencyRecord.objects.filter(scope=scope, key=key).first()
        if record is not None:
            break
    if record is None:
        raise _in_progress()
    if not _same_request(record, request, fingerprint):
        raise _reused()
    if record.state == IdempotencyRecord.State.IN_PROGRESS:
        if _take_over(record):
            return record, True
        raise _in_progress()
    return record, False


def _take_over(record) -> bool:
    """Claim an in-progress record whose request died (older than the lease); one duplicate wins."""
    now = timezone.now()
    if record.created_at > now - settings.IDEMPOTENCY_IN_PROGRESS_LEASE:
        return False
    taken = IdempotencyRecord.objects.filter(pk=record.pk, state=IdempotencyRecord.State.IN_PROGRESS,
                                             created_at=record.created_at).update(created_at=now)
    record.created_at = now
    return taken == 1


def _in_progress():
    return Conflict(_("A request with this Idempotency-Key is still being processed."), code="idempotency_in_progress")


def _reused():
    return Unprocessable(_("This Idempotency-Key was already used for a different request."),
                         code="idempotency_key_reused")


def idempotent(view_method=None, *, atomic=False):
    if view_method is None:
        return functools.partial(idempotent, atomic=atomic)

    @functools.wraps(view_method)
    def wrapper(self, request, *args, **kwargs):
        key = request.headers.get(HEADER, "").strip()
        if not key:
            return view_method(self, request, *args, **kwargs)
        if len(key) > MAX_KEY_LENGTH:
            raise Unprocessable(_("Idempotency-Key is longer than 255 characters."), code="idempotency_key_invalid")
        if atomic:
            return _run_in_one_transaction(view_method, self, request, key, args, kwargs)
        record, fresh = _claim(request, key)
        if not fresh:
            return _replay(record)
        try:
            response = view_method(self, request, *args, **kwargs)
        except BaseException:
            record.delete()
            raise
        if response.status_code >= 500:
            record.delete()
            return response
        record.state = IdempotencyRecord.State.DONE
        record.response_status = response.status_code
        record.response_body = getattr(response, "data", None)
        record.save(update_fields=["state", "response_status", "response_body"])
        return response

    return wrapper


def _replay(record) -> Response:
    response = Response(record.response_body, status=record.response_status)
    response["Idempotent-Replayed"] = "true"
    return response


def _run_in_one_transaction(view_method, view, request, key, args, kwargs):
    scope, fingerprint = _scope(request), _fingerprint(request)
    user = request.user if request.user.is_authenticated else None
    with transaction.atomic():
        response = view_method(view, request, *args, **kwargs)
        if response.status_code >= 500:
            transaction.set_rollback(True)
            return response
        if _record_done(user, scope, key, fingerprint, response):
            return response
        transaction.set_rollback(True)  # the key was used first by another request: this one changes nothing
    record = IdempotencyRecord.objects.filter(scope=scope, key=key).first()
    if record is None:
        raise _in_progress()  # recorded and gone again while we looked (a non-atomic first attempt that failed)
    if not _same_request(record, request, fingerprint):
        raise _reused()
    if record.state == IdempotencyRecord.State.IN_PROGRESS:
        raise _in_progress()
    return _replay(record)


def _record_done(user, scope, key, fingerprint, response) -> bool:
    """Insert the finished record unless the key is taken; True when this request's record went in."""
    table = IdempotencyRecord._meta.db_table
    body = render_json(getattr(response, "data", None)).decode()  # as the API renders it, so a replay matches
    # PostgreSQL and SQLite (>= 3.35) both take ON CONFLICT ... RETURNING. Identifiers are the model's.
    return bool(fetch(
        f'INSERT INTO "{table}" (user_id, scope, key, fingerprint, state, response_status, response_body, '  # noqa: S608
        f"created_at) VALUES (%s, %s, %s, %s, %s, %s, %s, %s) ON CONFLICT (scope, key) DO NOTHING RETURNING id",
        [user.pk if user else None, scope, key, fingerprint, IdempotencyRecord.State.DONE, response.status_code,
         body, connection.ops.adapt_datetimefield_value(timezone.now())]))
