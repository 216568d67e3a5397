"""Demo onboarding for `manage.py seed_demo`: a draft, a veteran in review, an onboarded partner, and a queue.

Idempotent: each demo person's application is looked up by applicant before anything is made.
Rows are written directly (with their history) rather than through the services, so seeding sends
no e-mail and can place submissions in the past to show the queue's aging badges."""

from datetime import date, timedelta
from decimal import Decimal

from django.core.files.base import ContentFile
from django.utils import timezone

from accounts.demo import demo_user, ensure_user
from accounts.models import Role
from onboarding.models import (
    Application,
    ApplicationDocument,
    ApplicationEvent,
    BackgroundCheck,
    Partner,
    PartnerMembership,
    Region,
)
from onboarding.selectors import onboarding_settings

ADMIN = "admin@demo.dspportal.example"
APPLICANT = "applicant@demo.dspportal.example"
VETERAN = "veteran@demo.dspportal.example"
OWNER = "owner@demo.dspportal.example"
PARTNER_NAME = "Brooks Logistics LLC"

# (region, state, a city in it, a ZIP code there)
REGIONS = [("Atlanta Metro", "GA", "Atlanta", "30303"), ("Dallas–Fort Worth", "TX", "Arlington", "76010"),
           ("Phoenix Valley", "AZ", "Mesa", "85201"), ("Columbus", "OH", "Columbus", "43215")]
_PLACES = {name: (city, zip_code) for name, _state, city, zip_code in REGIONS}

# A tiny, valid one-page PDF standing in for every uploaded document.
DEMO_PDF = (b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Count 1/Kids[3 0 R]>>"
            b"endobj\n3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 612 792]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n")

S = Application.Status

# More applicants so the admin queue has depth: (e-mail, name, company, region, status, business days waiting, veteran)
QUEUE = [
    ("morgan.hale@demo.dspportal.example", "Morgan Hale", "Hale Route Services LLC", 1, S.SUBMITTED, 1, False),
    ("priya.nair@demo.dspportal.example", "Priya Nair", "Nair Last Mile Inc.", 2, S.SUBMITTED, 4, False),
    ("dwayne.carter@demo.dspportal.example", "Dwayne Carter", "Carter Freightways LLC", 0, S.IN_REVIEW, 8, True),
    ("lena.ortiz@demo.dspportal.example", "Lena Ortiz", "Ortiz Parcel Co.", 3, S.SUBMITTED, 12, False),
    ("sam.okafor@demo.dspportal.example", "Sam Okafor", "Okafor Delivery Group LLC", 1, S.NEEDS_INFO, 6, False),
]


def _regions():
    return [Region.objects.get_or_create(name=name, defaults={"state": state})[0] for name, state, _c, _z in REGIONS]


def _answers(name, company, region, *, veteran=False, capital="45000.00"):
    data = {
        "legal_name": name, "phone": "(404) 555-0147", "address_line1": "210 Peachtree Center Ave",
        "city": _PLACES[region.name][0], "state": region.state, "postal_code": _PLACES[region.name][1],
        "date_of_birth": date(1984, 3, 14),
        "employment_history": "Operations supervisor, regional grocery distribution (2012–2019)\n"
                              "Store manager, home improvement retail (2019–2025)",
        "people_managed": 24, "entity_name": company, "entity_type": "llc", "formation_state": region.state,
        "region": region, "planned_vans": 24, "planned_drivers": 34, "liquid_capital": Decimal(capital),
        "consent_background_check": True, "consent_credit_check": True, "consent_mvr_check": True,
        "accepted_terms": True,
    }
    if veteran:
        data.update(is_veteran=True, track=Application.Track.VETERAN,
                    veteran_status=Application.VeteranStatus.UNVERIFIED, military_branch="marine_corps",
                    service_start=date(2004, 8, 2), service_end=date(2012, 8, 1), discharge_type="honorable")
    return data


def _documents(application, kinds):
    for kind in kinds:
        if application.documents.filter(kind=kind).exists():
            continue
        doc = ApplicationDocument(application=application, kind=kind, original_name=f"{kind.replace('_', '-')}.pdf",
                                  content_type="application/pdf", size=len(DEMO_PDF), sha256="demo",
                                  uploaded_by=application.applicant)
        doc.file.save(f"{kind}.pdf", ContentFile(DEMO_PDF), save=False)
        doc.save()


def _event(application, actor, from_status, to_status, when, note=""):
    ApplicationEvent.objects.create(application=application, actor=actor, from_status=from_status,
                                    to_status=to_status, note=note, created_at=when)


def _business_days_ago(n: int):
    day, counted = timezone.now(), 0
    while counted < n:
        day -= timedelta(days=1)
        if day.weekday() < 5:
            counted += 1
    return day


