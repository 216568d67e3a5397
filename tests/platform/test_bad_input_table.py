"""Bad input, form by form and endpoint by endpoint: each is refused with a sentence on the field and changes nothing.

Every case posts a valid body with one or two values spoiled, then checks the status (a form re-rendered with 200,
or the API envelope with a 4xx), the sentence on the named field, that no row was added or changed, and that no
database constraint name, traceback or raw database message reaches the response."""

import itertools
import json
import re
import uuid
from dataclasses import dataclass, field
from datetime import timedelta

import pytest
from django.apps import apps
from django.db import models
from django.forms.models import model_to_dict
from django.urls import reverse

from core.servicedays import service_today
from fleet.models import Driver, InsurancePolicy, OdometerReading, Vehicle
from hubs.models import Hub
from onboarding.claims.models import Claim
from onboarding.models import Application
from procurement.models import OrderLine
from tests.fleet.factories import DriverFactory, PolicyFactory, VehicleFactory, make_vin
from tests.onboarding.claim_factories import category, receipt, veteran_partner
from tests.onboarding.factories import ApplicationFactory, partner_with_owner
from tests.procurement.factories import SupplyItemFactory

pytestmark = pytest.mark.django_db

TODAY = service_today()
NEXT_YEAR = TODAY.year + 1
_vins = itertools.count(880_000)


def constraint_names() -> set[str]:
    """Every database constraint name a user could trip over: declared constraints and unique columns' keys."""
    names = set()
    for model in apps.get_models():
        names |= {c.name for c in model._meta.constraints}
        for f in model._meta.local_fields:
            if f.unique and not f.primary_key:
                names.add(f"{model._meta.db_table}_{f.column}_key")
    return names


RAW_DATABASE_TEXT = re.compile(r"IntegrityError|Traceback|duplicate key value|violates (check|unique|foreign key)|"
                               r"is violated|DataError|numeric field overflow", re.I)


def assert_nothing_leaks(response):
    text = response.content.decode()
    leaked = [name for name in constraint_names() if name in text]
    assert not leaked, f"constraint names in the response: {leaked}"
    assert not RAW_DATABASE_TEXT.search(text), RAW_DATABASE_TEXT.search(text).group(0)


# --- the world each case starts from -------------------------------------------------------------


@dataclass
class World:
    owner: object
    partner: object
    van: Vehicle
    driver: Driver
    policy: InsurancePolicy
    claims_owner: object
    application: Application
    hub_user: object
    keys: itertools.count = field(default_factory=itertools.count)


@pytest.fixture
def world(make_user):
    partner, owner = partner_with_owner()
    van = VehicleFactory(partner=partner, vin=make_vin(870_001), plate="TAKEN1", plate_state="GA")
    driver = DriverFactory(partner=partner, licence_number="D12345678", licence_state="GA",
                           status=Driver.Status.ACTIVE)
    policy = PolicyFactory(partner=partner)
    _claims_partner, claims_owner = veteran_partner()
    application = ApplicationFactory()
    return World(owner=owner, partner=partner, van=van, driver=driver, policy=policy, claims_owner=claims_owner,
                 application=application, hub_user=make_user())


COUNTED = [Vehicle, Driver, InsurancePolicy, OdometerReading, Hub, Claim, Application, OrderLine]


def snapshot(world):
    """Row counts, and the editable objects as they are."""
    rows = {model.__name__: model.objects.count() for model in COUNTED}
    for name in ("van", "driver", "policy", "application"):
        obj = getattr(world, name)
        rows[name] = {k: v for k, v in model_to_dict(type(obj).objects.get(pk=obj.pk)).items()
                      if not isinstance(v, list | models.Model)}
    return rows


# --- the valid bodies the cases spoil ------------------------------------------------------------


def van_body(_w):
    return {"vin": make_vin(next(_vins)), "plate": "", "plate_state": "", "make": "Ford", "model": "E-Transit",
            "year": 2024, "package_capacity": 220, "ownership": "owned"}


def driver_body(_w):
    return {"first_name": "Ana", "last_name": "Lima", "email": "", "phone": "(404) 555-0100",
            "licence_number": "Z99887766", "licence_state": "GA", "licence_class": "D",
            "licence_expires_on": (TODAY + timedelta(days=700)).isoformat(), "background_check": "clear",
            "driving_record_check": "clear"}


