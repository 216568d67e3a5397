"""Program admins' pages: the review queue (and its CSV), an application's detail, and decisions."""

import csv

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.permissions import permission_required, user_has_perm
from core.calendar import overrides as calendar_overrides
from core.errors import DomainError, NotFound
from core.servicedays import day_of, service_today
from onboarding.forms import CheckForm, DecisionForm, QueueFilterForm, VeteranForm
from onboarding.models import Application
from onboarding.selectors import (
    AWAITING_REVIEW,
    application_age_business_days,
    application_detail,
    application_get,
    application_queue,
    onboarding_settings,
    region_list,
)
from onboarding.services import (
    CHECKABLE,
    application_decide,
    application_review_start,
    background_check_record,
    veteran_verify,
)
from onboarding.steps import answer_sections, application_problems, required_document_kinds
from onboarding.views.common import flash_domain_error


def _queue(request):
    form = QueueFilterForm(request.GET or {"status": "open"}, regions=region_list(active_only=False))
    filters = form.cleaned_data if form.is_valid() else {"status": "open"}
    rows = application_queue(fetched_by=request.user, status=filters.get("status", ""),
                             track=filters.get("track", ""), region=filters.get("region"), age=filters.get("age", ""))
    return form, rows


def _annotate_age(applications, settings):
    today = service_today()
    submitted = [day_of(app.submitted_at) for app in applications if app.submitted_at is not None]
    admin_calendar = calendar_overrides(min(submitted), today) if submitted else None  # one query for the page
    for app in applications:
        app.age_days = application_age_business_days(app, today=today, admin_calendar=admin_calendar)
        app.overdue = (app.status in AWAITING_REVIEW and app.age_days is not None
                       and app.age_days > settings.review_sla_business_days)
    return applications


@permission_required("onboarding.review")
def queue(request):
    settings = onboarding_settings()
    form, rows = _queue(request)
    if request.GET.get("format") == "csv":
        return _csv(_annotate_age(list(rows), settings))
    return render(request, "onboarding/queue.html", {
        "form": form, "applications": _annotate_age(list(rows[:500]), settings), "settings": settings,
        "query": request.GET.urlencode(),
    })


CSV_COLUMNS = ["id", "status", "track", "applicant_email", "legal_name", "entity_name", "region", "planned_vans",
               "liquid_capital", "veteran_status", "submitted_at", "age_business_days", "past_sla"]


def _csv(applications):
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="applications-{service_today():%Y-%m-%d}.csv"'
    writer = csv.writer(response)
    writer.writerow(CSV_COLUMNS)
    for app in applications:
        writer.writerow([app.pk, app.status, app.track, app.applicant.email, _cell(app.legal_name),
                         _cell(app.entity_name), app.region.name if app.region else "", app.planned_vans or "",
                         app.liquid_capital if app.liquid_capital is not None else "", app.veteran_status,
                         app.submitted_at.isoformat() if app.submitted_at else "", app.age_days or 0,
                         "yes" if app.overdue else "no"])
    return response


def _cell(value: str) -> str:
    # A cell starting with = + - @ would run as a formula in a spreadsheet.
    return f"'{value}" if value[:1] in ("=", "+", "-", "@") else value


def _load(request, application_id) -> Application:
    try:
        application = application_get(user=request.user, application_id=application_id)
    except NotFound:
        raise Http404 from None
    return application_detail(application_id=application.pk)


@permission_required("onboarding.review")
def detail(request, application_id):
    application = _load(request, application_id)
    settings = onboarding_settings()
    application.age_days = application_age_business_days(application)
    required_checks = settings.required_check_kinds
    return render(request, "onboarding/review_detail.html", {
        "application": application, "sections": answer_sections(application), "settings": settings,
        "documents": application.documents.all(), "checks": application.checks.all(),
        "events": application.events.all(), "problems": application_problems(application, settings=settings),
        "required_documents": required_document_kinds(application), "required_checks": required_checks,
        "checks_clear": all(c.status == "clear" for c in application.checks.all() if c.kind in required_checks)
        and len([c for c in application.checks.all() if c.kind in required_checks]) == len(required_checks),
        "own": application.applicant_id == request.user.pk,
        "decision_form": DecisionForm(), "check_form": CheckForm(), "veteran_form": VeteranForm(),
        "can_record_checks": user_has_perm(request.user, "onboarding.checks"),
        "checkable": application.status in CHECKABLE,
    })


def _act(request, application_id, action, success):
    application = _load(request, application_id)
    try:
        action(application)
    except DomainError as exc:
        flash_domain_error(request, exc)
    else:
        messages.success(request, success)
    return redirect("onboarding:review_detail", application.pk)


@require_POST
@permission_required("onboarding.review")
def start(request, application_id):
    return _act(request, application_id, lambda app: application_review_start(application=app, reviewer=request.user),
                _("Review started."))


@require_POST
@permission_required("onboarding.review")
def decide(request, application_id):
    form = DecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a decision."))
        return redirect("onboarding:review_detail", application_id)
    decision, note = form.cleaned_data["decision"], form.cleaned_data["note"]
    done = {"approve": _("Approved: the Partner is created and the applicant is its owner."),
            "reject": _("The application is rejected."), "needs_info": _("The applicant was asked for information.")}
    return _act(request, application_id, lambda app: application_decide(
        application=app, decided_by=request.user, decision=decision, note=note), done[decision])


@require_POST
@permission_required("onboarding.checks")
def record_check(request, application_id):
    form = CheckForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a check and its result."))
        return redirect("onboarding:review_detail", application_id)
    return _act(request, application_id, lambda app: background_check_record(
        application=app, recorded_by=request.user, **form.cleaned_data), _("Check recorded."))


@require_POST
@permission_required("onboarding.review")
def verify_veteran(request, application_id):
    form = VeteranForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose verified or not verified."))
        return redirect("onboarding:review_detail", application_id)
    return _act(request, application_id, lambda app: veteran_verify(
        application=app, verified_by=request.user, **form.cleaned_data), _("Veteran status recorded."))
