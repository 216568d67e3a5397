"""Partner pages (scorecard, drill-down, statements, disputes) and the statement downloads the program
shares. Another partner's statement, dispute or scorecard answers 404."""

from datetime import timedelta

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from accounts.permissions import permission_required, user_has_perm
from core.dates import page_day
from core.errors import DomainError, NotFound
from core.files import private_file_response
from core.servicedays import service_today, service_week
from onboarding.models import Partner
from onboarding.selectors import partner_for_user
from performance import selectors
from performance.exports import line_source, statement_csv, statement_pdf
from performance.models import TIER_ORDER, Metric, Scorecard, StatementStatus, Tier
from performance.services.metrics import METRICS
from performance.services.statements import statement_dispute


def or_404(fn, **kwargs):
    try:
        return fn(**kwargs)
    except NotFound as exc:
        raise Http404 from exc


def _any(user, *names) -> bool:
    return any(user_has_perm(user, n) for n in names)


def _partner_asked(request):
    """The partner the page is about: the user's own; a program admin names one with `?partner=`."""
    if selectors.is_program(request.user):
        raw = request.GET.get("partner", "")
        partner = Partner.objects.filter(pk=int(raw)).first() if raw.isdigit() else None
    else:
        partner = partner_for_user(user=request.user)
    if partner is None:
        raise Http404
    return partner


def _chart(trend) -> dict:
    order = {t: len(TIER_ORDER) - i for i, t in enumerate(TIER_ORDER)}
    return {"weeks": [c.week_start.strftime("%b %d") for c in trend],
            "score": [float(c.score) for c in trend],
            "dcr": [float(c.metrics["dcr"]["value"]) if "dcr" in c.metrics else None for c in trend],
            "tier": [order.get(c.tier, 0) for c in trend]}


def _login_or_404(request, *perms):
    if not request.user.is_authenticated:
        return redirect(f"{reverse('account_login')}?next={request.path}")
    if not _any(request.user, *perms):
        raise Http404
    return None


@require_GET
def scorecard(request):
    if (early := _login_or_404(request, "performance.view", "performance.manage")) is not None:
        return early
    partner = _partner_asked(request)
    # By default the last week that is over (this week's card is provisional and shown one click away).
    latest = (Scorecard.objects.filter(partner=partner, week_end__lt=service_today()).order_by("-week_start").first()
              or Scorecard.objects.filter(partner=partner).order_by("-week_start").first())
    default = latest.week_start if latest else service_week()[0]
    week = service_week(day=page_day(request, default=default, field="week"))[0]
    card = selectors.scorecard_for_week(partner=partner, week_start=week)
    trend = selectors.scorecard_trend(partner=partner, until=week)
    metrics = []
    if card is not None:
        for metric in Metric:
            figure = card.metrics.get(metric.value)
            if figure is not None:
                # a defect: a share under 100%, or any event / report where a count per hours or million
                defective = (figure["numerator"] != figure["denominator"] if figure.get("unit") == "%"
                             else bool(figure["numerator"]))
                metrics.append({"code": metric.value, "label": metric.label, **figure, "defective": defective,
                                "tier_label": Tier(figure["tier"]).label if figure.get("tier") else ""})
    unmeasured = [m.label for m in Metric if m.value not in METRICS]
    drivers = list(card.drivers.select_related("driver").order_by("-score", "driver__last_name")) if card else []
    return render(request, "performance/scorecard.html", {
        "partner": partner, "card": card, "week": week, "week_end": week + timedelta(days=6), "metrics": metrics,
        "drivers": drivers, "unmeasured": unmeasured, "chart": _chart(trend), "trend": trend,
        "prev": week - timedelta(days=7), "next": week + timedelta(days=7),
        "is_program": selectors.is_program(request.user),
        "tier_label": Tier(card.tier).label if card and card.tier else ""})


