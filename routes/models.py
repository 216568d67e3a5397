"""Stations, their daily manifests (packages), plans, routes and stops.

Times of day on plans and routes are seconds since the station's local midnight of the service date
(the solver's clock); dates are station-local service dates.
"""

import zoneinfo
from datetime import time

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.files import PrivateFileField
from core.places import US_STATES, us_point_problem, us_zone_problem
from core.servicedays import service_today
from core.validators import validate_time_zone
from core.workflow import TransitionLog, Workflow
from hubs.models import AttemptReason


def waves_problem(waves) -> str:
    """Why a list of dispatch waves is not usable ("" when it is)."""
    if not isinstance(waves, list) or len(waves) > 12:
        return _("Give up to twelve departure times.")
    for w in waves:
        try:
            if not (isinstance(w, str) and len(w) == 5 and w[2] == ":"):
                raise ValueError(w)
            time.fromisoformat(w)
        except ValueError:
            return _("“%(w)s” is not a time like 07:30.") % {"w": w}
    return ""


class Station(models.Model):
    code = models.SlugField(_("code"), max_length=16, unique=True)
    name = models.CharField(_("name"), max_length=120)
    latitude = models.DecimalField(_("latitude"), max_digits=9, decimal_places=6)
    longitude = models.DecimalField(_("longitude"), max_digits=9, decimal_places=6)
    time_zone = models.CharField(_("time zone"), max_length=64, default="America/Los_Angeles",
                                 validators=[validate_time_zone])
    dispatch_start = models.TimeField(_("dispatch start"), default=time(8, 0))
    shift_minutes = models.PositiveIntegerField(_("shift length (minutes)"), default=600,
                                                validators=[MinValueValidator(60), MaxValueValidator(16 * 60)])
    speed_kmh = models.FloatField(_("average speed (km/h)"), default=25.0,
                                  validators=[MinValueValidator(5), MaxValueValidator(120)])
    circuity = models.FloatField(_("road circuity factor"), default=1.3,
                                 validators=[MinValueValidator(1.0), MaxValueValidator(3.0)])
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(default=timezone.now)
    # Where the station is, for the hours rules its drivers work under (blank: the program default rule).
    state = models.CharField(_("state"), max_length=2, choices=US_STATES, blank=True)
    # Dispatch waves: the local times ("HH:MM") vans leave; the roster offers them as shift starts.
    waves = models.JSONField(_("dispatch waves"), default=list, blank=True,
                             help_text=_('Local departure times, e.g. ["07:30", "08:00", "08:30"]. '
                                         "Empty: one wave at the dispatch start."))

    class Meta:
        ordering = ["code"]

    def __str__(self):
        return f"{self.code} · {self.name}"

    def clean(self):
        """A station is a US building: not 0,0, not across an ocean, and on a US clock."""
        errors = {}
        located = self.latitude is not None and self.longitude is not None
        if located and (problem := us_point_problem(latitude=self.latitude, longitude=self.longitude)):
            errors["latitude"] = problem
        if self.time_zone and (problem := us_zone_problem(self.time_zone)):
            errors["time_zone"] = problem
        if (problem := waves_problem(self.waves)):
            errors["waves"] = problem
        if errors:
            raise ValidationError(errors)

    @property
    def wave_times(self) -> list[time]:
        """The dispatch waves as times, earliest first (the dispatch start when none are set)."""
        if not waves_problem(self.waves) and self.waves:
            return sorted({time.fromisoformat(w) for w in self.waves})
        return [self.dispatch_start]

    @property
    def tz(self):
        return zoneinfo.ZoneInfo(self.time_zone)

    def local_today(self):
        return service_today(self)

    @property
    def shift_start_s(self) -> int:
        return self.dispatch_start.hour * 3600 + self.dispatch_start.minute * 60

    @property
    def shift_end_s(self) -> int:
        return self.shift_start_s + self.shift_minutes * 60


class PackageSize(models.TextChoices):
    S = "S", _("Small")
    M = "M", _("Medium")
    L = "L", _("Large")


class PackageStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for a plan")
    ROUTED = "routed", _("On a route")
    HUB = "hub", _("Sent to a hub")
    UNASSIGNED = "unassigned", _("Not planned")
    DELIVERED = "delivered", _("Delivered")
    ATTEMPTED = "attempted", _("Attempted")
    RETURNED = "returned", _("Returned to station")


class Package(models.Model):
    # A manifest writes thousands of rows at once, and each index is a write more a row: the station's is the
    # (station, day) index below; a returned or hub package is the exception, so those indexes hold only them.
    station = models.ForeignKey(Station, on_delete=models.PROTECT, related_name="packages", db_index=False)
    service_date = models.DateField()
    tracking_id = models.CharField(max_length=40)
    recipient_name = models.CharField(max_length=200, blank=True)
    address_line1 = models.CharField(max_length=200)
    city = models.CharField(max_length=100, blank=True)
    state = models.CharField(max_length=2, blank=True)
    postal_code = models.CharField(max_length=10, blank=True)
    latitude = models.DecimalField(max_digits=9, decimal_places=6)
    longitude = models.DecimalField(max_digits=9, decimal_places=6)
    # Packages with the same key (rounded coordinates + normalised address) become one stop.
    address_key = models.CharField(max_length=260)
    size = models.CharField(max_length=1, choices=PackageSize.choices, blank=True)
    volume_l = models.DecimalField(max_digits=8, decimal_places=2, null=True, blank=True)
    weight_kg = models.DecimalField(max_digits=7, decimal_places=2, null=True, blank=True)
    window_start = models.TimeField(null=True, blank=True)
    window_end = models.TimeField(null=True, blank=True)
    signature_required = models.BooleanField(default=False)
    age_check_required = models.BooleanField(default=False, help_text=_("The recipient's age is checked (ID)."))
    delivery_pin = models.CharField(max_length=8, blank=True,
                                    help_text=_("A code the recipient was given; the driver enters it at the door."))
    returned_from = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
                                      db_index=False,
                                      help_text=_("The package returned the day before (a new attempt)."))
    # Where the recipient hears about the delivery (tracking link, "a few stops away", delivered); blank: nowhere.
    recipient_email = models.EmailField(_("recipient e-mail"), blank=True)
    recipient_phone = models.CharField(_("recipient phone"), max_length=20, blank=True)
    # Indexed with the packages' ordering, and only once on a stop (see the index below).
    stop = models.ForeignKey("RouteStop", null=True, blank=True, on_delete=models.SET_NULL, related_name="packages",
                             db_index=False)
    hub = models.ForeignKey("hubs.Hub", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                            db_index=False)
    status = models.CharField(max_length=16, choices=PackageStatus.choices, default=PackageStatus.PENDING)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["service_date", "tracking_id"]
        constraints = [models.UniqueConstraint(fields=["service_date", "tracking_id"],
                                               name="routes_package_tracking_unique_per_day",
                violation_error_message=_("A package with this tracking id is already on that day's manifest."))]
        indexes = [models.Index(fields=["station", "service_date"], name="routes_package_station_day"),
                   models.Index(fields=["returned_from"], condition=models.Q(returned_from__isnull=False),
                                name="routes_package_returned_from"),
                   models.Index(fields=["hub"], condition=models.Q(hub__isnull=False), name="routes_package_hub"),
                   # A stop's tracking ids in the packages' order straight from the index (the route list's
                   # ?expand=stops, routes.api.stops: no heap visit and no sort for each stop); a manifest's new
                   # rows, on no stop yet, write nothing here.
                   models.Index(fields=["stop", "service_date", "tracking_id"], condition=models.Q(stop__isnull=False),
                                name="routes_package_stop")]

    def __str__(self):
        return self.tracking_id

    @property
    def address(self) -> str:
        return ", ".join(p for p in [self.address_line1, self.city, f"{self.state} {self.postal_code}".strip()] if p)


