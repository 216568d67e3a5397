"""Enrollment and the hub's life: applied -> approved|rejected|waitlisted, approved -> active <-> paused."""

import re
import zoneinfo
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from accounts.models import Role
from accounts.services import user_set_role
from core.errors import NotFound, PermissionDenied, ValidationFailed
from core.places import point_problem, state_name, state_problem, state_zone, zone_problem
from core.workflow import transition
from hubs.models import (
    HUB_WORKFLOW,
    BusinessKind,
    DeliveryMeans,
    EligibleState,
    Hub,
    HubSettings,
    HubStatus,
    HubTransition,
    TargetCity,
)

WEEKDAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
DAY_LABELS = dict(zip(WEEKDAYS, [_lazy("Monday"), _lazy("Tuesday"), _lazy("Wednesday"), _lazy("Thursday"),
                                 _lazy("Friday"), _lazy("Saturday"), _lazy("Sunday")], strict=True))


@dataclass(frozen=True)
class Eligibility:
    eligible: bool
    reason: str = ""


def eligibility_check(*, state: str, city: str) -> Eligibility:
    """Eligible when the state is enabled and the city is one of its target cities."""
    state = (state or "").strip().upper()
    city = (city or "").strip()
    if not EligibleState.objects.filter(code=state, enabled=True).exists():
        return Eligibility(False, _("The program is not open in %(state)s yet.") % {"state": state or "?"})
    if not TargetCity.objects.filter(state=state, name__iexact=city, enabled=True).exists():
        return Eligibility(False, _("The program is not open in %(city)s, %(state)s yet.") % {"city": city,
                                                                                            "state": state})
    return Eligibility(True)


# A small shop's back room, and a small business's staff: beyond these the number is a typo.
MAX_STORAGE = 1_000
MAX_STAFF = 500
NO_OPEN_DAY = _lazy("Give the opening hours of at least one day: parcels arrive while you are open.")
_HOURS_RE = re.compile(r"^(\d{1,2}):(\d{2})\s*[-\u2013]\s*(\d{1,2}):(\d{2})$")


def hours_of_day_clean(day: str, text: str) -> str:
    """'' (closed) or "HH:MM-HH:MM" with opening before closing; else a sentence on the field."""
    text, day = (text or "").strip(), DAY_LABELS.get(day, day)
    if text.lower() in ("", "closed"):
        return ""
    match = _HOURS_RE.match(text)
    if not match:
        _fail("opening_hours", _("Write the hours of %(day)s as opening-closing, such as 09:00-18:00, or leave it "
                                 "empty when closed.") % {"day": day})
    oh, om, ch, cm = (int(g) for g in match.groups())
    if oh > 23 or ch > 24 or om > 59 or cm > 59 or (ch == 24 and cm):
        _fail("opening_hours", _("%(day)s: %(text)s is not a time of day.") % {"day": day, "text": text})
    if (oh, om) >= (ch, cm):
        _fail("opening_hours", _("%(day)s: the shop must open before it closes.") % {"day": day})
    return f"{oh:02d}:{om:02d}-{ch:02d}:{cm:02d}"


def opening_hours_clean(hours) -> dict:
    """{"mon": "09:00-18:00", ..., "sun": ""}: parcels are received in opening hours, so at least one day is open."""
    hours = hours or {}
    if not isinstance(hours, dict) or set(hours) - set(WEEKDAYS):
        _fail("opening_hours", _("Opening hours are given per weekday (mon ... sun)."))
    out = {day: hours_of_day_clean(day, str(hours.get(day) or "")) for day in WEEKDAYS}
    if not any(out.values()):
        _fail("opening_hours", NO_OPEN_DAY)
    return out


def _fail(field, message, code="validation_failed"):
    raise ValidationFailed(message, code=code, fields={field: [message]})


def _coordinate(value, *, field, limit):
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError, TypeError):
        _fail(field, _("Enter a number in decimal degrees."))
    if not number.is_finite() or abs(number) > limit:
        _fail(field, _("Must be between -%(limit)s and %(limit)s.") % {"limit": limit})
    return number.quantize(Decimal("0.000001"))