def policy_body(_w):
    return {"coverage": "auto_liability", "carrier": "Progressive", "policy_number": "PX-1",
            "per_occurrence_limit": "1000000.00", "aggregate_limit": "", "effective_on": TODAY.isoformat(),
            "expires_on": (TODAY + timedelta(days=365)).isoformat(), "covers_all_vehicles": "on"}


def hub_body(_w):
    return {"legal_name": "Pike Flowers LLC", "kind": "florist", "street": "100 Pike St", "city": "Seattle",
            "state": "WA", "postal_code": "98101", "latitude": "47.6097", "longitude": "-122.3422",
            "time_zone": "America/Los_Angeles", "storage_size": 30, "storage_attested": True,
            "delivery_means": ["foot"], "staff_count": 2, "terms_accepted": True}


def hub_form(w):
    data = {**hub_body(w), "storage_attested": "on", "terms_accepted": "on", "hours_mon": "09:00-18:00"}
    return data


def hub_api(w):
    return {**hub_body(w), "opening_hours": {"mon": "09:00-18:00"}}


def claim_body(_w):
    return {"category": category().pk, "vendor": "Peach State Filings",
            "incurred_on": (TODAY - timedelta(days=20)).isoformat(), "amount": "250.00",
            "description": "LLC formation fee.", "receipts": receipt()}


def claim_api(w):
    body = claim_body(w)
    body["category"] = category().code
    return body


# --- the table -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Case:
    name: str
    surface: str  # "form" or "api"
    as_user: str  # attribute of World
    url: object  # callable(world) -> url
    body: object  # callable(world) -> valid body
    bad: dict
    field: str
    sentence: str
    status: int = 400
    method: str = "post"
    multipart: bool = False

    def __str__(self):
        return self.name


def page(path):
    return lambda w: reverse(path)


def on_van(path):
    return lambda w: reverse(path, args=[w.van.pk])


def on_driver(path):
    return lambda w: reverse(path, args=[w.driver.pk])


def on_policy(path):
    return lambda w: reverse(path, args=[w.policy.pk])


def api(path):
    return lambda w: path.format(van=w.van.pk, driver=w.driver.pk, policy=w.policy.pk, app=w.application.pk)


def _odometer(_w):
    return {"action": "odometer", "miles": 100}


def _activate(_w):
    return {"action": "transition", "to": "active", "note": ""}


def _step4(_w):
    return {"liquid_capital": "45,000", "action": "save"}


