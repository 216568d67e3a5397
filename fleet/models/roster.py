"""The drivers' week: hours rules (program data), availability, shifts, time off and shift swaps.

A shift's start is a local time of day at the station the partner works from (one of its dispatch waves,
which the roster page offers); the station is kept as its id so the routes app can count shifts per station
without fleet importing routes (DESIGN.md: fleet sits below routes)."""

from datetime import date, datetime, timedelta

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.places import US_STATES
from core.workflow import TransitionLog, Workflow


class HoursRule(models.Model):
    """Hours-of-work rules for drivers in one state (blank state: the program's default)."""

    state = models.CharField(_("state"), max_length=2, choices=US_STATES, blank=True, unique=True,
                             help_text=_("Leave blank for the program's default rule."))
    max_day_minutes = models.PositiveIntegerField(_("most minutes worked in a day"), default=600,
                                                  validators=[MinValueValidator(60), MaxValueValidator(24 * 60)])
    max_week_minutes = models.PositiveIntegerField(_("most minutes worked in a week"), default=3600,
                                                   validators=[MinValueValidator(60), MaxValueValidator(7 * 24 * 60)])
    min_rest_minutes = models.PositiveIntegerField(_("least rest between shifts (minutes)"), default=600,
                                                   validators=[MaxValueValidator(24 * 60)])
    break_after_minutes = models.PositiveIntegerField(
        _("a break is due after (minutes)"), default=360, validators=[MinValueValidator(30)],
        help_text=_("A shift or route longer than this keeps a break inside it."))
    break_minutes = models.PositiveIntegerField(_("break length (minutes)"), default=30,
                                                validators=[MinValueValidator(5), MaxValueValidator(120)])

    class Meta:
        ordering = ["state"]

    def __str__(self):
        return self.state or str(_("Program default"))

    @property
    def label(self) -> str:
        return self.state or str(_("program default"))


class Availability(models.Model):
    """When a driver can work: a recurring weekday (the pattern) or one date (an exception that wins)."""

    driver = models.ForeignKey("fleet.Driver", on_delete=models.CASCADE, related_name="availability")
    weekday = models.PositiveSmallIntegerField(null=True, blank=True, validators=[MaxValueValidator(6)],
                                               help_text=_("0 = Monday … 6 = Sunday"))
    date = models.DateField(null=True, blank=True)
    available = models.BooleanField(default=True)
    note = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["driver", "date", "weekday"]
        constraints = [
            models.CheckConstraint(condition=Q(date__isnull=True) ^ Q(weekday__isnull=True),
                                   name="fleet_availability_date_xor_weekday",
                violation_error_message=_("Give either a date or a weekday, not both.")),
            models.UniqueConstraint(fields=["driver", "weekday"], condition=Q(weekday__isnull=False),
                                    name="fleet_availability_one_per_weekday",
                violation_error_message=_("This driver already has an entry for that weekday.")),
            models.UniqueConstraint(fields=["driver", "date"], condition=Q(date__isnull=False),
                                    name="fleet_availability_one_per_date",
                violation_error_message=_("This driver already has an entry for that date.")),
        ]

    def __str__(self):
        return f"{self.driver_id}: {self.date or self.weekday} {'yes' if self.available else 'no'}"