class PartnerCapacity(models.Model):
    """How many routes a partner runs from a station: on one date, or by default on a weekday."""

    partner = models.ForeignKey("onboarding.Partner", on_delete=models.CASCADE, related_name="route_capacities")
    station = models.ForeignKey(Station, on_delete=models.CASCADE, related_name="capacities")
    date = models.DateField(null=True, blank=True)
    weekday = models.PositiveSmallIntegerField(null=True, blank=True, validators=[MaxValueValidator(6)],
                                               help_text=_("0 = Monday … 6 = Sunday"))
    routes = models.PositiveSmallIntegerField(_("routes committed"))

    class Meta:
        ordering = ["station", "partner", "date", "weekday"]
        constraints = [
            models.CheckConstraint(condition=Q(date__isnull=True) ^ Q(weekday__isnull=True),
                                   name="routes_capacity_date_xor_weekday",
                violation_error_message=_("Give either a date or a weekday, not both.")),
            models.UniqueConstraint(fields=["partner", "station", "date"], condition=Q(date__isnull=False),
                                    name="routes_capacity_one_per_date",
                violation_error_message=_("This partner already has a capacity for that station and date.")),
            models.UniqueConstraint(fields=["partner", "station", "weekday"], condition=Q(weekday__isnull=False),
                                    name="routes_capacity_one_per_weekday",
                violation_error_message=_("This partner already has a capacity for that station and weekday.")),
        ]

    def __str__(self):
        return f"{self.partner_id}@{self.station_id}: {self.routes} ({self.date or self.weekday})"


class PlanStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    OPTIMIZING = "optimizing", _("Optimizing")
    READY = "ready", _("Ready")
    PUBLISHED = "published", _("Published")
    FAILED = "failed", _("Failed")


P = PlanStatus
PLAN_WORKFLOW = Workflow(
    transitions={
        P.DRAFT: [P.OPTIMIZING, P.FAILED],
        P.OPTIMIZING: [P.READY, P.FAILED],
        P.READY: [P.OPTIMIZING, P.PUBLISHED],
        P.FAILED: [P.OPTIMIZING],
        P.PUBLISHED: [],
    },
    reason_required=frozenset({P.FAILED}),
)


class Plan(models.Model):
    """One plan per station and service date, re-planned in place until it is published."""

    station = models.ForeignKey(Station, on_delete=models.PROTECT, related_name="plans")
    service_date = models.DateField()
    status = models.CharField(max_length=16, choices=PlanStatus.choices, default=PlanStatus.DRAFT)
    failure_reason = models.TextField(blank=True)
    status_changed_at = models.DateTimeField(default=timezone.now)
    distance_m = models.BigIntegerField(default=0)
    duration_s = models.BigIntegerField(default=0)
    solver_seconds = models.FloatField(default=0)
    sectors = models.PositiveIntegerField(default=0)
    # What the solve needs to be saved: each solver stop's packages (kept while optimizing).
    context = models.JSONField(default=dict, blank=True)
    published_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-service_date", "station"]
        constraints = [
            models.UniqueConstraint(fields=["station", "service_date"], name="routes_one_plan_per_station_day",
                violation_error_message=_("This station already has a plan for that day.")),
            models.UniqueConstraint(fields=["station", "service_date"], condition=Q(status="published"),
                                    name="routes_one_published_plan_per_station_day",
                violation_error_message=_("This station already has a published plan for that day.")),
        ]

    def __str__(self):
        return f"{self.station.code} {self.service_date}"


class PlanEvent(TransitionLog):
    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="events")

    class Meta(TransitionLog.Meta):
        pass


class RouteStatus(models.TextChoices):
    READY = "ready", _("Not started")
    STARTED = "started", _("On the road")
    COMPLETED = "completed", _("Completed")


ROUTE_WORKFLOW = Workflow(transitions={
    RouteStatus.READY: [RouteStatus.STARTED],
    RouteStatus.STARTED: [RouteStatus.COMPLETED],
    RouteStatus.COMPLETED: [],
})