FORM_CASES = [
    # vans
    Case("van duplicate VIN", "form", "owner", page("fleet:vehicle_create"), van_body,
         {"vin": make_vin(870_001)}, "vin", "already registered in the program"),
    Case("van model year 2031", "form", "owner", page("fleet:vehicle_create"), van_body,
         {"year": NEXT_YEAR + 5}, "year", "Enter a model year between 1990 and"),
    Case("van capacity 99,999", "form", "owner", page("fleet:vehicle_create"), van_body,
         {"package_capacity": 99_999}, "package_capacity", "A van carries between 1 and 1,000 packages."),
    Case("van edit to a taken plate", "form", "owner", on_van("fleet:vehicle_edit"), van_body,
         {"plate": "TAKEN2", "plate_state": "GA"}, "plate", "already registered in that state"),
    Case("van model year 1985", "form", "owner", page("fleet:vehicle_create"), van_body,
         {"year": 1985}, "year", "Enter a model year between 1990 and"),
    Case("odometer in the future", "form", "owner", on_van("fleet:vehicle_detail"), _odometer,
         {"read_on": (TODAY + timedelta(days=3)).isoformat()}, "read_on", "cannot be dated in the future"),
    # drivers
    Case("driver phone x", "form", "owner", page("fleet:driver_create"), driver_body,
         {"phone": "x"}, "phone", "Enter a US phone number with 10 digits"),
    Case("driver licence 40 years ahead", "form", "owner", page("fleet:driver_create"), driver_body,
         {"licence_expires_on": (TODAY + timedelta(days=365 * 40)).isoformat()}, "licence_expires_on",
         "does not run more than 10 years"),
    Case("driver duplicate licence", "form", "owner", page("fleet:driver_create"), driver_body,
         {"licence_number": "d1234 5678"}, "licence_number", "already on your roster"),
    Case("active driver's licence edited to 2020", "form", "owner", on_driver("fleet:driver_edit"), driver_body,
         {"licence_expires_on": "2020-06-30"}, "licence_expires_on", "an active driver needs a valid licence"),
    # insurance
    Case("policy limit -100", "form", "owner", page("fleet:policy_create"), policy_body,
         {"per_occurrence_limit": "-100"}, "per_occurrence_limit", "must be more than zero"),
    Case("policy limit with an extra zero", "form", "owner", page("fleet:policy_create"), policy_body,
         {"per_occurrence_limit": "1,000,000,000"}, "per_occurrence_limit", "cannot be more than $100,000,000.00"),
    Case("policy limit in European notation", "form", "owner", page("fleet:policy_create"), policy_body,
         {"per_occurrence_limit": "1.000.000,00"}, "per_occurrence_limit", "such as 1,250.00"),
    Case("policy ending before it starts", "form", "owner", page("fleet:policy_create"), policy_body,
         {"expires_on": (TODAY - timedelta(days=1)).isoformat()}, "expires_on", "Must be after the effective date"),
    # hubs
    Case("hub with no opening hours", "form", "hub_user", page("hubs:enroll"), hub_form,
         {"hours_mon": ""}, "hours_mon", "at least one day"),
    Case("hub with free-text hours", "form", "hub_user", page("hubs:enroll"), hub_form,
         {"hours_mon": "mornings"}, "hours_mon", "such as 09:00-18:00"),
    Case("hub at 0,0", "form", "hub_user", page("hubs:enroll"), hub_form,
         {"latitude": "0", "longitude": "0"}, "latitude", "Atlantic Ocean"),
    Case("hub with a Boston point and a Seattle address", "form", "hub_user", page("hubs:enroll"), hub_form,
         {"latitude": "42.3601", "longitude": "-71.0589"}, "latitude", "not in Washington"),
    Case("Seattle hub on Eastern time", "form", "hub_user", page("hubs:enroll"), hub_form,
         {"time_zone": "America/New_York"}, "time_zone", "Washington keeps Pacific time"),
    # claims
    Case("claim typed in European notation", "form", "claims_owner", page("onboarding:claim_new"), claim_body,
         {"amount": "1.250,00"}, "amount", "a dot before the cents"),
    Case("claim dated years before the company", "form", "claims_owner", page("onboarding:claim_new"),
         claim_body, {"incurred_on": "2019-03-01"}, "incurred_on", "this expense is older"),
    # onboarding
    Case("liquid capital with letters", "form", "applicant",
         lambda w: reverse("onboarding:application_step", args=[w.application.pk, 4]), _step4,
         {"liquid_capital": "forty grand"}, "liquid_capital", "Enter an amount in dollars"),
]

