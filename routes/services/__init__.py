"""Writes that matter: transitions, bulk saves, side effects (keyword-only, atomic)."""

from routes.services.assignment import route_assign, routes_auto_assign, routes_deal  # noqa: F401
from routes.services.driver_batch import driver_batch_apply  # noqa: F401
from routes.services.driving import (  # noqa: F401
    package_carry_forward,
    package_scan,
    route_complete,
    route_load_check,
    route_returns_due,
    route_start,
    stop_contact_record,
)
from routes.services.hubsplit import hub_split  # noqa: F401
from routes.services.manifest_jobs import (  # noqa: F401
    MANIFEST_JOB,
    manifest_can_start,
    manifest_import_for_job,
    manifest_import_start,
    manifest_live_job,
    manifest_preview,
    manifest_upload_store,
)
from routes.services.manifests import (  # noqa: F401
    ManifestCheck,
    RowError,
    manifest_check,
    manifest_import,
    manifest_rows_from_csv,
)
from routes.services.nightly import station_plan_night  # noqa: F401
from routes.services.outcomes import stop_outcome_record, stop_outcome_undo  # noqa: F401
from routes.services.planning import (  # noqa: F401
    PLAN_JOB,
    plan_build,
    plan_build_for_job,
    plan_build_start,
    plan_fail,
    plan_is_stuck,
    plan_live_job,
    plan_solution_save,
    plan_solution_save_for_job,
    problem_build,
)
from routes.services.proof import proof_needs, proof_needs_for_stop, stop_proof_reject  # noqa: F401
from routes.services.publishing import plan_publish  # noqa: F401
