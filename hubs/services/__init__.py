"""Writes that matter: transitions, money, side effects (keyword-only, atomic)."""

from hubs.services.enrollment import (  # noqa: F401
    eligibility_check,
    hub_decide,
    hub_enroll,
    hub_owner_set_paused,
)
from hubs.services.parcels import (  # noqa: F401
    OutcomeItem,
    OutcomeResult,
    ParcelSpec,
    parcel_outcomes_record,
    parcels_allocate,
    parcels_close_day,
)
from hubs.services.payouts import hub_payout_onboarding_link, statement_pay, statements_pay_due  # noqa: F401,E402
from hubs.services.statements import statements_compute, week_start_of  # noqa: F401
