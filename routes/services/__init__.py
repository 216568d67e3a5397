"""Writes that matter: transitions, bulk saves, side effects (keyword-only, atomic)."""

from routes.services.assignment import route_assign, routes_auto_assign, routes_deal  # noqa: F401
from routes.services.hubsplit import hub_split  # noqa: F401
from routes.services.manifests import (  # noqa: F401
    ManifestCheck,
    RowError,
    manifest_check,
    manifest_import,
    manifest_rows_from_csv,
)
from routes.services.nightly import station_plan_night  # noqa: F401
from routes.services.outcomes import stop_outcome_record  # noqa: F401
from routes.services.planning import plan_build, plan_fail, plan_solution_save, problem_build  # noqa: F401
from routes.services.publishing import plan_publish  # noqa: F401
