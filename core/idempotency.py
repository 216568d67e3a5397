"""`Idempotency-Key` for creating and paying POSTs.

The first response is stored per (user, key). The same key with the same request replays it;
the same key with a different request is 422; a duplicate arriving while the first is still
running is 409. Responses of 5xx are not stored, so a retry after a server error runs again.

Use on a DRF view method::

    @idempotent
    def create(self, request, *args, **kwargs): ...
"""

import functools
import hashlib
import json

from django.db import IntegrityError, transaction
from django.http.request import RawPostDataException
from django.utils.translation import gettext as _
from rest_framework.response import Response

from core.errors import Conflict, Unprocessable
from core.models import IdempotencyRecord

HEADER = "Idempotency-Key"
MAX_KEY_LENGTH = 255


def _scope(request) -> str:
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return f"user:{user.pk}"
    return f"anon:{request.META.get('REMOTE_ADDR', '')}"


def _fingerprint(request) -> str:
    digest = hashlib.sha256()
    digest.update(request.method.encode())
    digest.update(b"\0")
    digest.update(request.get_full_path().encode())
    digest.update(b"\0")
    digest.update(_body(request))
    return digest.hexdigest()


def _body(request) -> bytes:
    raw = getattr(request, "_request", request)
    try:
        return raw.body
    except RawPostDataException:
        # The stream was already parsed (multipart read by a permission check, say).
        return json.dumps(request.data, sort_keys=True, default=str).encode()


def _claim(request, key):
    """Create the in-progress record, or return the existing one for this key."""
    scope = _scope(request)
    fingerprint = _fingerprint(request)
    user = request.user if request.user.is_authenticated else None
    try:
        with transaction.atomic():
            record = IdempotencyRecord.objects.create(user=user, scope=scope, key=key, fingerprint=fingerprint)
        return record, True
    except IntegrityError:
        record = IdempotencyRecord.objects.get(scope=scope, key=key)
    if record.fingerprint != fingerprint:
        raise Unprocessable(_("This Idempotency-Key was already used for a different request."),
                            code="idempotency_key_reused")
    if record.state == IdempotencyRecord.State.IN_PROGRESS:
        raise Conflict(_("A request with this Idempotency-Key is still being processed."),
                       code="idempotency_in_progress")
    return record, False


def idempotent(view_method):
    @functools.wraps(view_method)
    def wrapper(self, request, *args, **kwargs):
        key = request.headers.get(HEADER, "").strip()
        if not key:
            return view_method(self, request, *args, **kwargs)
        if len(key) > MAX_KEY_LENGTH:
            raise Unprocessable(_("Idempotency-Key is longer than 255 characters."), code="idempotency_key_invalid")
        record, fresh = _claim(request, key)
        if not fresh:
            response = Response(record.response_body, status=record.response_status)
            response["Idempotent-Replayed"] = "true"
            return response
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
