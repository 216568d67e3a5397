"""History rows show statuses as people read them, never the stored code."""

import pytest

from onboarding.claims.models import ClaimEvent
from onboarding.models import ApplicationEvent
from routes.models import PlanEvent


@pytest.mark.parametrize(("log_model", "from_status", "to_status", "from_label", "to_label"), [
    (ClaimEvent, "submitted", "partially_approved", "Submitted", "Partially approved"),
    (ApplicationEvent, "in_review", "needs_info", "In review", "Needs information"),
    (PlanEvent, "optimizing", "ready", "Optimizing", "Ready"),
])
def test_a_transition_log_reads_its_subjects_status_labels(log_model, from_status, to_status, from_label, to_label):
    row = log_model(from_status=from_status, to_status=to_status)
    assert (row.from_label, row.to_label) == (from_label, to_label)


def test_an_empty_from_status_reads_empty_so_the_page_shows_a_dash():
    assert ClaimEvent(from_status="", to_status="draft").from_label == ""