API_CASES = [
    Case("API van duplicate VIN", "api", "owner", api("/api/v1/fleet/vehicles/"), van_body,
         {"vin": make_vin(870_001)}, "vin", "already registered in the program", status=409),
    Case("API van model year 2031", "api", "owner", api("/api/v1/fleet/vehicles/"), van_body,
         {"year": NEXT_YEAR + 5}, "year", "Enter a model year between 1990 and"),
    Case("API van capacity 99,999", "api", "owner", api("/api/v1/fleet/vehicles/"), van_body,
         {"package_capacity": 99_999}, "package_capacity", "between 1 and 1,000 packages"),
    Case("API van year 1985 (the page and the API say the same)", "api", "owner", api("/api/v1/fleet/vehicles/"),
         van_body, {"year": 1985}, "year", "Enter a model year between 1990 and"),
    Case("API odometer of 9 million miles", "api", "owner", api("/api/v1/fleet/vehicles/{van}/odometer/"),
         lambda w: {}, {"miles": 9_000_000}, "miles", "reads at most 2,000,000 miles"),
    Case("API odometer in the future", "api", "owner", api("/api/v1/fleet/vehicles/{van}/odometer/"),
         lambda w: {"miles": 100}, {"read_on": (TODAY + timedelta(days=3)).isoformat()}, "read_on",
         "cannot be dated in the future"),
    Case("API active driver with a 2020 licence and phone x", "api", "owner", api("/api/v1/fleet/drivers/"),
         lambda w: {**driver_body(w), "status": "active"}, {"licence_expires_on": "2020-06-30"},
         "licence_expires_on", "an active driver needs a valid licence"),
    Case("API driver phone x", "api", "owner", api("/api/v1/fleet/drivers/"), driver_body,
         {"phone": "x"}, "phone", "Enter a US phone number with 10 digits"),
    Case("API driver edited to an absurd expiry", "api", "owner", api("/api/v1/fleet/drivers/{driver}/"),
         lambda w: {}, {"licence_expires_on": "2090-01-01"}, "licence_expires_on",
         "does not run more than 10 years", method="patch"),
    Case("API policy limit -100", "api", "owner", api("/api/v1/fleet/policies/"),
         lambda w: {**policy_body(w), "covers_all_vehicles": True, "aggregate_limit": None},
         {"per_occurrence_limit": "-100"}, "per_occurrence_limit", "must be more than zero"),
    Case("API policy ending before it starts", "api", "owner", api("/api/v1/fleet/policies/"),
         lambda w: {**policy_body(w), "covers_all_vehicles": True, "aggregate_limit": None},
         {"expires_on": (TODAY - timedelta(days=1)).isoformat()}, "expires_on", "Must be after the effective date"),
    Case("API hub with no opening hours", "api", "hub_user", api("/api/v1/hubs/enrollment/"), hub_api,
         {"opening_hours": {}}, "opening_hours", "at least one day"),
    Case("API hub at 0,0", "api", "hub_user", api("/api/v1/hubs/enrollment/"), hub_api,
         {"latitude": "0", "longitude": "0"}, "latitude", "Atlantic Ocean"),
    Case("API hub with a Boston point and a Seattle address", "api", "hub_user", api("/api/v1/hubs/enrollment/"),
         hub_api, {"latitude": "42.3601", "longitude": "-71.0589"}, "latitude", "not in Washington"),
    Case("API Seattle hub on Eastern time", "api", "hub_user", api("/api/v1/hubs/enrollment/"), hub_api,
         {"time_zone": "America/New_York"}, "time_zone", "Washington keeps Pacific time"),
    Case("API Florida hub without a time zone", "api", "hub_user", api("/api/v1/hubs/enrollment/"), hub_api,
         {"city": "Miami", "state": "FL", "postal_code": "33130", "latitude": "25.7617", "longitude": "-80.1918",
          "time_zone": ""}, "time_zone", "Florida spans more than one time zone"),
    Case("API quote line of 0 vans", "api", "owner", api("/api/v1/procurement/quote/"),
         lambda w: {"item": SupplyItemFactory().pk}, {"quantity": 0}, "quantity", "greater than or equal to 1"),
    Case("API quote line of 100,000", "api", "owner", api("/api/v1/procurement/quote/"),
         lambda w: {"item": SupplyItemFactory().pk}, {"quantity": 100_000}, "quantity", "Enter a whole number from 1"),
    Case("API claim with letters", "api", "claims_owner", api("/api/v1/claims/"), claim_api,
         {"amount": "12,50"}, "amount", "a dot before the cents", multipart=True),
    Case("API claim dated years before the company", "api", "claims_owner", api("/api/v1/claims/"), claim_api,
         {"incurred_on": "2019-03-01"}, "incurred_on", "this expense is older", multipart=True),
    Case("API liquid capital in European notation", "api", "applicant", api("/api/v1/applications/{app}/"),
         lambda w: {}, {"liquid_capital": "45.000,00"}, "liquid_capital", "a dot before the cents",
         method="patch"),
]


def _user(world, name):
    return world.application.applicant if name == "applicant" else getattr(world, name)


def _form_errors(response, name):
    form = next((f for f in _forms(response.context)), None)
    assert form is not None, "no form in the page's context"
    return [str(e) for e in (form.errors.get(name) if name else form.non_field_errors()) or []]