@require_GET
def defects(request):
    if (early := _login_or_404(request, "performance.view", "performance.manage")) is not None:
        return early
    partner = _partner_asked(request)
    week = service_week(day=page_day(request, default=service_week()[0], field="week"))[0]
    metric = request.GET.get("metric", Metric.DCR)
    raw_driver = request.GET.get("driver", "")
    driver_id = int(raw_driver) if raw_driver.isdigit() else None
    stops = selectors.defects(partner_id=partner.pk, week_start=week, metric=metric, driver_id=driver_id)
    if stops is None:
        raise Http404
    routes = None
    if METRICS[metric].level == "route":
        routes, stops = selectors.defect_routes(metric=metric, routes=stops[:500], week_start=week), []
    return render(request, "performance/defects.html", {
        "partner": partner, "week": week, "metric": Metric(metric).label, "stops": stops[:500], "routes": routes,
        "is_program": selectors.is_program(request.user), "driver_id": driver_id})


@permission_required("performance.view")
def statement_list(request):
    partner = partner_for_user(user=request.user)
    if partner is None:
        raise Http404
    statements = list(selectors.statement_list(fetched_by=request.user)[:52])
    return render(request, "performance/statement_list.html", {"partner": partner, "statements": statements,
                                                               "today": service_today()})


def _statement(request, pk):
    return or_404(selectors.statement_get, user=request.user, statement_id=pk)


def _line_link(line, is_program) -> str:
    if line.route_id:
        return reverse("routes:route_manifest", args=[line.route_id])
    return ""


def statement_detail(request, pk):
    if (early := _login_or_404(request, "performance.view", "performance.manage")) is not None:
        return early
    statement = _statement(request, pk)
    is_program = selectors.is_program(request.user)
    lines = list(selectors.statement_lines(statement=statement))
    for line in lines:
        line.link, line.source = _line_link(line, is_program), line_source(line)
        line.rate_text, line.quantity_text = _plain(line.rate), _plain(line.quantity)
        line.open_dispute = next((d for d in line.disputes.all() if d.status == "open"), None)
    disputable = (statement.status in (StatementStatus.ISSUED, StatementStatus.DISPUTED, StatementStatus.ADJUSTED)
                  and statement.dispute_until is not None and not _past(statement.dispute_until))
    return render(request, "performance/statement_detail.html", {
        "statement": statement, "lines": lines, "is_program": is_program, "log": statement.log.all(),
        "disputes": statement.disputes.select_related("line", "raised_by", "resolved_by"),
        "can_dispute": disputable and user_has_perm(request.user, "performance.dispute"),
        "disputable": disputable, "tier_label": Tier(statement.tier).label if statement.tier else ""})


def _plain(value) -> str:
    """A rate or quantity as people write it: 0.4, 295, 3922, -683.44 (no trailing zeros, no exponent)."""
    text = f"{value:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def _past(moment) -> bool:
    from django.utils import timezone

    return timezone.now() > moment


@require_GET
def statement_csv_view(request, pk):
    if (early := _login_or_404(request, "performance.view", "performance.manage")) is not None:
        return early
    statement = _statement(request, pk)
    response = HttpResponse(statement_csv(statement, selectors.statement_lines(statement=statement)),
                            content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="statement-{statement.pk}-{statement.week_start}.csv"'
    return response


@require_GET
def statement_pdf_view(request, pk):
    if (early := _login_or_404(request, "performance.view", "performance.manage")) is not None:
        return early
    statement = _statement(request, pk)
    response = HttpResponse(statement_pdf(statement, list(selectors.statement_lines(statement=statement))),
                            content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="statement-{statement.pk}-{statement.week_start}.pdf"'
    return response


@require_POST
@permission_required("performance.dispute")
def statement_dispute_view(request, pk):
    statement = _statement(request, pk)
    try:
        statement_dispute(statement=statement, line_id=request.POST.get("line"), reason=request.POST.get("reason", ""),
                          attachment=request.FILES.get("attachment"), by=request.user)
    except DomainError as exc:
        messages.error(request, exc.detail)
    else:
        messages.success(request, _("Your dispute was sent to the program; you will see the answer here."))
    return redirect("performance:statement_detail", pk=statement.pk)


@require_GET
def dispute_file(request, pk):
    if (early := _login_or_404(request, "performance.view", "performance.manage")) is not None:
        return early
    dispute = or_404(selectors.dispute_get, user=request.user, dispute_id=pk)
    if not dispute.attachment:
        raise Http404
    return private_file_response(dispute.attachment, download_name=f"dispute-{dispute.pk}")
