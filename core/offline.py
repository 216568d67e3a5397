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

A page whose items come by the dozen (the driver's stop outcomes) may also pass a `BatchHandler`: a run of
consecutive items it accepts is applied together, in one savepoint, and their receipts are written in one INSERT.
Its `apply` gets ``[(client_id, item), ...]`` (none seen before, no client id twice) and answers, in order, the
extra fields of each applied item or the `DomainError` that rejects it; it checks every item before it changes
anything, so a rejected item changes nothing and blocks no other. It answers None to have the run applied item by
item instead. A clash on a unique key (the same item sent twice at once) rolls the run back and applies it item by
item, where the usual receipt rule answers "duplicate".
"""

import base64
import binascii
import functools
import json
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

from django.core.files.base import ContentFile
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from rest_framework import serializers

from core.bulksql import django_json, insert_cte, run_ctes
from core.compiled import fetch, pg_array
from core.errors import DomainError, ValidationFailed
from core.files import IMAGE_TYPES, validate_upload
from core.models import OfflineReceipt

MAX_ITEMS = 500

Handler = Callable[[dict], Mapping | None]


@dataclass(frozen=True)
class BatchHandler:
    """Applies a run of items of `kinds` together (see the module doc); `accepts(item)` says which may join one."""

    kinds: frozenset
    accepts: Callable[[dict], bool]
    apply: Callable[[list], list | None]


@dataclass
class ItemResult:
    client_id: str
    result: str  # applied | duplicate | rejected
    kind: str = ""
    code: str = ""
    detail: str = ""
    data: dict = field(default_factory=dict)

    def as_dict(self) -> dict:
        return {"client_id": self.client_id, "result": self.result, "kind": self.kind, "code": self.code,
                "detail": self.detail, **self.data}


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
                        kind_field: str = "kind", batch: BatchHandler | None = None) -> list[ItemResult]:
    """Apply a phone's batch, item by item (runs of them with `batch`), each at most once per sender and client id
    (see the module doc)."""
    if len(items) > MAX_ITEMS:
        raise ValidationFailed(_("At most %(n)s items per batch.") % {"n": MAX_ITEMS}, code="batch_too_large")
    scope = offline_scope(actor)
    ids = []
    for item in items:
        try:
            ids.append(_client_id(item))
        except DomainError:
            ids.append(None)
    seen = _seen(scope, [i for i in ids if i])
    results = []
    with transaction.atomic():
        k = 0
        while k < len(items):
            run = _run(items, ids, k, seen, batch, kind_field) if batch is not None else []
            if len(run) > 1:
                results.extend(_apply_run(scope, run, seen, batch, handlers, kind_field))
                k += len(run)
                continue
            results.append(_apply_one(scope, items[k], ids[k], seen, handlers, kind_field))
            k += 1
    return results


def _run(items, ids, start, seen, batch, kind_field) -> list[tuple]:
    """The consecutive items from `start` the batch handler may apply together: new client ids, none twice."""
    run, taken = [], set()
    for item, client_id in zip(items[start:], ids[start:], strict=True):
        if (client_id is None or client_id in seen or client_id in taken
                or str(item.get(kind_field, "")) not in batch.kinds or not batch.accepts(item)):
            break
        taken.add(client_id)
        run.append((client_id, item))
    return run


def _apply_run(scope, run, seen, batch, handlers, kind_field) -> list[ItemResult]:
    try:
        with transaction.atomic():
            answers = batch.apply(run)
            if answers is None:
                return [_apply_one(scope, item, client_id, seen, handlers, kind_field) for client_id, item in run]
            receipts, results = [], []
            for (client_id, item), answer in zip(run, answers, strict=True):
                kind = str(item.get(kind_field, ""))
                if isinstance(answer, DomainError):
                    results.append(ItemResult(client_id=str(client_id), result="rejected", kind=kind,
                                              code=answer.code, detail=answer.detail))
                    continue
                data = dict(answer or {})
                receipts.append(_Receipt(client_id, kind, data, _occurred(item)))
                results.append(ItemResult(client_id=str(client_id), result="applied", kind=kind, data=data))
            _receipts_write(scope, receipts)
    except IntegrityError:  # sent twice at once: item by item, the receipts say which send applied each
        return [_apply_one(scope, item, client_id, seen, handlers, kind_field) for client_id, item in run]
    seen.update((r.client_id, r) for r in receipts)
    return results


@dataclass(frozen=True, slots=True)
class _Receipt:
    """A run's receipt before it is written: what `seen` needs of one (`kind`, `result`), as of a stored one."""

    client_id: uuid.UUID
    kind: str
    result: dict
    occurred_at: object


@functools.cache
def _seen_sql() -> str:
    return (f'SELECT "client_id", "kind", "result" FROM "{OfflineReceipt._meta.db_table}" '  # noqa: S608 - metadata
            'WHERE "scope" = %s AND "client_id" = ANY(%s::uuid[])')


def _seen(scope: str, client_ids: list) -> dict:
    """The receipts already kept for these client ids, by client id (what a duplicate answers: kind and result).
    On PostgreSQL one prepared statement (core.compiled.fetch), where the ORM's queryset cost a driver batch a
    tenth of its Python."""
    if not client_ids:
        return {}
    if connection.vendor != "postgresql":
        return {r.client_id: r for r in OfflineReceipt.objects.filter(scope=scope, client_id__in=client_ids)}
    return {client_id: _Receipt(client_id, kind, json.loads(result) if isinstance(result, str) else result, None)
            for client_id, kind, result in fetch(_seen_sql(), [scope, pg_array(client_ids)])}


_RECEIPT_COLUMNS = ["scope", "client_id", "kind", "result", "occurred_at", "created_at"]
_RECEIPT_CASTS = ["varchar", "uuid", "varchar", "jsonb", "timestamptz", "timestamptz"]


def _receipts_write(scope: str, receipts: list[_Receipt]) -> None:
    """The run's receipts in one INSERT: on PostgreSQL through core.bulksql (a prepared statement, the rows one
    JSON parameter; `bulk_create` built a model and adapted six values a receipt, a sixth of a driver batch's
    Python), elsewhere with `bulk_create`. A client id already taken raises IntegrityError either way."""
    if not receipts:
        return
    now = timezone.now()
    if connection.vendor != "postgresql":
        OfflineReceipt.objects.bulk_create([OfflineReceipt(scope=scope, client_id=r.client_id, kind=r.kind,
                                                           result=r.result, occurred_at=r.occurred_at, created_at=now)
                                            for r in receipts])
        return
    run_ctes([insert_cte("receipts", OfflineReceipt._meta.db_table, _RECEIPT_COLUMNS, _RECEIPT_CASTS,
                         [(scope, r.client_id, r.kind, django_json(r.result), _aware(r.occurred_at), now)
                          for r in receipts])])


def _aware(moment):
    """A phone's time without an offset read in the default time zone, as the model field reads it."""
    return timezone.make_aware(moment) if moment is not None and timezone.is_naive(moment) else moment


def _occurred(item):
    return parse_datetime(str(item.get("occurred_at") or "")) if item.get("occurred_at") else None


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
    occurred = _occurred(item)
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
