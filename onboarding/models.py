"""Onboarding: program data (regions, settings), the DSP application, and the Partner it creates."""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.files import PrivateFileField
from core.money import MoneyField
from core.places import US_STATES
from core.workflow import TransitionLog, Workflow
from onboarding.choices import DischargeType, EntityType, MilitaryBranch
from onboarding.validators import validate_adult, validate_ein, validate_phone, validate_postal_code


class Region(models.Model):
    """Where the program recruits partners (a metro area or a station's catchment)."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    state = models.CharField(_("state"), max_length=2, choices=US_STATES)
    active = models.BooleanField(_("accepting applications"), default=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return f"{self.name}, {self.state}"


class OnboardingSettings(models.Model):
    """The program's onboarding rules, one row an admin edits (see `selectors.onboarding_settings`).

    The veteran reimbursement work adds its own fields (cap, claim window) here."""

    singleton = models.BooleanField(default=True, unique=True, editable=False)
    capital_minimum = MoneyField(_("minimum liquid capital (USD)"), default=Decimal("30000.00"),
                                 validators=[MinValueValidator(Decimal("0"))])
    review_sla_business_days = models.PositiveSmallIntegerField(
        _("review SLA (business days)"), default=5, validators=[MinValueValidator(1)],
        help_text=_("Submitted applications older than this are flagged in the review queue."))
    typical_fleet_min = models.PositiveSmallIntegerField(_("typical fleet, fewest vans"), default=20)
    typical_fleet_max = models.PositiveSmallIntegerField(_("typical fleet, most vans"), default=40)
    require_criminal_check = models.BooleanField(_("criminal background check required"), default=True)
    require_credit_check = models.BooleanField(_("credit check required"), default=True)
    require_mvr_check = models.BooleanField(_("motor-vehicle record check required"), default=True)
    claim_cap = MoneyField(_("reimbursement cap per partner (USD)"), default=Decimal("10000.00"),
                           validators=[MinValueValidator(Decimal("0"))])
    claim_window_months = models.PositiveSmallIntegerField(
        _("claim window (months after approval)"), default=12, validators=[MinValueValidator(1)])
    claim_lookback_months = models.PositiveSmallIntegerField(
        _("claimable start-up costs (months before approval)"), default=12, validators=[MaxValueValidator(60)],
        help_text=_("Expenses dated earlier than this before the company's approval are refused."))
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("onboarding settings")
        verbose_name_plural = _("onboarding settings")

    def __str__(self):
        return str(_("Onboarding settings"))

    @property
    def required_check_kinds(self) -> list[str]:
        flags = {BackgroundCheck.Kind.CRIMINAL: self.require_criminal_check,
                 BackgroundCheck.Kind.CREDIT: self.require_credit_check,
                 BackgroundCheck.Kind.MVR: self.require_mvr_check}
        return [kind.value for kind, required in flags.items() if required]


class Application(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Submitted")
        IN_REVIEW = "in_review", _("In review")
        NEEDS_INFO = "needs_info", _("Needs information")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")
        WITHDRAWN = "withdrawn", _("Withdrawn")
        ONBOARDED = "onboarded", _("Onboarded")

    class Track(models.TextChoices):
        STANDARD = "standard", _("Standard")
        VETERAN = "veteran", _("Veteran")

    class VeteranStatus(models.TextChoices):
        NOT_APPLICABLE = "not_applicable", _("Not applicable")
        UNVERIFIED = "unverified", _("Not yet verified")
        VERIFIED = "verified", _("Verified")
        REJECTED = "rejected", _("Not verified")

    OPEN_STATUSES = (Status.DRAFT, Status.SUBMITTED, Status.IN_REVIEW, Status.NEEDS_INFO)
    EDITABLE_STATUSES = (Status.DRAFT, Status.NEEDS_INFO)

    applicant = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="applications")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.DRAFT, db_index=True)
    track = models.CharField(max_length=16, choices=Track.choices, default=Track.STANDARD, db_index=True)

    # 1. Applicant
    legal_name = models.CharField(_("legal name"), max_length=150, blank=True)
    phone = models.CharField(_("phone"), max_length=32, blank=True, validators=[validate_phone])
    address_line1 = models.CharField(_("street address"), max_length=200, blank=True)
    address_line2 = models.CharField(_("apartment, suite (optional)"), max_length=200, blank=True)
    city = models.CharField(_("city"), max_length=100, blank=True)
    state = models.CharField(_("state"), max_length=2, choices=US_STATES, blank=True)
    postal_code = models.CharField(_("ZIP code"), max_length=10, blank=True, validators=[validate_postal_code])
    date_of_birth = models.DateField(_("date of birth"), null=True, blank=True, validators=[validate_adult])

    # 2. Experience (the veteran declaration lives here)
    employment_history = models.TextField(_("employment history"), blank=True)
    people_managed = models.PositiveIntegerField(_("most people you have managed at once"), null=True, blank=True,
                                                 validators=[MaxValueValidator(100_000)])
    prior_business_owner = models.BooleanField(_("I have owned a business before"), default=False)
    prior_business_details = models.TextField(_("about that business"), blank=True)
    is_veteran = models.BooleanField(_("I served in the US armed forces"), default=False)
    military_branch = models.CharField(_("branch"), max_length=20, choices=MilitaryBranch.choices, blank=True)
    service_start = models.DateField(_("service began"), null=True, blank=True)
    service_end = models.DateField(_("service ended"), null=True, blank=True)
    discharge_type = models.CharField(_("discharge"), max_length=24, choices=DischargeType.choices, blank=True)

    # 3. Business
    entity_name = models.CharField(_("intended legal entity name"), max_length=200, blank=True)
    entity_type = models.CharField(_("entity type"), max_length=24, choices=EntityType.choices, blank=True)
    formation_state = models.CharField(_("state of formation"), max_length=2, choices=US_STATES, blank=True)
    ein = models.CharField(_("EIN"), max_length=10, blank=True, validators=[validate_ein],
                           help_text=_("Optional until approval: 12-3456789."))
    region = models.ForeignKey(Region, null=True, blank=True, on_delete=models.PROTECT, related_name="applications",
                               verbose_name=_("region wanted"))
    planned_vans = models.PositiveSmallIntegerField(_("planned vans"), null=True, blank=True,
                                                    validators=[MinValueValidator(1), MaxValueValidator(500)])
    planned_drivers = models.PositiveSmallIntegerField(_("planned drivers"), null=True, blank=True,
                                                       validators=[MinValueValidator(1), MaxValueValidator(2000)])

    # 4. Funds
    liquid_capital = MoneyField(_("liquid capital (USD)"), null=True, blank=True,
                                validators=[MinValueValidator(Decimal("0"))])

    # 6. Consent
    consent_background_check = models.BooleanField(_("I consent to a criminal background check"), default=False)
    consent_credit_check = models.BooleanField(_("I consent to a credit check"), default=False)
    consent_mvr_check = models.BooleanField(_("I consent to a motor-vehicle record check"), default=False)
    accepted_terms = models.BooleanField(_("I accept the program terms"), default=False)
    consented_at = models.DateTimeField(null=True, blank=True)

    # Review
    submitted_at = models.DateTimeField(null=True, blank=True, db_index=True,
                                        help_text=_("When it was (last) submitted; the review queue ages from here."))
    first_submitted_at = models.DateTimeField(null=True, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    decision_note = models.TextField(blank=True)
    veteran_status = models.CharField(max_length=16, choices=VeteranStatus.choices,
                                      default=VeteranStatus.NOT_APPLICABLE)
    veteran_verified_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                            on_delete=models.SET_NULL, related_name="+")
    veteran_verified_at = models.DateTimeField(null=True, blank=True)
    veteran_note = models.TextField(blank=True)

    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)
    status_changed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["applicant"], condition=Q(status__in=["draft", "submitted", "in_review",
                                                                                    "needs_info"]),
                                    name="onboarding_one_open_application_per_person",
                violation_error_message=_("You already have an application in progress.")),
        ]
        indexes = [models.Index(fields=["status", "submitted_at"], name="onb_app_queue_idx")]

    def __str__(self):
        return f"#{self.pk} {self.entity_name or self.legal_name or self.applicant}"

    @property
    def is_editable(self) -> bool:
        return self.status in self.EDITABLE_STATUSES

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN_STATUSES


S = Application.Status

APPLICATION_WORKFLOW = Workflow(
    transitions={
        S.DRAFT: [S.SUBMITTED, S.WITHDRAWN],
        S.SUBMITTED: [S.IN_REVIEW, S.WITHDRAWN],
        S.IN_REVIEW: [S.APPROVED, S.REJECTED, S.NEEDS_INFO, S.WITHDRAWN],
        S.NEEDS_INFO: [S.SUBMITTED, S.WITHDRAWN],
        S.APPROVED: [S.ONBOARDED],
    },
    reason_required=frozenset({S.NEEDS_INFO, S.REJECTED}),
)


class ApplicationEvent(TransitionLog):
    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="events")

    class Meta(TransitionLog.Meta):
        pass

    def __str__(self):
        return f"#{self.application_id}: {self.from_status or '·'} → {self.to_status}"


class ApplicationDocument(models.Model):
    class Kind(models.TextChoices):
        GOVERNMENT_ID = "government_id", _("Government ID")
        PROOF_OF_FUNDS = "proof_of_funds", _("Proof of funds")
        RESUME = "resume", _("Resume")
        DD214 = "dd214", _("DD-214 or VA letter")

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="documents")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    file = PrivateFileField(prefix="onboarding")
    original_name = models.CharField(max_length=255)
    content_type = models.CharField(max_length=64)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    uploaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["kind", "-uploaded_at"]
        constraints = [models.UniqueConstraint(fields=["application", "kind"], name="onboarding_one_document_per_kind",
                violation_error_message=_("This application already has a document of that kind."))]

    def __str__(self):
        return f"{self.get_kind_display()} ({self.original_name})"


class BackgroundCheck(models.Model):
    class Kind(models.TextChoices):
        CRIMINAL = "criminal", _("Criminal background")
        CREDIT = "credit", _("Credit")
        MVR = "mvr", _("Motor-vehicle record")

    class Result(models.TextChoices):
        PENDING = "pending", _("Pending")
        CLEAR = "clear", _("Clear")
        CONSIDER = "consider", _("Consider")
        FAILED = "failed", _("Failed")

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="checks")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    status = models.CharField(max_length=16, choices=Result.choices, default=Result.PENDING)
    reference = models.CharField(_("provider reference"), max_length=100, blank=True)
    note = models.TextField(blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["kind"]
        constraints = [models.UniqueConstraint(fields=["application", "kind"], name="onboarding_one_check_per_kind",
                violation_error_message=_("This application already has a check of that kind."))]

    def __str__(self):
        return f"{self.get_kind_display()}: {self.get_status_display()}"


class Partner(models.Model):
    """A Delivery Service Partner: the company an approved applicant runs."""

    class Status(models.TextChoices):
        ONBOARDING = "onboarding", _("Onboarding")
        ACTIVE = "active", _("Active")
        SUSPENDED = "suspended", _("Suspended")
        OFFBOARDED = "offboarded", _("Offboarded")

    legal_name = models.CharField(_("legal name"), max_length=200)
    entity_type = models.CharField(_("entity type"), max_length=24, choices=EntityType.choices)
    state_of_formation = models.CharField(_("state of formation"), max_length=2, choices=US_STATES)
    ein = models.CharField(_("EIN"), max_length=10, blank=True, validators=[validate_ein])
    region = models.ForeignKey(Region, null=True, blank=True, on_delete=models.PROTECT, related_name="partners")
    veteran_owned = models.BooleanField(_("veteran-owned"), default=False)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.ONBOARDING, db_index=True)
    application = models.OneToOneField(Application, null=True, blank=True, on_delete=models.PROTECT,
                                       related_name="partner", help_text=_("The approved application."))
    # Checklist items an admin ticks by hand (the rest come from other apps, see onboarding.checklist).
    training_completed_at = models.DateTimeField(null=True, blank=True)
    first_route_on = models.DateField(_("first route date"), null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["legal_name"]

    def __str__(self):
        return self.legal_name


class PartnerMembership(models.Model):
    class Role(models.TextChoices):
        OWNER = "owner", _("Owner")
        MANAGER = "manager", _("Manager")

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="partner_memberships")
    partner = models.ForeignKey(Partner, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=16, choices=Role.choices, default=Role.MANAGER)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["partner", "role", "user"]
        constraints = [models.UniqueConstraint(fields=["user", "partner"], name="onboarding_one_membership_per_user",
                violation_error_message=_("This person is already a member of the company."))]

    def __str__(self):
        return f"{self.user} · {self.partner} ({self.role})"


from onboarding.claims.models import CLAIM_WORKFLOW, Claim, ClaimCategory, ClaimEvent, ClaimReceipt  # noqa: E402,F401
