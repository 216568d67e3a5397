"""Webhook subscriptions and delivery (keyword-only, atomic, raising DomainError).

Delivery reads the outbox (`core.models.OutboxEvent`): `event_fan_out` turns a committed event
into one `WebhookDelivery` per matching active subscription, and `webhook_delivery_attempt` makes
one POST. The HTTP call happens outside any transaction: a delivery is first leased (its
`next_attempt_at` pushed past the timeout) so a concurrent sweep does not send it twice."""

import json
import logging
import secrets as pysecrets
import time
from datetime import timedelta

import certifi
import urllib3
from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.permissions import webhook_scopes_allowed
from core.errors import Conflict, DomainError, PermissionDenied, ValidationFailed
from core.events import EVENT_AUDIENCES, EVENT_TYPES
from core.mail import mail_queue
from core.models import OutboxEvent
from core.taskqueue import enqueue_on_commit
from integrations import crypto, signing
from integrations.audience import area_scope, event_types_receivable, subscriptions_reading
from integrations.models import WebhookAttempt, WebhookDelivery, WebhookSubscription
from integrations.urlguard import WebhookTarget, webhook_target, webhook_url_check

logger = logging.getLogger(__name__)

EXCERPT_CHARS = 1000
LEASE = timedelta(seconds=60)  # longer than the request timeout: a crashed attempt is retried after it
BACKOFF_BASE = timedelta(minutes=1)
BACKOFF_CAP = timedelta(hours=4)
USER_AGENT = "DSP-Portal-Webhooks/1.0"


def _new_secret() -> str:
    return f"whsec_{pysecrets.token_urlsafe(32)}"


def _clean_event_types(event_types) -> list[str]:
    chosen = sorted(set(event_types or []))
    unknown = [t for t in chosen if t not in EVENT_TYPES]
    if unknown:
        message = _("Unknown event type: %(t)s.") % {"t": ", ".join(unknown)}
        raise ValidationFailed(message, code="unknown_event_type", fields={"event_types": [message]})
    if not chosen:
        message = _("Choose at least one event type.")
        raise ValidationFailed(message, fields={"event_types": [message]})
    return chosen


def _clean_scopes(owner: User, scopes) -> list[str]:
    chosen = sorted(set(scopes or []))
    allowed = webhook_scopes_allowed(owner.role)
    refused = [s for s in chosen if s not in allowed]
    if refused:
        if allowed:
            message = _("Your subscriptions may carry only these scopes: %(allowed)s.") % {
                "allowed": ", ".join(allowed)}
        else:
            message = _("Only integrators' subscriptions carry scopes; you receive the events about what is yours.")
        raise ValidationFailed(message, code="scope_not_allowed", fields={"scopes": [message]})
    return chosen


def _check_receivable(owner: User, event_types: list[str], scopes: list[str]) -> None:
    """Refuse event types the owner would never receive, so a subscription never waits for nothing."""
    receivable = set(event_types_receivable(role=owner.role, scopes=scopes))
    missing = [t for t in event_types if t not in receivable]
    if not missing:
        return
    needs = sorted({area_scope(EVENT_AUDIENCES[t].area) for t in missing} - {None})
    possible = set(event_types_receivable(role=owner.role))
    if all(t in possible for t in missing) and needs:
        message = _("To receive %(types)s, add the scope %(scopes)s.") % {
            "types": ", ".join(missing), "scopes": ", ".join(needs)}
    else:
        message = _("You would never receive %(types)s: those events are about what your account cannot read.") % {
            "types": ", ".join(missing)}
    raise ValidationFailed(message, code="event_type_not_receivable", fields={"event_types": [message]})


def webhook_owner_check(*, owner: User) -> None:
    """Only people who could receive some event may subscribe (program admins, integrators, tenants)."""
    if not event_types_receivable(role=owner.role):
        raise PermissionDenied(_("Your account receives no events, so it cannot subscribe to webhooks."))


# --- subscriptions ---------------------------------------------------------------------------


