"""Manifest pages (planners): upload -> preview (the file's rows counted, the first ones checked) -> import as a
job, whose page shows its progress while it runs and what it imported (or which rows are wrong) when it ends."""

from datetime import timedelta

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from accounts.permissions import permission_required
from core.errors import DomainError
from routes import selectors, services
from routes.forms import ManifestUploadForm
from routes.services.manifest_jobs import PREVIEW_ROWS
from routes.views.common import or_404
from routes.views.jobs import job_progress_view


@permission_required("routes.plan")
def manifest_upload(request, code):
    """Upload and preview: nothing is imported until the preview's Import button starts the job."""
    station = or_404(selectors.station_get, code=code)
    form = ManifestUploadForm(request.POST or None, request.FILES or None,
                              initial={"service_date": station.local_today() + timedelta(days=1)})
    preview = None
    if request.method == "POST" and form.is_valid():
        try:
            upload = services.manifest_upload_store(station=station, service_date=form.cleaned_data["service_date"],
                                                    file=form.cleaned_data["file"], by=request.user)
        except DomainError as exc:
            form.add_error("file", exc.detail)
        else:
            check = services.manifest_preview(upload=upload)
            preview = {"upload": upload, "sample": check.packages, "errors": check.errors,
                       "checked": min(upload.rows, PREVIEW_ROWS)}
    return render(request, "routes/manifest_upload.html", {
        "station": station, "form": form, "preview": preview,
        "uploads": selectors.manifest_uploads_recent(station=station)})


@require_http_methods(["GET", "POST"])
@permission_required("routes.plan")
def manifest_import(request, code, pk):
    """POST starts (or, after a dead worker, restarts) the upload's import; GET shows its progress, polled by
    htmx (the page reloads when the job is over, to show what it imported or which rows are wrong)."""
    station = or_404(selectors.station_get, code=code)
    upload = or_404(selectors.manifest_upload_get, station=station, upload_id=pk)
    if request.method == "POST":
        try:
            services.manifest_import_start(upload=upload, by=request.user)
        except DomainError as exc:
            messages.error(request, exc.detail)
        return redirect("routes:manifest_import", code=code, pk=upload.pk)
    job = services.manifest_live_job(upload=upload)
    context = {"box": "import-job", "poll": request.path, "job": job, "station": station,
               "progress": job_progress_view(job) if job else None}
    if request.htmx:
        if job is None:
            response = HttpResponse()
            response["HX-Refresh"] = "true"
            return response
        return render(request, "routes/_job_progress.html", context)
    last = upload.job
    return render(request, "routes/manifest_import.html", {
        **context, "station": station, "upload": upload, "last": last,
        "stale": last is not None and last.stale, "can_start": services.manifest_can_start(upload=upload),
        "plan_url": f"{reverse('routes:plan_detail', args=[code])}?date={upload.service_date.isoformat()}",
        "title": _("Manifest import")})