class Route(models.Model):
    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="routes")
    service_date = models.DateField()
    sequence = models.PositiveIntegerField()
    partner = models.ForeignKey("onboarding.Partner", null=True, blank=True, on_delete=models.PROTECT,
                                related_name="routes")
    driver = models.ForeignKey("fleet.Driver", null=True, blank=True, on_delete=models.PROTECT, related_name="routes")
    vehicle = models.ForeignKey("fleet.Vehicle", null=True, blank=True, on_delete=models.PROTECT,
                                related_name="routes")
    capacity = models.PositiveIntegerField(default=0, help_text=_("The van capacity the plan counted on."))
    distance_m = models.PositiveIntegerField(default=0)
    duration_s = models.PositiveIntegerField(default=0)
    load = models.PositiveIntegerField(default=0)
    start_s = models.PositiveIntegerField(default=0)
    end_s = models.PositiveIntegerField(default=0)
    stop_count = models.PositiveIntegerField(default=0)
    late_stops = models.PositiveIntegerField(default=0)
    status = models.CharField(max_length=16, choices=RouteStatus.choices, default=RouteStatus.READY)
    started_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    # The break the hours rule keeps inside a long route (counted in duration_s and end_s), and when it starts.
    break_s = models.PositiveIntegerField(default=0)
    break_start_s = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["plan", "sequence"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "sequence"], name="routes_route_sequence_unique",
                violation_error_message=_("Two routes of a plan cannot have the same number.")),
            models.UniqueConstraint(fields=["service_date", "driver"], condition=Q(driver__isnull=False),
                                    name="routes_one_route_per_driver_per_day",
                violation_error_message=_("This driver already has a route that day.")),
            models.UniqueConstraint(fields=["service_date", "vehicle"], condition=Q(vehicle__isnull=False),
                                    name="routes_one_route_per_van_per_day",
                violation_error_message=_("This van already has a route that day.")),
        ]
        indexes = [models.Index(fields=["partner", "service_date"], name="routes_route_partner_day")]

    def __str__(self):
        return f"{self.plan} · route {self.sequence}"

    @property
    def code(self) -> str:
        return f"{self.plan.station.code.upper()}-{self.sequence:02d}"

    @property
    def break_label(self) -> str:
        """The route's break as the pages show it ("12:30, 30 min"), "" for a route short enough to need none."""
        if not self.break_s or self.break_start_s is None:
            return ""
        at = self.break_start_s
        return _("break %(at)s, %(n)s min") % {"at": f"{at // 3600:02d}:{at % 3600 // 60:02d}", "n": self.break_s // 60}


class RouteEvent(TransitionLog):
    """The driver's day on a route: started, completed."""

    route = models.ForeignKey(Route, on_delete=models.CASCADE, related_name="events")

    class Meta(TransitionLog.Meta):
        pass


class StopKind(models.TextChoices):
    ADDRESS = "address", _("Address")
    HUB = "hub", _("Hub")


class StopStatus(models.TextChoices):
    PENDING = "pending", _("To do")
    DELIVERED = "delivered", _("Delivered")
    ATTEMPTED = "attempted", _("Attempted")


class RouteStop(models.Model):
    route = models.ForeignKey(Route, on_delete=models.CASCADE, related_name="stops")
    sequence = models.PositiveIntegerField()
    kind = models.CharField(max_length=8, choices=StopKind.choices, default=StopKind.ADDRESS)
    hub = models.ForeignKey("hubs.Hub", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    latitude = models.DecimalField(max_digits=9, decimal_places=6)
    longitude = models.DecimalField(max_digits=9, decimal_places=6)
    address = models.CharField(max_length=300)
    recipient = models.CharField(max_length=200, blank=True)
    package_count = models.PositiveIntegerField(default=1)
    window_start_s = models.PositiveIntegerField(null=True, blank=True)
    window_end_s = models.PositiveIntegerField(null=True, blank=True)
    service_s = models.PositiveIntegerField(default=0)
    planned_arrival_s = models.PositiveIntegerField(default=0)
    late = models.BooleanField(default=False)
    signature_required = models.BooleanField(default=False)
    status = models.CharField(max_length=16, choices=StopStatus.choices, default=StopStatus.PENDING)
    attempt_reason = models.CharField(max_length=20, choices=AttemptReason.choices, blank=True)
    note = models.CharField(max_length=300, blank=True)
    photo = PrivateFileField(prefix="routes/proof", blank=True)
    outcome_at = models.DateTimeField(null=True, blank=True)
    outcome_client_id = models.UUIDField(null=True, blank=True, unique=True)

    class Meta:
        ordering = ["route", "sequence"]
        constraints = [models.UniqueConstraint(fields=["route", "sequence"], name="routes_stop_sequence_unique",
                violation_error_message=_("Two stops of a route cannot have the same number."))]

    def __str__(self):
        return f"{self.sequence}. {self.address}"


class RouteTouch(models.Model):
    """A committed write to a route's stops, or to what its stop list shows of their packages, written by the
    database itself: PostgreSQL triggers (migration 0012) add a row for each route a transaction touched (a stop
    inserted, updated or deleted; a package inserted or deleted on one of its stops, moved on or off one, or given
    another tracking id or day), once a transaction, with a random mark. The sum of a route's marks is a version of
    its stop list that changes with every committed write whatever code path makes it (the ORM, bulk SQL, COPY,
    psql) and with nothing else: `routes.api.stops` keeps the route's stops JSON under it. Nothing in Python writes
    these rows; a deleted route's go with it. None on SQLite, where nothing is kept."""

    route_id = models.BigIntegerField()
    tx = models.BigIntegerField()  # the writing transaction's txid_current(): one row a route a transaction
    mark = models.BigIntegerField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["route_id", "tx"], name="routes_touch_once_a_transaction")]

    def __str__(self):
        return f"route {self.route_id}, transaction {self.tx}"