class Shift(models.Model):
    """One driver's work on one day: a start time from the station's waves, a length, a break inside."""

    partner = models.ForeignKey("onboarding.Partner", on_delete=models.CASCADE, related_name="shifts")
    driver = models.ForeignKey("fleet.Driver", on_delete=models.CASCADE, related_name="shifts")
    day = models.DateField(_("day"))
    starts_at = models.TimeField(_("starts at"))
    minutes = models.PositiveIntegerField(_("length (minutes)"),
                                          validators=[MinValueValidator(60), MaxValueValidator(16 * 60)])
    break_minutes = models.PositiveIntegerField(_("break (minutes)"), default=0,
                                                validators=[MaxValueValidator(120)])
    # The routes app's Station id (no foreign key: fleet does not know routes).
    station_id = models.PositiveIntegerField(null=True, blank=True)
    # The state whose hours rules the shift is held to (the station's; blank: the partner's region's).
    state = models.CharField(_("state"), max_length=2, choices=US_STATES, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["day", "starts_at", "driver"]
        constraints = [
            models.UniqueConstraint(fields=["driver", "day"], name="fleet_shift_one_per_driver_day",
                violation_error_message=_("This driver already has a shift that day.")),
            models.CheckConstraint(condition=Q(break_minutes__lt=F("minutes")), name="fleet_shift_break_inside",
                violation_error_message=_("The break must be shorter than the shift.")),
        ]
        indexes = [models.Index(fields=["partner", "day"], name="fleet_shift_partner_day")]

    def __str__(self):
        return f"{self.driver_id} {self.day} {self.starts_at:%H:%M}+{self.minutes}m"

    @property
    def start(self) -> datetime:
        return datetime.combine(self.day, self.starts_at)

    @property
    def end(self) -> datetime:
        return self.start + timedelta(minutes=self.minutes)

    @property
    def worked_minutes(self) -> int:
        return self.minutes - self.break_minutes


class TimeOff(models.Model):
    class Status(models.TextChoices):
        REQUESTED = "requested", _("Requested")
        APPROVED = "approved", _("Approved")
        DECLINED = "declined", _("Declined")
        CANCELLED = "cancelled", _("Cancelled")

    partner = models.ForeignKey("onboarding.Partner", on_delete=models.CASCADE, related_name="time_off")
    driver = models.ForeignKey("fleet.Driver", on_delete=models.CASCADE, related_name="time_off")
    first_day = models.DateField(_("first day"))
    last_day = models.DateField(_("last day"))
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.REQUESTED, db_index=True)
    status_changed_at = models.DateTimeField(default=timezone.now)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-first_day", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(last_day__gte=F("first_day")), name="fleet_timeoff_days_in_order",
                violation_error_message=_("The last day cannot be before the first.")),
        ]

    def __str__(self):
        return f"{self.driver_id}: {self.first_day}–{self.last_day} ({self.status})"

    def covers(self, day: date) -> bool:
        return self.first_day <= day <= self.last_day


T = TimeOff.Status
TIME_OFF_WORKFLOW = Workflow(
    transitions={T.REQUESTED: [T.APPROVED, T.DECLINED, T.CANCELLED], T.APPROVED: [T.CANCELLED],
                 T.DECLINED: [], T.CANCELLED: []},
    reason_required=frozenset(),
)


class TimeOffEvent(TransitionLog):
    time_off = models.ForeignKey(TimeOff, on_delete=models.CASCADE, related_name="events")

    class Meta(TransitionLog.Meta):
        pass


class ShiftSwap(models.Model):
    """A driver asks a colleague to take one of their shifts; the dispatcher decides."""

    class Status(models.TextChoices):
        REQUESTED = "requested", _("Requested")
        APPROVED = "approved", _("Approved")
        DECLINED = "declined", _("Declined")
        CANCELLED = "cancelled", _("Cancelled")

    partner = models.ForeignKey("onboarding.Partner", on_delete=models.CASCADE, related_name="shift_swaps")
    shift = models.ForeignKey(Shift, on_delete=models.CASCADE, related_name="swaps")
    from_driver = models.ForeignKey("fleet.Driver", on_delete=models.CASCADE, related_name="swaps_asked")
    to_driver = models.ForeignKey("fleet.Driver", on_delete=models.CASCADE, related_name="swaps_offered")
    note = models.CharField(_("note"), max_length=300, blank=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.REQUESTED, db_index=True)
    status_changed_at = models.DateTimeField(default=timezone.now)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["shift"], condition=Q(status="requested"),
                                    name="fleet_swap_one_open_per_shift",
                violation_error_message=_("This shift already has a swap waiting for the dispatcher.")),
        ]

    def __str__(self):
        return f"shift {self.shift_id}: {self.from_driver_id} → {self.to_driver_id} ({self.status})"


S = ShiftSwap.Status
SWAP_WORKFLOW = Workflow(
    transitions={S.REQUESTED: [S.APPROVED, S.DECLINED, S.CANCELLED], S.APPROVED: [], S.DECLINED: [],
                 S.CANCELLED: []},
    reason_required=frozenset(),
)


class ShiftSwapEvent(TransitionLog):
    swap = models.ForeignKey(ShiftSwap, on_delete=models.CASCADE, related_name="events")

    class Meta(TransitionLog.Meta):
        pass