def webhook_subscription_create(*, owner: User, url: str, event_types, description: str = "", scopes=()
                                ) -> tuple[WebhookSubscription, str]:
    """Subscribe `url`. Returns the row and the secret, which is shown to the owner only now.

    `event_types` must be ones the owner could receive; `scopes` (integrators) say which areas' program-wide
    events they receive."""
    webhook_owner_check(owner=owner)
    url = webhook_url_check((url or "").strip())
    event_types, scopes = _clean_event_types(event_types), _clean_scopes(owner, scopes)
    _check_receivable(owner, event_types, scopes)
    secret = _new_secret()
    subscription = WebhookSubscription.objects.create(
        owner=owner, url=url, event_types=event_types, scopes=scopes, description=(description or "")[:200],
        secret_encrypted=crypto.encrypt(secret),
    )
    return subscription, secret


def webhook_subscription_update(*, subscription: WebhookSubscription, **fields) -> WebhookSubscription:
    """Change url, event types, scopes, description or active (re-activating clears the failure run)."""
    with transaction.atomic():
        sub = WebhookSubscription.objects.select_for_update().select_related("owner").get(pk=subscription.pk)
        if "url" in fields:
            sub.url = webhook_url_check((fields["url"] or "").strip())
        if "event_types" in fields:
            sub.event_types = _clean_event_types(fields["event_types"])
        if "scopes" in fields:
            sub.scopes = _clean_scopes(sub.owner, fields["scopes"])
        if "event_types" in fields or "scopes" in fields:
            _check_receivable(sub.owner, sub.event_types, sub.scopes)
        if "description" in fields:
            sub.description = (fields["description"] or "")[:200]
        if "active" in fields and bool(fields["active"]) != sub.active:
            sub.active = bool(fields["active"])
            if sub.active:
                sub.consecutive_failures, sub.disabled_at, sub.disabled_reason = 0, None, ""
            else:
                sub.disabled_at, sub.disabled_reason = timezone.now(), _("Disabled by its owner.")
        sub.save()
    return sub


def webhook_subscription_disable(*, subscription: WebhookSubscription) -> WebhookSubscription:
    return webhook_subscription_update(subscription=subscription, active=False)


def webhook_subscription_enable(*, subscription: WebhookSubscription) -> WebhookSubscription:
    return webhook_subscription_update(subscription=subscription, active=True)


def webhook_subscription_delete(*, subscription: WebhookSubscription) -> None:
    subscription.delete()


def webhook_secret_rotate(*, subscription: WebhookSubscription, overlap: timedelta | None = None
                          ) -> tuple[WebhookSubscription, str]:
    """A new secret; the old one keeps signing for `overlap` (WEBHOOKS_SECRET_OVERLAP by default)."""
    overlap = settings.WEBHOOKS_SECRET_OVERLAP if overlap is None else overlap
    secret = _new_secret()
    with transaction.atomic():
        sub = WebhookSubscription.objects.select_for_update().get(pk=subscription.pk)
        sub.previous_secret_encrypted = sub.secret_encrypted
        sub.previous_secret_expires_at = timezone.now() + overlap
        sub.secret_encrypted = crypto.encrypt(secret)
        sub.save(update_fields=["previous_secret_encrypted", "previous_secret_expires_at", "secret_encrypted"])
    return sub, secret


# --- fan-out ---------------------------------------------------------------------------------


def event_fan_out(*, event_id) -> list[int]:
    """One delivery per active subscription that wants this event type and whose owner may read its object
    (integrations.audience); idempotent. Returns delivery ids. A bounded number of queries."""
    with transaction.atomic():
        event = OutboxEvent.objects.select_for_update(skip_locked=True).filter(pk=event_id).first()
        if event is None or event.dispatched_at is not None:
            return []  # gone, being fanned out by another worker, or already done
        now = timezone.now()
        wanting = [s for s in WebhookSubscription.objects.filter(active=True).select_related("owner")
                   .only("pk", "event_types", "scopes", "owner__id", "owner__role", "owner__is_active")
                   if s.wants(event.type)]
        subscriptions = subscriptions_reading(event_type=event.type, audience=event.audience,
                                              subscriptions=wanting) if event.type in EVENT_AUDIENCES else []
        WebhookDelivery.objects.bulk_create(
            [WebhookDelivery(subscription=s, event=event, next_attempt_at=now,
                             retry_until=now + settings.WEBHOOKS_RETRY_WINDOW) for s in subscriptions],
            ignore_conflicts=True,
        )
        event.dispatched_at = now
        event.save(update_fields=["dispatched_at"])
        return list(WebhookDelivery.objects.filter(event=event, status=WebhookDelivery.Status.PENDING)
                    .values_list("pk", flat=True))


