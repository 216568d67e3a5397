"""The national night, live (admins): tonight's stations queued, solving (with progress), saved or failed, who
planned each, and stations done over time. The table refreshes itself (htmx) while the night runs."""

from django.http import Http404
from django.shortcuts import render

from accounts.permissions import permission_required
from routes import nights, selectors


def _context(night) -> dict:
    if night is None:
        return {"night": None}
    runs = list(nights.night_runs(night=night))
    progress = nights.runs_progress(runs)
    for run in runs:
        run.progress = progress.get(run.pk)
    return {"night": night, "runs": runs, "counts": nights.night_counts(night=night),
            "chart": nights.night_chart_svg(night=night)}


@permission_required("routes.plan")
def planning_runs(request, pk: int | None = None):
    night = nights.night_get(night_id=pk)
    if pk is not None and night is None:
        raise Http404
    context = {**_context(night), "nights": nights.night_list(), "others": selectors.planning_runs_alone()}
    if request.htmx:
        return render(request, "routes/_night.html", context)
    return render(request, "routes/planning_runs.html", context)
