import uuid

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

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
    type = models.CharField(max_length=64)
    subject_type = models.CharField(max_length=64, help_text="app_label.model of the affected object")
    subject_id = models.CharField(max_length=64)
    payload = models.JSONField(default=dict, encoder=DjangoJSONEncoder)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    dispatched_at = models.DateTimeField(null=True, blank=True, db_index=True)
    # The audience (core.audience): who besides program admins may read the object. Partners are rows
    # of OutboxEventPartner (a published plan names several); none of the three set means program-only.
    audience_hub_id = models.PositiveBigIntegerField(null=True, blank=True)
    audience_applicant_id = models.PositiveBigIntegerField(null=True, blank=True)
    audience_has_partners = models.BooleanField(default=False, help_text="Spares fan-out a query when False.")

    class Meta:
        ordering = ["created_at"]
        # Every batch of outcomes writes a row per outcome here, and each index is a write more: the type's is a
        # plain one (no second index for LIKE), an audience's only holds the rows that name one, and nothing
        # looks events up by their subject.
        indexes = [models.Index(fields=["type"], name="outbox_type_idx"),
                   models.Index(fields=["audience_hub_id"], condition=models.Q(audience_hub_id__isnull=False),
                                name="outbox_audience_hub_idx"),
                   models.Index(fields=["audience_applicant_id"],
                                condition=models.Q(audience_applicant_id__isnull=False),
                                name="outbox_audience_applicant_idx")]

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

    # Lookups by event use the unique (event, partner) index below: no index of its own, one write less a row.
    event = models.ForeignKey(OutboxEvent, on_delete=models.CASCADE, related_name="audience_partners",
                              db_index=False)
    partner_id = models.PositiveBigIntegerField(db_index=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["event", "partner_id"], name="outbox_audience_partner_unique")]

    def __str__(self):
        return f"{self.event_id} → partner:{self.partner_id}"


class Job(models.Model):
    """Long work (a plan, an import, a nightly run) as a row the page and the API read while it runs.

    One active (queued or running) job of a kind per subject at a time; a job whose heartbeat is older
    than its lease is taken as dead (its worker stopped) and may be replaced. See `core.jobs`."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    ACTIVE = (Status.QUEUED, Status.RUNNING)

    kind = models.CharField(max_length=64)
    subject_type = models.CharField(max_length=64, help_text="app_label.model of the object worked on")
    subject_id = models.CharField(max_length=64)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.QUEUED)
    phase = models.CharField(max_length=64, blank=True)
    progress = models.JSONField(default=dict, blank=True, encoder=DjangoJSONEncoder)
    result = models.JSONField(default=dict, blank=True, encoder=DjangoJSONEncoder)
    error = models.TextField(blank=True)
    lease_seconds = models.PositiveIntegerField(default=180)
    started_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    started_at = models.DateTimeField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(
            fields=["kind", "subject_type", "subject_id"], condition=models.Q(status__in=["queued", "running"]),
            name="job_one_active_per_subject",
            violation_error_message=_("This job is already running for this object."))]
        indexes = [models.Index(fields=["subject_type", "subject_id", "kind"], name="job_subject_idx")]

    def __str__(self):
        return f"{self.kind} {self.subject_type}:{self.subject_id} ({self.status})"

    @property
    def active(self) -> bool:
        return self.status in self.ACTIVE

    @property
    def stale(self) -> bool:
        """Active, but nothing heard from its worker for longer than the lease."""
        if not self.active:
            return False
        last = self.heartbeat_at or self.created_at
        return (timezone.now() - last).total_seconds() > self.lease_seconds


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


class CalendarDay(models.Model):
    """The admin's program calendar: extra closed days and holidays removed, on top of `core.calendar`'s."""

    class Kind(models.TextChoices):
        CLOSED = "closed", _("Extra closed day")
        OPEN = "open", _("Holiday removed (open)")

    date = models.DateField(unique=True)
    kind = models.CharField(max_length=8, choices=Kind.choices)
    note = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["date"]

    def __str__(self):
        return f"{self.date} {self.kind}"


class OfflineReceipt(models.Model):
    """One item a phone sent through the offline outbox (core.offline), kept by its client id.

    The client id is made on the phone when the person taps; a resend of the same id finds this row and
    answers "duplicate" with the first result, so nothing a person taps is ever applied twice."""

    # "user:<id>": client ids are unique per sender, so one person's ids can never collide with another's.
    scope = models.CharField(max_length=80)
    client_id = models.UUIDField()
    kind = models.CharField(max_length=40)
    result = models.JSONField(default=dict, blank=True, encoder=DjangoJSONEncoder)
    occurred_at = models.DateTimeField(null=True, blank=True, help_text="when the person tapped, by the phone's clock")
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        constraints = [models.UniqueConstraint(
            fields=["scope", "client_id"], name="offline_receipt_unique_client_id",
            violation_error_message=_("This item was already received from this phone."))]

    def __str__(self):
        return f"{self.scope} {self.kind} {self.client_id}"