# --- delivery --------------------------------------------------------------------------------


def event_body(event: OutboxEvent) -> bytes:
    document = {"id": str(event.pk), "type": event.type, "created": event.created_at.isoformat(),
                "data": event.payload}
    return json.dumps(document, cls=DjangoJSONEncoder, separators=(",", ":")).encode()


def _lease(delivery_id: int, *, force: bool) -> WebhookDelivery | None:
    """Claim a due delivery for one attempt, or None when it is not due (or not ours to send)."""
    retryable = (WebhookDelivery.Status.PENDING, WebhookDelivery.Status.FAILED)
    with transaction.atomic():
        delivery = (WebhookDelivery.objects.select_for_update(skip_locked=True)
                    .select_related("subscription", "event").filter(pk=delivery_id).first())
        if delivery is None or delivery.status not in retryable:
            return None
        now = timezone.now()
        if not force and delivery.next_attempt_at and delivery.next_attempt_at > now:
            return None
        if not delivery.subscription.active:
            delivery.status, delivery.next_attempt_at = WebhookDelivery.Status.GAVE_UP, None
            delivery.save(update_fields=["status", "next_attempt_at"])
            return None
        delivery.next_attempt_at = now + LEASE
        delivery.save(update_fields=["next_attempt_at"])
        return delivery


def _post(delivery: WebhookDelivery) -> dict:
    """One POST; returns the attempt's fields. Never raises for the receiver's failures."""
    subscription, event = delivery.subscription, delivery.event
    body = event_body(event)
    timestamp = int(time.time())
    headers = {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        "X-DSP-Event-Id": str(event.pk),
        "X-DSP-Event-Type": event.type,
        signing.HEADER: signing.sign(secrets=subscription.signing_secrets(), timestamp=timestamp, body=body),
    }
    started = time.perf_counter()
    result = {"status_code": None, "response_excerpt": "", "error": "", "succeeded": False}
    try:
        target = webhook_target(subscription.url)  # again: DNS may have changed since the subscription was saved
        status, raw = _pinned_post(target, body=body, headers=headers)
        result.update(status_code=status, succeeded=200 <= status < 300,
                      response_excerpt=raw.decode("utf-8", errors="replace")[:EXCERPT_CHARS])
    except DomainError as exc:
        result["error"] = exc.detail[:300]
    except urllib3.exceptions.HTTPError as exc:
        result["error"] = f"{type(exc).__name__}: {exc}"[:300]
    result["latency_ms"] = int((time.perf_counter() - started) * 1000)
    return result


def _pinned_post(target: WebhookTarget, *, body: bytes, headers: dict) -> tuple[int, bytes]:
    """POST to the address the guard checked, never to a fresh DNS answer: the Host header and the TLS
    name (SNI and certificate check) stay the URL's host. No redirects, no retries, the first bytes only."""
    timeout = urllib3.Timeout(total=settings.WEBHOOKS_TIMEOUT_SECONDS)
    if target.scheme == "https":
        pool = urllib3.HTTPSConnectionPool(target.address, target.port, timeout=timeout, retries=False, maxsize=1,
                                           server_hostname=target.host, assert_hostname=target.host,
                                           cert_reqs="CERT_REQUIRED",
                                           ca_certs=settings.WEBHOOKS_CA_BUNDLE or certifi.where())
    else:
        pool = urllib3.HTTPConnectionPool(target.address, target.port, timeout=timeout, retries=False, maxsize=1)
    with pool:
        response = pool.urlopen("POST", target.path, body=body, headers={**headers, "Host": target.host_header},
                                redirect=False, retries=False, preload_content=False, assert_same_host=False)
        try:
            return response.status, response.read(EXCERPT_CHARS * 4, decode_content=True) or b""
        finally:
            response.release_conn()


def _backoff(attempts: int) -> timedelta:
    return min(BACKOFF_BASE * (2 ** max(attempts - 1, 0)), BACKOFF_CAP)


