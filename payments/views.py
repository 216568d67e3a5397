"""HTML pages and the Stripe webhook endpoint: parse, call one service, answer."""

import stripe
from django.http import JsonResponse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from core.errors import DomainError
from payments import gateway
from payments.webhooks import stripe_event_process


@csrf_exempt
@require_POST
def stripe_webhook(request):
    """POST /payments/stripe/webhook/ — authenticated by `Stripe-Signature`, not by a user."""
    try:
        event = gateway.construct_event(payload=request.body, signature=request.headers.get("Stripe-Signature", ""))
    except stripe.SignatureVerificationError:
        return JsonResponse({"code": "invalid_signature", "detail": _("The Stripe signature is not valid."),
                             "fields": {}}, status=400)
    except gateway.InvalidWebhookEvent as exc:
        return JsonResponse({"code": "invalid_event", "detail": str(exc), "fields": {}}, status=400)
    try:
        outcome = stripe_event_process(event_id=event.id, event_type=event.type, object_id=event.object_id)
    except DomainError as exc:
        return JsonResponse(exc.as_dict(), status=exc.status_code if exc.status_code >= 500 else 500)
    return JsonResponse({"received": True, "outcome": outcome})
