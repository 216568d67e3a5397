"""A job's progress as people read it: the phase in words, sectors done, best distance, time left (a plan),
rows checked of rows (a manifest import)."""

from django.utils.translation import gettext_lazy as _

PHASES = {
    "": _("Waiting for a worker"),
    "hub_split": _("Sending packages to hubs"),
    "building": _("Building the problem"),
    "solving": _("Solving"),
    "repairing": _("Repairing sector borders"),
    "saving": _("Saving the routes"),
    "reading": _("Reading the file"),
    "validating": _("Checking the rows"),
    "writing": _("Saving the packages"),
}


def job_progress_view(job) -> dict:
    """Figures for the page and the API from the job's row (any missing figure is None)."""
    p = job.progress or {}
    seconds, left = p.get("seconds"), p.get("left_s")
    percent = None
    if seconds and left is not None:
        percent = max(0, min(99, round(100 * (seconds - left) / seconds)))
    elif p.get("rows"):  # an import: checking the rows is most of it, then one bulk write
        checked = p.get("rows_checked") or 0
        percent = 95 if job.phase == "writing" else max(0, min(90, round(90 * checked / p["rows"])))
    best = p.get("best_m")
    return {
        "status": job.status, "phase": job.phase, "phase_label": str(PHASES.get(job.phase, job.phase)),
        "sector": p.get("sector"), "sectors": p.get("sectors"), "sectors_done": p.get("sectors_done"),
        "best_m": best, "best_km": round(best / 1000, 1) if best else None, "left_s": left, "percent": percent,
        "stops": p.get("stops"), "rows": p.get("rows"), "rows_checked": p.get("rows_checked"),
        "to_write": p.get("to_write"),
    }
