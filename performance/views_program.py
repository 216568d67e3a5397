"""Program admin pages: weekly totals with a chart and a finance CSV; a week's statements with the weekly
actions (compute as a job, issue, pay as a job); approving statements and resolving disputes."""

from datetime import timedelta
from types import SimpleNamespace

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from accounts.permissions import permission_required
from core.errors import DomainError
from core.jobs import job_active, job_start
from core.servicedays import service_week
from performance import selectors, tasks
from performance.exports import finance_csv
from performance.models import SettlementWeek, Statement
from performance.services.payouts import statement_pay
from performance.services.statements import dispute_resolve, statement_approve, week_issue
from performance.views import or_404

# The job fragment shows times on a station's clock; the program's weeks are on the program's.
PROGRAM_CLOCK = SimpleNamespace(time_zone=settings.PROGRAM_TIME_ZONE)
PHASES = {"": _("Waiting for a worker"), "scorecards": _("Scoring the week"), "statements": _("Computing statements")}


@require_GET
@permission_required("performance.manage")
def program(request):
    weeks = selectors.program_weeks(weeks=12)
    chart = {"weeks": [w["week"].week_start.strftime("%b %d") for w in reversed(weeks)],
             "total": [float(w["total"]) for w in reversed(weeks)],
             "paid": [float(w["paid"]) for w in reversed(weeks)]}
    this_week = service_week()[0]
    return render(request, "performance/program.html", {
        "weeks": weeks, "chart": chart, "last_week": this_week - timedelta(days=7), "this_week": this_week})


@require_GET
@permission_required("performance.manage")
def program_finance_csv(request):
    response = HttpResponse(finance_csv(selectors.program_weeks(weeks=52)), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="partner-settlement-weeks.csv"'
    return response


def _week(pk) -> SettlementWeek:
    week = SettlementWeek.objects.filter(pk=pk).first()
    if week is None:
        raise Http404
    return week


def _job(week):
    job = job_active(kind=tasks.JOB_COMPUTE, subject=week) or job_active(kind=tasks.JOB_PAY, subject=week)
    if job is None:
        return None, None
    return job, {"phase_label": str(PHASES.get(job.phase, job.phase)), "percent": 50 if job.phase else 5}


@require_GET
@permission_required("performance.manage")
def week_detail(request, pk):
    week = _week(pk)
    statements = list(Statement.objects.filter(week_start=week.week_start).select_related("partner")
                      .order_by("partner__legal_name")[:500])
    job, progress = _job(week)
    return render(request, "performance/week_detail.html", {
        "week": week, "statements": statements, "job": job, "progress": progress, "station": PROGRAM_CLOCK,
        "poll": reverse("performance:week_progress", args=[week.pk]),
        "totals": next((w for w in selectors.program_weeks(weeks=60) if w["week"].pk == week.pk), None)})


@require_GET
@permission_required("performance.manage")
def week_progress(request, pk):
    week = _week(pk)
    job, progress = _job(week)
    if job is None:
        response = HttpResponse(status=204 if not request.htmx else 200)
        response["HX-Refresh"] = "true"
        return response
    return render(request, "routes/_job_progress.html", {"box": "week-job", "poll": request.path, "job": job,
                                                         "progress": progress, "station": PROGRAM_CLOCK})


@require_POST
@permission_required("performance.manage")
def week_compute_start(request):
    """Score a week and compute its draft statements as a job (`week` is any day in it)."""
    from core.dates import page_day

    day = page_day(request, default=service_week()[0] - timedelta(days=7), field="week")
    if day is None:
        return redirect("performance:program")
    week = tasks.week_row(service_week(day=day)[0])
    try:
        job_start(kind=tasks.JOB_COMPUTE, subject=week, task=tasks.week_compute_job, by=request.user)
    except DomainError as exc:
        messages.error(request, exc.detail)
    else:
        messages.info(request, _("Scoring started; this page shows its progress."))
    return redirect("performance:week_detail", pk=week.pk)


@require_POST
@permission_required("performance.manage")
def week_issue_view(request, pk):
    week = _week(pk)
    try:
        n = week_issue(week_start=week.week_start, by=request.user)
    except DomainError as exc:
        messages.error(request, exc.detail)
    else:
        messages.success(request, _("%(n)s statements issued; partners may dispute a line for the window set.") % {
            "n": n})
    return redirect("performance:week_detail", pk=week.pk)


@require_POST
@permission_required("performance.manage")
def week_pay_view(request, pk):
    week = _week(pk)
    try:
        job_start(kind=tasks.JOB_PAY, subject=week, task=tasks.week_pay_job, by=request.user)
    except DomainError as exc:
        messages.error(request, exc.detail)
    else:
        messages.info(request, _("Paying the approved statements; each is paid once."))
    return redirect("performance:week_detail", pk=week.pk)


@require_POST
@permission_required("performance.manage")
def statement_approve_view(request, pk):
    statement = or_404(selectors.statement_get, user=request.user, statement_id=pk)
    try:
        statement_approve(statement=statement, by=request.user)
    except DomainError as exc:
        messages.error(request, exc.detail)
    else:
        messages.success(request, _("Statement approved."))
    return redirect("performance:statement_detail", pk=statement.pk)


@require_POST
@permission_required("performance.manage")
def statement_pay_view(request, pk):
    statement = or_404(selectors.statement_get, user=request.user, statement_id=pk)
    try:
        statement_pay(statement_id=statement.pk, by=request.user)
    except DomainError as exc:
        messages.error(request, exc.detail)
    else:
        messages.success(request, _("Payment sent; the statement is marked paid when Stripe confirms it."))
    return redirect("performance:statement_detail", pk=statement.pk)


@require_POST
@permission_required("performance.manage")
def dispute_resolve_view(request, pk):
    dispute = or_404(selectors.dispute_get, user=request.user, dispute_id=pk)
    try:
        dispute_resolve(dispute=dispute, adjustment=request.POST.get("adjustment", "0"),
                        note=request.POST.get("note", ""), by=request.user)
    except DomainError as exc:
        messages.error(request, exc.detail)
    else:
        messages.success(request, _("Dispute resolved; the partner sees the answer on the statement."))
    return redirect("performance:statement_detail", pk=dispute.statement_id)