S = StopStatus
STOP_WORKFLOW = Workflow(transitions={
    S.PENDING: [S.DELIVERED, S.ATTEMPTED],
    S.DELIVERED: [S.PENDING],  # undo of the last tap, for a short while
    S.ATTEMPTED: [S.PENDING],
})


class StopEvent(TransitionLog):
    """Every outcome of a stop and every undo, with who and when (the phone's time in `occurred_at`)."""

    stop = models.ForeignKey(RouteStop, on_delete=models.CASCADE, related_name="events")
    client_id = models.UUIDField(null=True, blank=True)
    occurred_at = models.DateTimeField(null=True, blank=True)

    class Meta(TransitionLog.Meta):
        pass


class ProofRule(models.Model):
    """Proof of delivery as program data: what a delivery must carry, for every stop or for the stops whose
    packages say so (signature required, age check, a PIN). An admin edits these; the driver's phone and the
    server both read them, and the server refuses a delivery without what the rules demand."""

    class AppliesTo(models.TextChoices):
        ALL = "all", _("Every delivery")
        SIGNATURE = "signature_required", _("Packages marked signature required")
        AGE = "age_check", _("Packages marked age check")
        PIN = "pin", _("Packages with a delivery PIN")

    name = models.CharField(max_length=120)
    applies_to = models.CharField(max_length=24, choices=AppliesTo.choices)
    photo = models.BooleanField(_("photo required"), default=False)
    signature = models.BooleanField(_("signature on the screen"), default=False)
    pin = models.BooleanField(_("recipient's PIN"), default=False)
    age_check = models.BooleanField(_("age check (ID seen)"), default=False)
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["applies_to", "name"]

    def __str__(self):
        return self.name


class ProofKind(models.TextChoices):
    PHOTO = "photo", _("Photo")
    SIGNATURE = "signature", _("Signature")
    PIN = "pin", _("PIN")
    AGE_CHECK = "age_check", _("Age check")


class ProofStatus(models.TextChoices):
    RECORDED = "recorded", _("Recorded")
    REJECTED = "rejected", _("Rejected by an admin")
    VOID = "void", _("Void (the outcome was undone)")


