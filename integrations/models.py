from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.models import OutboxEvent
from integrations import crypto


class WebhookSubscription(models.Model):
    """A URL that receives some event types, signed with a secret that only the owner saw once.

    It receives an event only when its owner could read the event's object (integrations.audience).

    The secret is kept encrypted (we must sign with it, so it cannot be hashed). After a rotation
    the previous secret keeps signing until `previous_secret_expires_at`, so receivers can switch."""

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="webhook_subscriptions")
    url = models.URLField(_("URL"), max_length=500)
    description = models.CharField(_("description"), max_length=200, blank=True)
    event_types = models.JSONField(_("event types"), default=list)
    # Integrators only: the `<area>:read` scopes that let it receive that area's program-wide events.
    scopes = models.JSONField(_("scopes"), default=list, blank=True)
    active = models.BooleanField(default=True)
    secret_encrypted = models.TextField(editable=False)
    previous_secret_encrypted = models.TextField(blank=True, editable=False)
    previous_secret_expires_at = models.DateTimeField(null=True, blank=True)
    consecutive_failures = models.PositiveIntegerField(default=0)
    disabled_at = models.DateTimeField(null=True, blank=True)
    disabled_reason = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return self.url

    @property
    def secret(self) -> str:
        return crypto.decrypt(self.secret_encrypted)

    def signing_secrets(self, *, at=None) -> list[str]:
        """The secrets that sign now: the current one, plus the previous one during the overlap."""
        at = at or timezone.now()
        secrets = [self.secret]
        if self.previous_secret_encrypted and self.previous_secret_expires_at and self.previous_secret_expires_at > at:
            secrets.append(crypto.decrypt(self.previous_secret_encrypted))
        return secrets

    def wants(self, event_type: str) -> bool:
        return event_type in self.event_types


class WebhookDelivery(models.Model):
    """One event for one subscription; retried until it succeeds or its 24 hours run out."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        SUCCEEDED = "succeeded", _("Succeeded")
        FAILED = "failed", _("Failed, will retry")
        GAVE_UP = "gave_up", _("Gave up")

    subscription = models.ForeignKey(WebhookSubscription, on_delete=models.CASCADE, related_name="deliveries")
    event = models.ForeignKey(OutboxEvent, on_delete=models.CASCADE, related_name="+")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING, db_index=True)
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True, db_index=True)
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    retry_until = models.DateTimeField(help_text=_("No retry is scheduled after this."))
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["subscription", "event"], name="webhook_delivery_unique_subscription_event")
        ]

    def __str__(self):
        return f"{self.event.type} → {self.subscription.url} ({self.status})"


class WebhookAttempt(models.Model):
    """One POST: what happened, how long it took, what the receiver said (the start of it)."""

    delivery = models.ForeignKey(WebhookDelivery, on_delete=models.CASCADE, related_name="attempt_log")
    number = models.PositiveIntegerField()
    started_at = models.DateTimeField(default=timezone.now)
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    latency_ms = models.PositiveIntegerField(default=0)
    response_excerpt = models.TextField(blank=True)
    error = models.CharField(max_length=300, blank=True)
    succeeded = models.BooleanField(default=False)

    class Meta:
        ordering = ["delivery", "number"]
        constraints = [models.UniqueConstraint(fields=["delivery", "number"], name="webhook_attempt_unique_number")]

    def __str__(self):
        return f"#{self.number} {self.status_code or self.error}"
