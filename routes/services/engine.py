"""The project's settings for the solver library (`routes.solver` reads none itself): what the planner,
the nightly run and the Celery tasks pass in as arguments."""

from django.conf import settings

from routes.solver import Limits


def solver_limits() -> Limits:
    """ROUTES_DECOMPOSE_ABOVE and ROUTES_POLISH_WHOLE_UPTO as the engine's `Limits`."""
    return Limits(decompose_above=settings.ROUTES_DECOMPOSE_ABOVE,
                  polish_whole_upto=settings.ROUTES_POLISH_WHOLE_UPTO)


def chord_workers() -> int | None:
    """ROUTES_CHORD_WORKERS: how many Celery workers solve a chord's jobs at once (None: one each)."""
    return settings.ROUTES_CHORD_WORKERS or None


def default_provider_spec(*, circuity: float, speed_kmh: float) -> dict:
    """What the planner uses for a station: OSRM when ROUTES_OSRM_URL is set, great-circle otherwise."""
    url = getattr(settings, "ROUTES_OSRM_URL", "")
    if url:
        return {"kind": "osrm", "url": url, "max_table": getattr(settings, "ROUTES_OSRM_MAX_TABLE", 100)}
    return {"kind": "haversine", "circuity": circuity, "speed_kmh": speed_kmh}