def _notify_disabled(sub: WebhookSubscription) -> None:
    """Written to the outbox with the disabling (core.mail): sent once it commits."""
    mail_queue(
        to=[sub.owner.email],
        subject=_("[DSP Portal] Webhook disabled: %(url)s") % {"url": sub.url},
        body=_("Your webhook subscription to %(url)s was disabled after %(n)d failed deliveries in a row.\n"
               "Fix the receiver, then enable it again at %(site)s/integrations/webhooks/%(id)d/.")
        % {"url": sub.url, "n": sub.consecutive_failures, "site": settings.SITE_URL, "id": sub.pk},
    )


def _record(delivery_id: int, number: int, started_at, result: dict) -> WebhookDelivery:
    with transaction.atomic():
        delivery = WebhookDelivery.objects.select_for_update().get(pk=delivery_id)
        sub = WebhookSubscription.objects.select_for_update().get(pk=delivery.subscription_id)
        WebhookAttempt.objects.create(delivery=delivery, number=number, started_at=started_at, **result)
        now = timezone.now()
        delivery.attempts, delivery.last_attempt_at = number, now
        if result["succeeded"]:
            delivery.status, delivery.next_attempt_at = WebhookDelivery.Status.SUCCEEDED, None
            sub.consecutive_failures = 0
        else:
            sub.consecutive_failures = F("consecutive_failures") + 1
            retry_at = now + _backoff(number)
            if retry_at > delivery.retry_until:
                delivery.status, delivery.next_attempt_at = WebhookDelivery.Status.GAVE_UP, None
            else:
                delivery.status, delivery.next_attempt_at = WebhookDelivery.Status.FAILED, retry_at
        delivery.save(update_fields=["status", "attempts", "last_attempt_at", "next_attempt_at"])
        sub.save(update_fields=["consecutive_failures"])
        sub.refresh_from_db(fields=["consecutive_failures"])
        if (not result["succeeded"] and sub.active
                and sub.consecutive_failures >= settings.WEBHOOKS_MAX_CONSECUTIVE_FAILURES):
            sub.active, sub.disabled_at = False, now
            sub.disabled_reason = _("Disabled after %(n)d failed deliveries in a row.") % {
                "n": sub.consecutive_failures}
            sub.save(update_fields=["active", "disabled_at", "disabled_reason"])
            _notify_disabled(sub)
    return delivery


def webhook_delivery_attempt(*, delivery_id: int, force: bool = False) -> WebhookDelivery | None:
    """Make one attempt if the delivery is due (or `force`); None when there was nothing to do."""
    delivery = _lease(delivery_id, force=force)
    if delivery is None:
        return None
    number = delivery.attempts + 1
    started_at = timezone.now()
    result = _post(delivery)
    return _record(delivery.pk, number, started_at, result)


def webhook_delivery_redeliver(*, delivery: WebhookDelivery) -> WebhookDelivery:
    """Queue another attempt now, whatever the delivery's state (the next attempt gets the next number)."""
    with transaction.atomic():
        d = WebhookDelivery.objects.select_for_update().select_related("subscription").get(pk=delivery.pk)
        if not d.subscription.active:
            raise Conflict(_("Enable the subscription before redelivering."), code="subscription_disabled")
        now = timezone.now()
        d.status, d.next_attempt_at = WebhookDelivery.Status.PENDING, now
        d.retry_until = now + settings.WEBHOOKS_RETRY_WINDOW
        d.save(update_fields=["status", "next_attempt_at", "retry_until"])
        # with the broker down, webhooks_sweep sends it (it is due now)
        enqueue_on_commit("integrations.tasks.webhook_deliver", d.pk)
    return d


def due_delivery_ids(*, limit: int = 500) -> list[int]:
    now = timezone.now()
    return list(
        WebhookDelivery.objects.filter(status__in=[WebhookDelivery.Status.PENDING, WebhookDelivery.Status.FAILED],
                                       next_attempt_at__lte=now)
        .order_by("next_attempt_at").values_list("pk", flat=True)[:limit]
    )


UNDISPATCHED_PAGE = 500


def undispatched_event_ids(*, limit: int = UNDISPATCHED_PAGE) -> list:
    return list(OutboxEvent.objects.filter(dispatched_at__isnull=True).order_by("created_at")
                .values_list("pk", flat=True)[:limit])
