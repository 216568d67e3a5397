import io
from contextlib import ExitStack

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from onboarding.models import OnboardingSettings

# Smallest valid files of each accepted type (checked by content, not name).
PDF_BYTES = b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Count 0/Kids[]>>endobj\n" \
            b"trailer<</Root 1 0 R>>\n%%EOF\n"
PNG_BYTES = (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4"
             b"\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82")
EXE_BYTES = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 200


def pdf_upload(name="document.pdf", content=PDF_BYTES):
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def pdf_file(name="document.pdf", content=PDF_BYTES):
    handle = io.BytesIO(content)
    handle.name = name
    return handle


@pytest.fixture
def program_settings(db):
    row, _ = OnboardingSettings.objects.get_or_create(singleton=True)
    return row


@pytest.fixture
def checklist_source():
    """`checklist_source(key, fn)`: answer a checklist item for this test only (the project's wiring comes back)."""
    from onboarding.checklist import checklist_sources

    with ExitStack() as stack:
        yield lambda key, fn: stack.enter_context(checklist_sources.replaced(fn, key=key))
