"""A job's progress as people read it: the phase in words, sectors done, best distance, time left."""

from django.utils.translation import gettext_lazy as _

PHASES = {
    "": _("Waiting for a worker"),
    "hub_split": _("Sending packages to hubs"),
    "building": _("Building the problem"),
    "solving": _("Solving"),
    "repairing": _("Repairing sector borders"),
    "saving": _("Saving the routes"),
}


def job_progress_view(job) -> dict:
    """Figures for the page and the API from the job's row (any missing figure is None)."""
    p = job.progress or {}
    seconds, left = p.get("seconds"), p.get("left_s")
    percent = None
    if seconds and left is not None:
        percent = max(0, min(99, round(100 * (seconds - left) / seconds)))
    best = p.get("best_m")
    return {
        "status": job.status, "phase": job.phase, "phase_label": str(PHASES.get(job.phase, job.phase)),
        "sector": p.get("sector"), "sectors": p.get("sectors"), "sectors_done": p.get("sectors_done"),
        "best_m": best, "best_km": round(best / 1000, 1) if best else None, "left_s": left, "percent": percent,
        "stops": p.get("stops"),
    }