def _submitted(applicant, answers, *, days_ago, status, admin, checks=None):
    """An application submitted `days_ago` business days ago and moved on to `status`."""
    when = _business_days_ago(days_ago)
    app = Application.objects.create(applicant=applicant, status=status, submitted_at=when, first_submitted_at=when,
                                     created_at=when - timedelta(days=3), status_changed_at=when,
                                     consented_at=when, **answers)
    kinds = ["government_id", "proof_of_funds", "resume"] + (["dd214"] if app.is_veteran else [])
    _documents(app, kinds)
    _event(app, applicant, "", S.DRAFT, when - timedelta(days=3), "Application started.")
    _event(app, applicant, S.DRAFT, S.SUBMITTED, when)
    for kind in onboarding_settings().required_check_kinds:
        BackgroundCheck.objects.get_or_create(application=app, kind=kind,
                                              defaults={"status": (checks or {}).get(kind, "pending"),
                                                        "recorded_by": admin if (checks or {}).get(kind) else None})
    if status in (S.IN_REVIEW, S.NEEDS_INFO, S.ONBOARDED):
        _event(app, admin, S.SUBMITTED, S.IN_REVIEW, when + timedelta(hours=20))
    if status == S.NEEDS_INFO:
        note = "Please upload a bank statement dated within the last 30 days."
        app.decision_note = note
        app.save(update_fields=["decision_note"])
        _event(app, admin, S.IN_REVIEW, S.NEEDS_INFO, when + timedelta(days=1), note)
    return app


def _draft(admin):
    applicant = demo_user(APPLICANT)
    if Application.objects.filter(applicant=applicant).exists():
        return
    region = _regions()[0]
    answers = _answers("Jordan Lee", "Lee Express Delivery LLC", region)
    # Steps 1–3 answered; funds, documents and consent still to do.
    for name in ("liquid_capital", "consent_background_check", "consent_credit_check", "consent_mvr_check",
                 "accepted_terms"):
        answers.pop(name)
    app = Application.objects.create(applicant=applicant, created_at=timezone.now() - timedelta(days=2), **answers)
    _event(app, applicant, "", S.DRAFT, app.created_at, "Application started.")
    _documents(app, ["government_id"])


def _veteran(admin):
    applicant = demo_user(VETERAN)
    if Application.objects.filter(applicant=applicant).exists():
        return
    region = _regions()[1]
    _submitted(applicant, _answers("Sam Rivera", "Rivera Veteran Logistics LLC", region, veteran=True,
                                   capital="38500.00"),
               days_ago=3, status=S.IN_REVIEW, admin=admin, checks={"criminal": "clear", "mvr": "clear"})


def _owner(admin):
    owner = demo_user(OWNER)
    if Partner.objects.filter(legal_name=PARTNER_NAME).exists():
        return
    region = _regions()[0]
    answers = _answers("Taylor Brooks", PARTNER_NAME, region, capital="61000.00")
    answers["ein"] = "58-4417203"
    app = _submitted(owner, answers, days_ago=30, status=S.ONBOARDED, admin=admin,
                     checks={"criminal": "clear", "credit": "clear", "mvr": "clear"})
    decided = app.submitted_at + timedelta(days=4)
    Application.objects.filter(pk=app.pk).update(decided_at=decided, decided_by=admin, status_changed_at=decided,
                                                 decision_note="Strong operations background. Welcome aboard.")
    partner = Partner.objects.create(legal_name=PARTNER_NAME, entity_type="llc", state_of_formation="GA",
                                     ein=answers["ein"], region=region, application=app,
                                     status=Partner.Status.ONBOARDING, created_at=decided,
                                     training_completed_at=decided + timedelta(days=9))
    PartnerMembership.objects.get_or_create(user=owner, partner=partner,
                                            defaults={"role": PartnerMembership.Role.OWNER})
    _event(app, admin, S.IN_REVIEW, S.APPROVED, decided, "Strong operations background. Welcome aboard.")
    _event(app, admin, S.APPROVED, S.ONBOARDED, decided, f"Partner “{PARTNER_NAME}” created.")


def _queue(admin):
    regions = _regions()
    for email, name, company, region_index, status, days, veteran in QUEUE:
        person = ensure_user(email, name, Role.APPLICANT)
        if Application.objects.filter(applicant=person).exists():
            continue
        _submitted(person, _answers(name, company, regions[region_index], veteran=veteran), days_ago=days,
                   status=status, admin=admin)


def seed(*, log):
    admin = demo_user(ADMIN)
    _regions()
    _draft(admin)
    _veteran(admin)
    _owner(admin)
    _queue(admin)
    log(f"onboarding: {Application.objects.count()} applications, {Partner.objects.count()} partners")
    return []