def _forms(context):
    seen = []
    for ctx in context or []:
        for value in ctx.flatten().values() if hasattr(ctx, "flatten") else ctx.values():
            if hasattr(value, "errors") and hasattr(value, "fields") and value.errors and value not in seen:
                seen.append(value)
    return seen


@pytest.mark.parametrize("case", FORM_CASES, ids=str)
def test_a_form_refuses_bad_input_with_a_sentence_and_changes_nothing(client, world, case):
    client.force_login(_user(world, case.as_user))
    if case.name == "van edit to a taken plate":
        VehicleFactory(partner=world.partner, plate="TAKEN2", plate_state="GA")
    before = snapshot(world)
    data = {**case.body(world), **case.bad}
    response = client.post(case.url(world), data)

    assert response.status_code == 200, (response.status_code, response.get("Location"))
    errors = _form_errors(response, case.field)
    assert any(case.sentence in e for e in errors), (errors, [f.errors for f in _forms(response.context)])
    assert case.sentence in response.content.decode()
    assert snapshot(world) == before
    assert_nothing_leaks(response)


@pytest.mark.parametrize("case", API_CASES, ids=str)
def test_an_endpoint_refuses_bad_input_in_the_envelope_and_changes_nothing(token_client, world, case):
    api_client = token_client(_user(world, case.as_user))
    before = snapshot(world)
    data = {**case.body(world), **case.bad}
    headers = {"HTTP_IDEMPOTENCY_KEY": str(uuid.uuid4())}
    send = getattr(api_client, case.method)
    if case.multipart:
        response = send(case.url(world), data, format="multipart", **headers)
    else:
        response = send(case.url(world), json.dumps(data), content_type="application/json", **headers)

    assert response.status_code == case.status, response.content
    body = response.json()
    assert set(body) >= {"code", "detail", "fields"}
    assert any(case.sentence in m for m in body["fields"].get(case.field, [])), body
    assert snapshot(world) == before
    assert_nothing_leaks(response)


def test_a_hub_that_gives_no_time_zone_keeps_its_state_s_clock(token_client, world):
    body = {k: v for k, v in hub_api(world).items() if k != "time_zone"}
    response = token_client(world.hub_user).post("/api/v1/hubs/enrollment/", body, format="json",
                                                 HTTP_IDEMPOTENCY_KEY="tz-1")
    assert response.status_code == 201 and response.json()["time_zone"] == "America/Los_Angeles"


def test_the_constraint_scan_knows_the_names_people_used_to_see():
    names = constraint_names()
    assert {"fleet_vehicle_vin_unique", "fleet_policy_expires_after_effective", "hubs_capacity_within_storage",
            "fleet_driver_licence_unique_per_partner"} <= names


def test_every_constraint_a_user_can_hit_has_a_sentence():
    """Django's default ("Constraint “%(name)s” is violated.") names the constraint: none may keep it."""
    default = models.BaseConstraint.default_violation_error_message
    internal = {"idempotency_unique_scope_key", "webhook_delivery_unique_subscription_event",
                "webhook_attempt_unique_number", "fleet_one_reminder_per_threshold",
                "outbox_audience_partner_unique", "outbox_email_unique_dedupe_key",
                "offline_receipt_unique_client_id", "routes_touch_once_a_transaction"}  # written by code, never typed
    ours = {"core", "accounts", "payments", "onboarding", "fleet", "procurement", "hubs", "routes", "performance",
            "integrations"}
    missing = [c.name for model in apps.get_models() if model._meta.app_label in ours
               for c in model._meta.constraints
               if c.name not in internal and str(c.violation_error_message) == str(default)]
    assert not missing


@pytest.mark.parametrize(("typed", "stored"), [("(206) 555-0100", "(206) 555-0100"),
                                               ("206.555.0100", "(206) 555-0100"),
                                               ("+1 206 555 0100", "(206) 555-0100")])
def test_a_driver_phone_typed_any_us_way_is_stored_one_way(client, world, typed, stored):
    client.force_login(world.owner)
    response = client.post(reverse("fleet:driver_create"), {**driver_body(world), "phone": typed})
    assert response.status_code == 302
    assert Driver.objects.get(licence_number="Z99887766").phone == stored


