import uuid

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils import timezone

from core.audience import Audience


class IdempotencyRecord(models.Model):
    """The first response to a creating or paying POST, kept per (user, key) and replayed."""

    class State(models.TextChoices):
        IN_PROGRESS = "in_progress"
        DONE = "done"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE)
    # "user:<id>" or "anon:<ip>": anonymous POSTs (public enrolment) are keyed too.
    scope = models.CharField(max_length=80)
    key = models.CharField(max_length=255)
    fingerprint = models.CharField(max_length=64, help_text="SHA-256 of method, path and body")
    state = models.CharField(max_length=16, choices=State.choices, default=State.IN_PROGRESS)
    response_status = models.PositiveSmallIntegerField(null=True, blank=True)
    response_body = models.JSONField(null=True, blank=True, encoder=DjangoJSONEncoder)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["scope", "key"], name="idempotency_unique_scope_key")]

    def __str__(self):
        return f"{self.scope} {self.key} ({self.state})"


class OutboxEvent(models.Model):
    """Transactional outbox: an event is written in the same transaction as the change it reports.

    Delivery (webhooks) reads from here after commit; a rolled-back change leaves no event."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    type = models.CharField(max_length=64, db_index=True)
    subject_type = models.CharField(max_length=64, help_text="app_label.model of the affected object")
    subject_id = models.CharField(max_length=64)
    payload = models.JSONField(default=dict, encoder=DjangoJSONEncoder)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    dispatched_at = models.DateTimeField(null=True, blank=True, db_index=True)
    # The audience (core.audience): who besides program admins may read the object. Partners are rows
    # of OutboxEventPartner (a published plan names several); none of the three set means program-only.
    audience_hub_id = models.PositiveBigIntegerField(null=True, blank=True, db_index=True)
    audience_applicant_id = models.PositiveBigIntegerField(null=True, blank=True, db_index=True)
    audience_has_partners = models.BooleanField(default=False, help_text="Spares fan-out a query when False.")

    class Meta:
        ordering = ["created_at"]
        indexes = [models.Index(fields=["subject_type", "subject_id"], name="outbox_subject_idx")]

    def __str__(self):
        return f"{self.type} {self.subject_type}:{self.subject_id}"

    @property
    def audience(self):
        """The stored audience (one query for its partners, when it names any)."""
        partner_ids = self.audience_partners.values_list("partner_id", flat=True) if self.audience_has_partners else ()
        return Audience(partner_ids=frozenset(partner_ids), hub_id=self.audience_hub_id,
                        applicant_id=self.audience_applicant_id)


class OutboxEventPartner(models.Model):
    """One partner in an event's audience; indexed by partner so "events this partner may read" is cheap."""

    event = models.ForeignKey(OutboxEvent, on_delete=models.CASCADE, related_name="audience_partners")
    partner_id = models.PositiveBigIntegerField(db_index=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["event", "partner_id"], name="outbox_audience_partner_unique")]

    def __str__(self):
        return f"{self.event_id} → partner:{self.partner_id}"
