import uuid

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils import timezone


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

    class Meta:
        ordering = ["created_at"]
        indexes = [models.Index(fields=["subject_type", "subject_id"], name="outbox_subject_idx")]

    def __str__(self):
        return f"{self.type} {self.subject_type}:{self.subject_id}"


class OutboxEmail(models.Model):
    """An e-mail written in the transaction of the change it reports, sent after commit (core.mail).

    With the broker or the mail server down the row waits; the sweep sends it later, once (see core.mail
    for the one rare crash window where it may go out twice)."""

    to = models.JSONField(default=list, help_text="recipient addresses")
    from_email = models.CharField(max_length=254, blank=True, help_text="empty: DEFAULT_FROM_EMAIL")
    subject = models.TextField()
    body = models.TextField()
    html = models.TextField(blank=True)
    # Set by callers that may run twice for the same occurrence (a batch job re-run): the second is dropped.
    dedupe_key = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    # A sender leases the row until then (a crashed send is retried after it); after a failure, the retry time.
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)

    class Meta:
        ordering = ["created_at"]
        constraints = [models.UniqueConstraint(fields=["dedupe_key"], condition=~models.Q(dedupe_key=""),
                                               name="outbox_email_unique_dedupe_key")]
        indexes = [models.Index(fields=["sent_at", "created_at"], name="outbox_email_unsent_idx")]

    def __str__(self):
        return f"{self.subject} -> {', '.join(self.to)}"
