"""The six steps of the application: which answers each holds and when each is complete.

Forms, the API and `application_submit` all ask here, so "complete" means one thing everywhere."""

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from onboarding.models import Application, ApplicationDocument
from onboarding.validators import validate_adult

Kind = ApplicationDocument.Kind


@dataclass(frozen=True)
class Step:
    number: int
    key: str
    title: str
    fields: tuple[str, ...]
    documents: tuple[str, ...] = ()  # upload fields shown on the step
    checked_documents: tuple[str, ...] = ()  # those whose absence makes this step incomplete


STEPS: list[Step] = [
    Step(1, "applicant", gettext_lazy("Applicant"),
         ("legal_name", "phone", "address_line1", "address_line2", "city", "state", "postal_code", "date_of_birth")),
    Step(2, "experience", gettext_lazy("Experience"),
         ("employment_history", "people_managed", "prior_business_owner", "prior_business_details", "is_veteran",
          "military_branch", "service_start", "service_end", "discharge_type")),
    Step(3, "business", gettext_lazy("Business"),
         ("entity_name", "entity_type", "formation_state", "ein", "region", "planned_vans", "planned_drivers")),
    Step(4, "funds", gettext_lazy("Funds"), ("liquid_capital",), (Kind.PROOF_OF_FUNDS,), (Kind.PROOF_OF_FUNDS,)),
    Step(5, "documents", gettext_lazy("Documents"), (),
         (Kind.GOVERNMENT_ID, Kind.PROOF_OF_FUNDS, Kind.RESUME, Kind.DD214),
         (Kind.GOVERNMENT_ID, Kind.RESUME, Kind.DD214)),
    Step(6, "consent", gettext_lazy("Consent"),
         ("consent_background_check", "consent_credit_check", "consent_mvr_check", "accepted_terms")),
]
STEP_BY_NUMBER = {step.number: step for step in STEPS}
ANSWER_FIELDS: tuple[str, ...] = tuple(name for step in STEPS for name in step.fields)

_REQUIRED = {
    "applicant": ("legal_name", "phone", "address_line1", "city", "state", "postal_code", "date_of_birth"),
    "experience": ("employment_history", "people_managed"),
    "business": ("entity_name", "entity_type", "formation_state", "region", "planned_vans", "planned_drivers"),
    "funds": ("liquid_capital",),
    "consent": ("consent_background_check", "consent_credit_check", "consent_mvr_check", "accepted_terms"),
}
_VETERAN_REQUIRED = ("military_branch", "service_start", "discharge_type")


@dataclass(frozen=True)
class Problem:
    step: int
    field: str
    message: str
    code: str = "required"


def required_document_kinds(application: Application) -> list[str]:
    kinds = [Kind.GOVERNMENT_ID, Kind.PROOF_OF_FUNDS, Kind.RESUME]
    if application.is_veteran:
        kinds.append(Kind.DD214)
    return [str(k) for k in kinds]


def _blank(value) -> bool:
    return value is None or value == "" or value is False


def _experience_problems(app: Application) -> list[tuple[str, str, str]]:
    out = []
    if app.prior_business_owner and not app.prior_business_details.strip():
        out.append(("prior_business_details", _("Tell us about the business you owned."), "required"))
    if app.is_veteran:
        out += [(name, _("Required for veterans."), "required") for name in _VETERAN_REQUIRED
                if _blank(getattr(app, name))]
        if app.discharge_type and app.discharge_type != "still_serving" and not app.service_end:
            out.append(("service_end", _("When did your service end?"), "required"))
        if app.service_start and app.service_end and app.service_end < app.service_start:
            out.append(("service_end", _("Service cannot end before it began."), "invalid"))
    return out


def _date_of_birth_problems(app: Application) -> list[tuple[str, str, str]]:
    try:
        validate_adult(app.date_of_birth)
    except ValidationError as exc:
        return [("date_of_birth", exc.messages[0], exc.code or "invalid")]
    return []


def step_problems(application: Application, step: Step, *, settings, document_kinds: set[str]) -> list[Problem]:
    """What is missing or wrong in one step ([] when the step is complete)."""
    found = [(name, _("This field is required."), "required") for name in _REQUIRED.get(step.key, ())
             if _blank(getattr(application, name if name != "region" else "region_id"))]
    if step.key == "applicant" and application.date_of_birth:
        found += _date_of_birth_problems(application)
    if step.key == "experience":
        found += _experience_problems(application)
    if step.key == "business" and application.region_id and not application.region.active:
        found.append(("region", _("This region no longer takes applications; choose another."), "invalid"))
    if step.key == "funds" and application.liquid_capital is not None \
            and application.liquid_capital < settings.capital_minimum:
        found.append(("liquid_capital", _("The program requires at least $%(min)s of liquid capital.")
                      % {"min": f"{settings.capital_minimum:,.0f}"}, "capital_below_minimum"))
    required_docs = set(required_document_kinds(application))
    for kind in step.checked_documents:
        if kind in required_docs and kind not in document_kinds:
            found.append((kind, _("Upload your %(doc)s.") % {"doc": Kind(kind).label}, "document_missing"))
    return [Problem(step.number, name, str(message), code) for name, message, code in found]


def application_problems(application: Application, *, settings) -> list[Problem]:
    kinds = {doc.kind for doc in application.documents.all()}
    return [p for step in STEPS for p in step_problems(application, step, settings=settings, document_kinds=kinds)]


def first_incomplete_step(problems: list[Problem]) -> int | None:
    return min((p.step for p in problems), default=None)


def completed_steps(problems: list[Problem]) -> set[int]:
    bad = {p.step for p in problems}
    return {step.number for step in STEPS if step.number not in bad}


def _display(application: Application, name: str) -> str:
    field = Application._meta.get_field(name)
    value = getattr(application, name)
    if value in (None, ""):
        return "—"
    if field.choices:
        return str(getattr(application, f"get_{name}_display")())
    if isinstance(value, bool):
        return str(_("Yes") if value else _("No"))
    if name == "liquid_capital":
        return f"${value:,.2f}"
    if hasattr(value, "strftime"):
        return value.strftime("%b %d, %Y")
    return str(value)


_VETERAN_ONLY = {"military_branch", "service_start", "service_end", "discharge_type"}


def answer_sections(application: Application) -> list[dict]:
    """Every answer, labelled and grouped by step, for the review pages and the CSV."""
    sections = []
    for step in STEPS:
        rows = []
        for name in step.fields:
            if name in _VETERAN_ONLY and not application.is_veteran:
                continue
            if name == "prior_business_details" and not application.prior_business_owner:
                continue
            label = Application._meta.get_field(name).verbose_name
            rows.append({"name": name, "label": str(label)[:1].upper() + str(label)[1:],
                         "value": _display(application, name)})
        sections.append({"step": step, "rows": rows})
    return sections
