"""Steps the applicant and admin take in Chromium, shared by the PostgreSQL and the embedded-default journeys."""

import re

from tests.onboarding.conftest import PDF_BYTES


def pdf_file(tmp_path, name) -> str:
    """A small real PDF on disk, for an upload field."""
    path = tmp_path / name
    path.write_bytes(PDF_BYTES)
    return str(path)


def wizard_continue(page, next_path) -> None:
    page.click("#continue")
    page.wait_for_url(re.compile(next_path))


def record_clear_checks(page, *, reference: str) -> None:
    """On an application's review page: the three background checks recorded as clear."""
    for kind in ("criminal", "credit", "mvr"):
        page.select_option("#check-kind", kind)
        page.select_option("#check-status", "clear")
        page.fill("input[name=reference]", f"BG-{kind.upper()}-{reference}")
        page.click("#record-check")
        page.wait_for_selector(f'tr[data-check="{kind}"] >> text=Clear')