class StopProof(models.Model):
    """One piece of proof of delivery taken at a stop. An admin may reject it later (POD compliance counts
    stops whose required proof is all recorded and none rejected)."""

    stop = models.ForeignKey(RouteStop, on_delete=models.CASCADE, related_name="proofs")
    kind = models.CharField(max_length=16, choices=ProofKind.choices)
    required = models.BooleanField(default=False, help_text=_("A proof rule demanded it."))
    file = PrivateFileField(prefix="routes/pod", blank=True)
    detail = models.CharField(max_length=200, blank=True, help_text=_("what was checked (never the PIN itself)"))
    status = models.CharField(max_length=16, choices=ProofStatus.choices, default=ProofStatus.RECORDED)
    taken_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                 related_name="+")
    taken_at = models.DateTimeField(default=timezone.now)
    client_id = models.UUIDField(null=True, blank=True, help_text=_("the outcome item that carried it"))
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    reviewed_at = models.DateTimeField(null=True, blank=True)
    review_note = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["stop", "kind", "id"]
        indexes = [models.Index(fields=["stop", "status"], name="routes_proof_stop_status")]

    def __str__(self):
        return f"{self.stop_id} {self.kind} ({self.status})"


class ContactChannel(models.TextChoices):
    CALL = "call", _("Call")
    TEXT = "text", _("Text")


class StopContact(models.Model):
    """The driver called or texted a stop's recipient through the platform (the number stays hidden)."""

    stop = models.ForeignKey(RouteStop, on_delete=models.CASCADE, related_name="contacts")
    channel = models.CharField(max_length=8, choices=ContactChannel.choices)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                           related_name="+")
    occurred_at = models.DateTimeField(default=timezone.now, help_text=_("when the driver tapped (phone clock)"))
    created_at = models.DateTimeField(default=timezone.now)
    client_id = models.UUIDField(null=True, blank=True)

    class Meta:
        ordering = ["stop", "occurred_at", "id"]

    def __str__(self):
        return f"{self.stop_id} {self.channel} {self.occurred_at:%H:%M}"


class ScanKind(models.TextChoices):
    LOAD = "load", _("Load-out")
    DELIVERY = "delivery", _("At the stop")
    RETURN = "return", _("Returned to station")


class ScanResult(models.TextChoices):
    OK = "ok", _("On this route")
    NOT_ON_ROUTE = "not_on_route", _("Not on this route")
    WRONG_STOP = "wrong_stop", _("Not for this stop")
    NOT_RETURNABLE = "not_returnable", _("Nothing to return")


class PackageScan(models.Model):
    """A package scanned by the driver (camera or keyboard-wedge scanner): at load-out, at the stop, at the
    station on return. A code that is not on the route is kept too, with its result."""

    route = models.ForeignKey(Route, on_delete=models.CASCADE, related_name="scans")
    package = models.ForeignKey(Package, null=True, blank=True, on_delete=models.SET_NULL, related_name="scans")
    stop = models.ForeignKey(RouteStop, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    code = models.CharField(max_length=64)
    kind = models.CharField(max_length=16, choices=ScanKind.choices)
    result = models.CharField(max_length=16, choices=ScanResult.choices)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                           related_name="+")
    occurred_at = models.DateTimeField(default=timezone.now)
    created_at = models.DateTimeField(default=timezone.now)
    client_id = models.UUIDField(null=True, blank=True)

    class Meta:
        ordering = ["route", "occurred_at", "id"]
        indexes = [models.Index(fields=["route", "kind"], name="routes_scan_route_kind")]

    def __str__(self):
        return f"{self.code} {self.kind} {self.result}"


class Unassigned(models.Model):
    """A package the plan could not put on a route, with the solver's reason code."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="unassigned")
    package = models.ForeignKey(Package, on_delete=models.CASCADE, related_name="+")
    reason = models.CharField(max_length=32)
    detail = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["plan", "package"]

    def __str__(self):
        return f"{self.package_id}: {self.reason}"


class RouteChange(models.Model):
    """What changed on a route after its plan was published (the driver is told)."""

    route = models.ForeignKey(Route, on_delete=models.CASCADE, related_name="changes")
    kind = models.CharField(max_length=32)
    detail = models.CharField(max_length=500)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"{self.route_id}: {self.detail}"


class PlanningNight(models.Model):
    """One nightly batch: every active station's tomorrow planned on the workers, one PlanningRun each.
    One per night (the program's service day it started on); starting it again adds only missing stations."""

    class Status(models.TextChoices):
        RUNNING = "running", _("Running")
        FINISHED = "finished", _("Finished")

    night_of = models.DateField(unique=True, help_text=_("The program's service day the night started on."))
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.RUNNING)
    stations = models.PositiveIntegerField(default=0)
    started_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-night_of"]

    def __str__(self):
        return f"night of {self.night_of}"