def _clean(data: dict) -> dict:
    required = ["legal_name", "kind", "street", "city", "state", "postal_code"]
    out = {name: str(data.get(name) or "").strip() for name in required}
    for name in required:
        if not out[name]:
            _fail(name, _("This field is required."))
    out["state"] = out["state"].upper()
    if problem := state_problem(out["state"]):
        _fail("state", problem)
    if out["kind"] not in BusinessKind.values:
        _fail("kind", _("Choose a kind of business."))
    out["latitude"] = _coordinate(data.get("latitude"), field="latitude", limit=90)
    out["longitude"] = _coordinate(data.get("longitude"), field="longitude", limit=180)
    if problem := point_problem(state=out["state"], latitude=out["latitude"], longitude=out["longitude"]):
        _fail("latitude", problem)
    # Left out, the zone is the state's own (a Seattle shop is on Pacific time); a multi-zone state must say which.
    out["time_zone"] = str(data.get("time_zone") or state_zone(out["state"]))
    if not out["time_zone"]:
        _fail("time_zone", _("%(state)s spans more than one time zone: choose the shop's.") % {
            "state": state_name(out["state"])})
    if out["time_zone"] not in zoneinfo.available_timezones():
        _fail("time_zone", _("Unknown time zone."))
    if problem := zone_problem(state=out["state"], time_zone=out["time_zone"]):
        _fail("time_zone", problem)
    out["opening_hours"] = opening_hours_clean(data.get("opening_hours"))
    if not data.get("storage_attested"):
        _fail("storage_attested", _("Confirm that parcels are kept in a secure storage area."))
    try:
        out["storage_size"] = int(data.get("storage_size"))
        out["staff_count"] = int(data.get("staff_count") or 1)
    except (TypeError, ValueError):
        _fail("storage_size", _("Enter a whole number."))
    if out["storage_size"] < 1:
        _fail("storage_size", _("The storage area must hold at least one package."))
    if out["storage_size"] > MAX_STORAGE:
        _fail("storage_size", _("A hub's storage holds at most %(n)s packages.") % {"n": MAX_STORAGE})
    if out["staff_count"] < 1:
        _fail("staff_count", _("At least one person works at the business."))
    if out["staff_count"] > MAX_STAFF:
        _fail("staff_count", _("A hub is a small business: at most %(n)s staff.") % {"n": MAX_STAFF})
    means = data.get("delivery_means") or []
    if not means or set(means) - set(DeliveryMeans.values):
        _fail("delivery_means", _("Choose how parcels are delivered."))
    out["delivery_means"] = sorted(set(means))
    if not data.get("terms_accepted"):
        _fail("terms_accepted", _("You must agree to the program terms."))
    return out


def hub_enroll(*, owner, data: dict, join_waitlist: bool = False) -> Hub:
    """Create an enrollment. Outside the program's area it is refused unless the owner joins the waitlist."""
    fields = _clean(data)
    verdict = eligibility_check(state=fields["state"], city=fields["city"])
    if not verdict.eligible and not join_waitlist:
        raise ValidationFailed(verdict.reason, code="outside_program_area", fields={"city": [verdict.reason]})
    program = HubSettings.load()
    with transaction.atomic():
        hub = Hub.objects.create(
            owner=owner, **fields, terms_accepted_at=timezone.now(), eligible_at_enrollment=verdict.eligible,
            capacity=min(program.default_capacity, fields["storage_size"]), radius_miles=program.default_radius_miles,
        )
        HubTransition.objects.create(hub=hub, actor=owner if owner.is_authenticated else None, from_status="",
                                     to_status=HubStatus.APPLIED, note="enrolled")
        if not verdict.eligible:
            hub = transition(instance=hub, to=HubStatus.WAITLISTED, workflow=HUB_WORKFLOW, log_model=HubTransition,
                             subject_field="hub", note=verdict.reason)
        if owner.role == Role.APPLICANT:
            user_set_role(user=owner, role=Role.HUB_OWNER)
    return hub


DECISIONS = {HubStatus.APPROVED, HubStatus.REJECTED, HubStatus.WAITLISTED, HubStatus.ACTIVE, HubStatus.PAUSED,
             HubStatus.OFFBOARDED}


def hub_decide(*, hub: Hub, to: str, decided_by, note: str = "") -> Hub:
    """An admin's decision or status change; every one is on the hub's log."""
    if to not in DECISIONS:
        raise ValidationFailed(_("Unknown decision."), code="unknown_decision", fields={"decision": ["invalid"]})
    changes = {"decided_at": timezone.now(), "decided_by": decided_by, "decision_note": note} if to in {
        HubStatus.APPROVED, HubStatus.REJECTED, HubStatus.WAITLISTED} else {}
    return transition(instance=hub, to=to, workflow=HUB_WORKFLOW, log_model=HubTransition, subject_field="hub",
                      actor=decided_by, note=note, changes=changes)


def hub_owner_set_paused(*, hub: Hub, owner, paused: bool) -> Hub:
    """The owner pauses the hub for a vacation, or comes back."""
    if hub.owner_id != owner.pk:
        raise NotFound()
    if hub.status not in (HubStatus.ACTIVE, HubStatus.PAUSED):
        raise PermissionDenied(_("Only an active hub can pause or resume."), code="hub_not_active")
    target = HubStatus.PAUSED if paused else HubStatus.ACTIVE
    if hub.status == target:
        return hub
    return transition(instance=hub, to=target, workflow=HUB_WORKFLOW, log_model=HubTransition, subject_field="hub",
                      actor=owner, note="owner")
