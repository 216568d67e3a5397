"""The daily expiry job: reminders 30, 7 and 1 days before a policy or licence expires, and grounding of vans
whose insurance lapsed. Safe to run twice: reminders are rows under a unique constraint, and a grounded van is no
longer in service, so the second run finds nothing to do."""

import logging
from datetime import date, timedelta

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from core.errors import InvalidTransition
from core.mail import mail_queue
from fleet.models import Driver, ExpiryReminder, InsurancePolicy, Vehicle

logger = logging.getLogger(__name__)

REMINDER_DAYS = (30, 7, 1)


def reminder_threshold(days_left: int) -> int | None:
    """The reminder due with `days_left` days to go: the smallest threshold not yet passed.

    Run daily this sends the 30-, 7- and 1-day reminders on their day; after a missed day it sends the one due
    now, never a burst of stale ones."""
    if days_left < 0:
        return None
    due = [t for t in REMINDER_DAYS if days_left <= t]
    return min(due) if due else None


def _partner_emails(partner_ids) -> dict[int, list[str]]:
    out: dict[int, list[str]] = {}
    from onboarding.models import PartnerMembership

    for m in PartnerMembership.objects.filter(partner_id__in=partner_ids).select_related("user"):
        if m.user.is_active:
            out.setdefault(m.partner_id, []).append(m.user.email)
    return out


def _renewed(policy, policies) -> bool:
    return any(p.pk != policy.pk and p.coverage == policy.coverage and p.partner_id == policy.partner_id
               and p.expires_on > policy.expires_on and p.effective_on <= policy.expires_on + timedelta(days=1)
               for p in policies)


def _due_items(on_date: date):
    until = on_date + timedelta(days=max(REMINDER_DAYS))
    policies = list(InsurancePolicy.objects.filter(expires_on__gte=on_date, expires_on__lte=until + timedelta(
        days=400)).select_related("partner"))
    for policy in policies:
        if policy.expires_on <= until and not _renewed(policy, policies):
            yield (ExpiryReminder.Subject.POLICY, policy, policy.partner, policy.expires_on, str(policy), [])
    drivers = (Driver.objects.filter(licence_expires_on__gte=on_date, licence_expires_on__lte=until)
               .exclude(status=Driver.Status.OFFBOARDED).select_related("partner"))
    for driver in drivers:
        label = _("%(name)s's driving licence") % {"name": driver.full_name}
        yield (ExpiryReminder.Subject.LICENCE, driver, driver.partner, driver.licence_expires_on, label,
               [driver.email] if driver.email else [])


def _queue(reminder, label, days_left, partner_name):
    """Written to the outbox with the reminder row (core.mail); keyed by it, so a re-run never mails twice."""
    mail_queue(
        to=reminder.recipients, dedupe_key=f"expiry-reminder:{reminder.pk}",
        subject=_("[DSP Portal] %(what)s expires in %(n)d day(s)") % {"what": label, "n": days_left},
        body=_("%(what)s (%(p)s) expires on %(d)s. Renew it before then: vans without current cover are "
               "grounded and drivers without a current licence cannot be assigned routes.")
        % {"what": label, "p": partner_name, "d": reminder.expires_on.isoformat()})


def expiry_reminders_send(*, on_date: date) -> int:
    items = list(_due_items(on_date))
    emails = _partner_emails({item[2].pk for item in items})
    sent = 0
    for subject, obj, partner, expires_on, label, extra in items:
        days_left = (expires_on - on_date).days
        threshold = reminder_threshold(days_left)
        if threshold is None:
            continue
        recipients = sorted(set(emails.get(partner.pk, []) + extra))
        try:
            with transaction.atomic():
                reminder, created = ExpiryReminder.objects.get_or_create(
                    subject=subject, subject_id=obj.pk, expires_on=expires_on, days_before=threshold,
                    defaults={"partner": partner, "recipients": recipients})
                if created and recipients:
                    _queue(reminder, label, days_left, partner.legal_name)
        except IntegrityError:
            continue  # a concurrent run sent it
        sent += int(created)
    return sent


def lapsed_vehicles_ground(*, on_date: date) -> int:
    """Ground every van in service whose auto liability or cargo cover is not current, saying why."""
    from fleet.selectors import fleet_compliance_many
    from fleet.services.vehicles import vehicle_transition

    partner_ids = (Vehicle.objects.filter(status__in=Vehicle.IN_SERVICE).values_list("partner_id", flat=True)
                   .distinct().order_by())
    reports = fleet_compliance_many(partner_ids=partner_ids, on_date=on_date)
    grounded = 0
    vehicles = Vehicle.objects.in_bulk([vid for r in reports.values() for vid in r.vehicles])
    for report in reports.values():
        for vehicle_id, problems in report.vehicles.items():
            reasons = "; ".join(sorted({p.code.removeprefix("no_").replace("_", " ") for p in problems}))
            note = _("Insurance lapsed on %(d)s: no current %(c)s cover. Grounded automatically.") % {
                "d": on_date.isoformat(), "c": reasons}
            try:
                vehicle_transition(vehicle=vehicles[vehicle_id], to=Vehicle.Status.GROUNDED, note=note, by=None)
            except InvalidTransition:
                continue  # changed status meanwhile (already grounded or retired)
            grounded += 1
    return grounded


def fleet_expiry_run(*, on_date: date) -> dict:
    reminders = expiry_reminders_send(on_date=on_date)
    grounded = lapsed_vehicles_ground(on_date=on_date)
    logger.info("fleet expiry run for %s: %s reminders, %s vans grounded", on_date, reminders, grounded)
    return {"reminders": reminders, "grounded": grounded}