class PlanningRun(models.Model):
    """One station's night in the nightly batch: what happened, for the admins' page.

    queued -> running (solving on `worker`; the plan's job holds the progress) -> planned / skipped / failed.
    A failure or a dead worker sends it back to queued until ROUTES_NIGHT_ATTEMPTS attempts are spent."""

    class Result(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Solving")
        PLANNED = "planned", _("Saved")
        SKIPPED = "skipped", _("Skipped (already published)")
        FAILED = "failed", _("Failed")

    ACTIVE = (Result.QUEUED, Result.RUNNING)

    night = models.ForeignKey(PlanningNight, null=True, blank=True, on_delete=models.CASCADE, related_name="runs")
    station = models.ForeignKey(Station, on_delete=models.CASCADE, related_name="runs")
    service_date = models.DateField()
    plan = models.ForeignKey(Plan, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    result = models.CharField(max_length=16, choices=Result.choices, default=Result.RUNNING)
    detail = models.TextField(blank=True)
    routes = models.PositiveIntegerField(default=0)
    packages = models.PositiveIntegerField(default=0)
    attempts = models.PositiveSmallIntegerField(default=0)
    worker = models.CharField(max_length=200, blank=True, help_text=_("The Celery worker (host and process)."))
    started_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-started_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["night", "station"], condition=Q(night__isnull=False),
                                               name="routes_run_one_per_station_per_night",
                violation_error_message=_("This station is already in that night's run."))]
        indexes = [models.Index(fields=["night", "result"], name="routes_run_night_result")]

    def __str__(self):
        return f"{self.station_id} {self.service_date}: {self.result}"


class ManifestUpload(models.Model):
    """An uploaded manifest, kept until its import job has read it: the page's CSV file or the API's JSON rows.
    The bytes are dropped once the rows are imported or refused (a job whose worker died keeps them, so it can
    be run again); the row stays as the record of who uploaded what."""

    class Format(models.TextChoices):
        CSV = "csv", "CSV"
        JSON = "json", "JSON"

    station = models.ForeignKey(Station, on_delete=models.PROTECT, related_name="manifest_uploads")
    service_date = models.DateField()
    format = models.CharField(max_length=8, choices=Format.choices, default=Format.CSV)
    name = models.CharField(max_length=200, blank=True, help_text="the file's name as uploaded (shown, never a path)")
    content = models.BinaryField(null=True, blank=True, editable=False)  # gzip-packed: manifest_jobs._packed
    size = models.PositiveIntegerField(default=0)
    rows = models.PositiveIntegerField(default=0)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    job = models.ForeignKey("core.Job", null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
                            help_text="the latest import job of this upload")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["station", "service_date"], name="manifest_upload_day_idx")]

    def __str__(self):
        return f"{self.station_id} {self.service_date} {self.name or self.format}"


# --- The day's operations: positions, the live board's settings, recipients ----------------------------------------


class LiveSettings(models.Model):
    """One row: the program's rules for live dispatch and recipients (an admin edits them in the Django admin)."""

    track_retention_days = models.PositiveIntegerField(
        _("keep drivers' tracks (days)"), default=30, validators=[MinValueValidator(1), MaxValueValidator(400)],
        help_text=_("Positions older than this are deleted every night."))
    silent_after_minutes = models.PositiveIntegerField(
        _("silent phone after (minutes)"), default=10, validators=[MinValueValidator(1), MaxValueValidator(240)])
    behind_after_minutes = models.PositiveIntegerField(
        _("behind schedule after (minutes)"), default=15, validators=[MinValueValidator(1), MaxValueValidator(600)])
    nearby_stops = models.PositiveIntegerField(
        _("\"a few stops away\" (stops)"), default=3, validators=[MinValueValidator(1), MaxValueValidator(30)])

    class Meta:
        verbose_name = verbose_name_plural = _("live dispatch settings")

    def __str__(self):
        return "Live dispatch settings"

    @classmethod
    def load(cls) -> "LiveSettings":
        row, _created = cls.objects.get_or_create(pk=1)
        return row


