"""The server side of the offline outbox (core/static/core/offline/outbox.js): batch ingest by client id.

A phone page queues every tap with a client-made UUID and POSTs them in batches as
``{"items": [{"client_id", "kind", ...}, ...]}``. The endpoint answers 200 with
``{"results": [{"client_id", "result": "applied"|"duplicate"|"rejected", "code", "detail", ...}]}``,
one per item, in order. Plug a page in like this::

    class MyBatchView(APIView):
        @extend_schema(request=OfflineBatchSerializer, responses=OfflineBatchResultSerializer)
        def post(self, request):
            data = OfflineBatchSerializer(data=request.data)
            data.is_valid(raise_exception=True)
            results = offline_batch_apply(actor=request.user, items=data.validated_data["items"],
                                          handlers={"delivered": my_delivered, "scan": my_scan})
            return Response(offline_results(results))

A handler is ``fn(item: dict) -> dict``: it validates the item (raise `DomainError` to reject it with a
sentence the person reads), makes the change (services, with their row locks and events), and returns
extra fields for the result (e.g. the new status). Each item runs in its own savepoint, so a rejected
item changes nothing and never blocks the others. The receipt row (`core.models.OfflineReceipt`,
unique per sender and client id) is written in the same savepoint as the change: a resend, or two
concurrent sends of the same item, apply it once and answer "duplicate" with the first result.
Files (photo, signature) come as ``data:`` URLs inside the item: `data_url_file` turns one into a checked
upload for `core.files`.
"""

import base64
import binascii
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass, field

from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from rest_framework import serializers

from core.errors import DomainError, ValidationFailed
from core.files import IMAGE_TYPES, validate_upload
from core.models import OfflineReceipt

MAX_ITEMS = 500

Handler = Callable[[dict], Mapping | None]


@dataclass
class ItemResult:
    client_id: str
    result: str  # applied | duplicate | rejected
    kind: str = ""
    code: str = ""
    detail: str = ""
    data: dict = field(default_factory=dict)

    def as_dict(self) -> dict:
        out = asdict(self)
        out.update(out.pop("data"))
        return out


class OfflineBatchSerializer(serializers.Serializer):
    items = serializers.ListField(child=serializers.DictField(), allow_empty=False, max_length=MAX_ITEMS)


class OfflineResultSerializer(serializers.Serializer):
    client_id = serializers.CharField()
    result = serializers.ChoiceField(choices=["applied", "duplicate", "rejected"])
    kind = serializers.CharField()
    code = serializers.CharField(help_text="why an item was rejected (stable, for programs)")
    detail = serializers.CharField(help_text="why an item was rejected (a sentence for people)")


class OfflineBatchResultSerializer(serializers.Serializer):
    results = OfflineResultSerializer(many=True)


def offline_scope(actor) -> str:
    return f"user:{actor.pk}"


def _client_id(item) -> uuid.UUID:
    try:
        return uuid.UUID(str(item.get("client_id", "")))
    except ValueError as exc:
        raise ValidationFailed(_("Each item needs a client id (a UUID)."), code="bad_client_id") from exc


def offline_batch_apply(*, actor, items: Sequence[dict], handlers: Mapping[str, Handler],
                        kind_field: str = "kind") -> list[ItemResult]:
    """Apply a phone's batch, item by item, each at most once per sender and client id (see the module doc)."""
    if len(items) > MAX_ITEMS:
        raise ValidationFailed(_("At most %(n)s items per batch.") % {"n": MAX_ITEMS}, code="batch_too_large")
    scope = offline_scope(actor)
    ids = []
    for item in items:
        try:
            ids.append(_client_id(item))
        except DomainError:
            ids.append(None)
    seen = {r.client_id: r for r in OfflineReceipt.objects.filter(scope=scope, client_id__in=[i for i in ids if i])}
    results = []
    with transaction.atomic():
        for item, client_id in zip(items, ids, strict=True):
            results.append(_apply_one(scope, item, client_id, seen, handlers, kind_field))
    return results


def _apply_one(scope, item, client_id, seen, handlers, kind_field) -> ItemResult:
    kind = str(item.get(kind_field, ""))
    if client_id is None:
        return ItemResult(client_id=str(item.get("client_id", "")), result="rejected", kind=kind,
                          code="bad_client_id", detail=_("Each item needs a client id (a UUID)."))
    if client_id in seen:
        return ItemResult(client_id=str(client_id), result="duplicate", kind=seen[client_id].kind,
                          data=seen[client_id].result)
    handler = handlers.get(kind)
    if handler is None:
        return ItemResult(client_id=str(client_id), result="rejected", kind=kind, code="unknown_kind",
                          detail=_("This kind of item is not accepted here."))
    occurred = parse_datetime(str(item.get("occurred_at") or "")) if item.get("occurred_at") else None
    try:
        with transaction.atomic():
            receipt = OfflineReceipt.objects.create(scope=scope, client_id=client_id, kind=kind, occurred_at=occurred)
            data = dict(handler(item) or {})
            receipt.result = data
            receipt.save(update_fields=["result"])
    except IntegrityError:  # the same item, sent twice at once: the other send applied it
        first = OfflineReceipt.objects.filter(scope=scope, client_id=client_id).first()
        return ItemResult(client_id=str(client_id), result="duplicate", kind=kind, data=first.result if first else {})
    except DomainError as exc:
        return ItemResult(client_id=str(client_id), result="rejected", kind=kind, code=exc.code, detail=exc.detail)
    seen[client_id] = receipt
    return ItemResult(client_id=str(client_id), result="applied", kind=kind, data=data)


def offline_results(results: Sequence[ItemResult]) -> dict:
    return {"results": [r.as_dict() for r in results]}


def data_url_file(value, *, field: str, name: str, allowed=None) -> ContentFile | None:
    """A ``data:image/...;base64,...`` string from the outbox as a checked upload (type by content, size
    limited: core.files); None for an empty value. A value that is not one answers a sentence."""
    if not value:
        return None
    text = str(value)
    head, sep, body = text.partition(",")
    if not sep or not head.startswith("data:") or ";base64" not in head:
        raise ValidationFailed(_("The %(field)s could not be read; take it again.") % {"field": field},
                               code="bad_file", fields={field: [_("Not an image.")]})
    try:
        raw = base64.b64decode(body, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise ValidationFailed(_("The %(field)s could not be read; take it again.") % {"field": field},
                               code="bad_file", fields={field: [_("Not an image.")]}) from exc
    upload = ContentFile(raw, name=name)
    validate_upload(upload, allowed=allowed or IMAGE_TYPES, field=field)
    return upload


def offline_occurred_at(*, actor, client_id):
    """When the phone said an earlier item of the same sender was tapped (None if unknown)."""
    try:
        key = uuid.UUID(str(client_id))
    except ValueError:
        return None
    return (OfflineReceipt.objects.filter(scope=offline_scope(actor), client_id=key)
            .values_list("occurred_at", flat=True).first())
