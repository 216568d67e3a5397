"""Read queries shared by views, API and tasks, scoped by who asks.

Owners see their own subscriptions; program admins see all. "Not yours" is the same 404 as
"does not exist"."""

from django.db.models import Prefetch, QuerySet

from accounts.models import User
from core.errors import NotFound
from core.events import EVENT_AUDIENCES, EVENT_TYPES
from integrations.audience import area_scope
from integrations.models import WebhookAttempt, WebhookDelivery, WebhookSubscription


def _sees_all(user: User) -> bool:
    return user.is_program_admin


def webhook_subscription_list(*, fetched_by: User) -> QuerySet[WebhookSubscription]:
    qs = WebhookSubscription.objects.select_related("owner")
    if not _sees_all(fetched_by):
        qs = qs.filter(owner=fetched_by)
    return qs.order_by("-created_at", "-pk")


def webhook_subscription_get(*, fetched_by: User, subscription_id) -> WebhookSubscription:
    try:
        return webhook_subscription_list(fetched_by=fetched_by).get(pk=int(subscription_id))
    except (WebhookSubscription.DoesNotExist, ValueError, TypeError):
        raise NotFound() from None


def webhook_delivery_list(*, fetched_by: User, subscription_id=None) -> QuerySet[WebhookDelivery]:
    qs = (WebhookDelivery.objects.select_related("event", "subscription")
          .prefetch_related(Prefetch("attempt_log", queryset=WebhookAttempt.objects.order_by("number"))))
    if not _sees_all(fetched_by):
        qs = qs.filter(subscription__owner=fetched_by)
    if subscription_id is not None:
        qs = qs.filter(subscription_id=subscription_id)
    return qs.order_by("-created_at", "-pk")


def webhook_delivery_get(*, fetched_by: User, delivery_id) -> WebhookDelivery:
    try:
        return webhook_delivery_list(fetched_by=fetched_by).get(pk=int(delivery_id))
    except (WebhookDelivery.DoesNotExist, ValueError, TypeError):
        raise NotFound() from None


def event_type_catalogue() -> list[dict]:
    return [{"type": name, "description": description, "payload": dict(shape),
             "audience": sorted(EVENT_AUDIENCES[name].kinds), "scope": area_scope(EVENT_AUDIENCES[name].area)}
            for name, (description, shape) in EVENT_TYPES.items()]