class RoutePosition(models.Model):
    """One GPS fix from the driver's phone while the route runs. The phone stamps each fix; a fix sent twice
    (an offline queue replayed) is one row, and the track reads in the order the phone recorded it."""

    id = models.BigAutoField(primary_key=True)
    route = models.ForeignKey(Route, on_delete=models.CASCADE, related_name="positions")
    recorded_at = models.DateTimeField()
    latitude = models.FloatField()
    longitude = models.FloatField()
    accuracy_m = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["route", "recorded_at"]
        constraints = [models.UniqueConstraint(fields=["route", "recorded_at"], name="routes_position_once",
                violation_error_message=_("This position was already received."))]
        indexes = [models.Index(fields=["recorded_at"], name="routes_position_age")]

    def __str__(self):
        return f"{self.route_id}@{self.recorded_at:%H:%M:%S}"


class NotificationTrigger(models.TextChoices):
    ROUTE_STARTED = "route_started", _("The route started")
    NEARBY = "nearby", _("The driver is a few stops away")
    DELIVERED = "delivered", _("Delivered")
    ATTEMPTED = "attempted", _("Delivery attempted")


class RecipientNotification(models.Model):
    """One message to a package's recipient for one trigger on one channel: the row makes it once."""

    class Channel(models.TextChoices):
        EMAIL = "email", _("E-mail")
        SMS = "sms", _("SMS")

    package = models.ForeignKey(Package, on_delete=models.CASCADE, related_name="notifications")
    trigger = models.CharField(max_length=16, choices=NotificationTrigger.choices)
    channel = models.CharField(max_length=8, choices=Channel.choices)
    to = models.CharField(max_length=254)
    body = models.TextField()
    sent_at = models.DateTimeField(null=True, blank=True)
    error = models.CharField(max_length=300, blank=True)
    # The call that wrote the row: rows are inserted skipping those that exist, then this call sends what it wrote.
    batch = models.UUIDField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["package", "created_at", "id"]
        constraints = [models.UniqueConstraint(fields=["package", "trigger", "channel"], name="routes_notify_once",
                violation_error_message=_("This recipient was already told about that."))]

    def __str__(self):
        return f"{self.package_id} {self.trigger} {self.channel}"


class RecipientFeedback(models.Model):
    """What a recipient said about one package from its tracking page: a rating (1-5) with a comment, and/or
    "delivered, not received". One row per package (a second rating replaces the first); the partner's
    scorecard reads these by `partner` and `service_date`."""

    package = models.OneToOneField(Package, on_delete=models.CASCADE, related_name="feedback")
    stop = models.ForeignKey(RouteStop, null=True, blank=True, on_delete=models.SET_NULL, related_name="feedback")
    route = models.ForeignKey(Route, null=True, blank=True, on_delete=models.SET_NULL, related_name="feedback")
    partner = models.ForeignKey("onboarding.Partner", null=True, blank=True, on_delete=models.SET_NULL,
                                related_name="recipient_feedback")
    service_date = models.DateField()
    rating = models.PositiveSmallIntegerField(null=True, blank=True,
                                              validators=[MinValueValidator(1), MaxValueValidator(5)])
    comment = models.CharField(max_length=1000, blank=True)
    not_received = models.BooleanField(_("delivered, not received"), default=False)
    not_received_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [models.CheckConstraint(condition=Q(rating__isnull=True) | Q(rating__gte=1, rating__lte=5),
                                              name="routes_feedback_rating_1_5",
                violation_error_message=_("A rating is from 1 to 5 stars."))]
        indexes = [models.Index(fields=["partner", "service_date"], name="routes_feedback_partner_day")]

    def __str__(self):
        return f"{self.package_id}: {self.rating or '-'}{' DNR' if self.not_received else ''}"