def test_an_active_driver_with_an_expired_licence_cannot_be_reactivated(client, world):
    world.driver.status = Driver.Status.SUSPENDED
    world.driver.licence_expires_on = TODAY - timedelta(days=30)
    world.driver.save()
    client.force_login(world.owner)
    response = client.post(reverse("fleet:driver_detail", args=[world.driver.pk]), _activate(world))
    assert response.status_code == 200
    assert "renew it on the driver" in response.content.decode()
    world.driver.refresh_from_db()
    assert world.driver.status == Driver.Status.SUSPENDED


def test_amounts_typed_the_way_people_type_them_are_accepted(client, token_client, world):
    client.force_login(world.owner)
    response = client.post(reverse("fleet:policy_create"),
                           {**policy_body(world), "per_occurrence_limit": "$1,000,000", "aggregate_limit": " 2000000 "})
    assert response.status_code == 302
    policy = InsurancePolicy.objects.get(policy_number="PX-1")
    assert (str(policy.per_occurrence_limit), str(policy.aggregate_limit)) == ("1000000.00", "2000000.00")
    answer = token_client(world.claims_owner).post("/api/v1/claims/", {**claim_api(world), "amount": "$1,250.00"},
                                                   format="multipart", HTTP_IDEMPOTENCY_KEY="amt-1")
    assert answer.status_code == 201 and answer.json()["amount"] == "1250.00"


def test_a_claim_above_what_the_cap_still_allows_is_filed_with_a_warning(client, token_client, world):
    api_client = token_client(world.claims_owner)
    first = api_client.post("/api/v1/claims/", {**claim_api(world), "amount": "9,000", "submit": True},
                            format="multipart", HTTP_IDEMPOTENCY_KEY="cap-1")
    assert first.status_code == 201 and first.json()["cap_warning"] == ""
    second = api_client.post("/api/v1/claims/", {**claim_api(world), "amount": "2,500", "submit": True},
                             format="multipart", HTTP_IDEMPOTENCY_KEY="cap-2")
    assert second.status_code == 201
    assert "Only $1,000.00 is left under the $10,000.00 cap" in second.json()["cap_warning"]
    client.force_login(world.claims_owner)
    page = client.post(reverse("onboarding:claim_new"), {**claim_body(world), "amount": "500"}, follow=True)
    assert "Only $0.00 is left" in page.content.decode()
    assert Claim.objects.filter(status="submitted").count() == 3


def test_a_write_that_loses_a_race_to_a_constraint_answers_its_sentence_on_the_field(world):
    """The services check first; when a concurrent request slips past the check, the constraint's sentence answers."""
    from core.errors import Conflict
    from core.integrity import constraint_messages
    from fleet.services.drivers import LICENCE_FIELD
    from fleet.services.vehicles import _save_unique

    twin = Vehicle(partner=world.partner, vin=world.van.vin.lower(), make="Ford", model="T", year=2024,
                   package_capacity=10)
    with pytest.raises(Conflict) as caught:
        _save_unique(twin)  # as if _check_vin had run before the other request committed
    assert caught.value.fields == {"vin": ["A van with this VIN is already registered in the program."]}

    copy = Driver(partner=world.partner, first_name="A", last_name="B", licence_state="GA",
                  licence_number=world.driver.licence_number, licence_expires_on=TODAY + timedelta(days=9))
    with pytest.raises(Conflict) as caught, constraint_messages(Driver, fields=LICENCE_FIELD):
        copy.save()
    assert caught.value.fields == {"licence_number": ["A driver with this licence is already on your roster."]}
    assert Vehicle.objects.count() == 1 and Driver.objects.count() == 1


def test_a_van_form_with_two_implausible_values_names_both_at_once_with_capitalised_labels(client, world):
    client.force_login(world.owner)
    before = Vehicle.objects.count()
    response = client.post(reverse("fleet:vehicle_create"), {**van_body(world), "year": 2031,
                                                             "package_capacity": 99999})
    page = response.content.decode()
    assert response.status_code == 200 and Vehicle.objects.count() == before
    assert "Enter a model year between 1990" in page and "A van carries between 1 and 1,000 packages." in page
    assert ">Model year <" in page or ">Model year<" in page
