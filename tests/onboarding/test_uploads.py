"""Uploads are checked by content and size, stored privately, and served only to the applicant and admins."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from core.errors import ValidationFailed
from onboarding import services
from onboarding.models import ApplicationDocument
from tests.onboarding.conftest import EXE_BYTES, PDF_BYTES, PNG_BYTES, pdf_file, pdf_upload
from tests.onboarding.factories import ApplicationFactory, application_in

pytestmark = pytest.mark.django_db

ELEVEN_MB = 11 * 1024 * 1024


@pytest.mark.parametrize("content", [EXE_BYTES, b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 300, b"just some text"],
                         ids=["windows-exe", "linux-elf", "text"])
def test_an_executable_renamed_pdf_is_refused(content):
    application = ApplicationFactory()
    with pytest.raises(ValidationFailed) as caught:
        services.application_document_upload(application=application, kind="government_id",
                                              upload=pdf_upload("passport.pdf", content),
                                              uploaded_by=application.applicant)
    assert caught.value.code == "file_type_not_allowed"
    assert not ApplicationDocument.objects.exists()


def test_an_11_mb_file_is_refused():
    application = ApplicationFactory()
    with pytest.raises(ValidationFailed) as caught:
        services.application_document_upload(application=application, kind="resume",
                                              upload=pdf_upload("resume.pdf", PDF_BYTES + b"0" * ELEVEN_MB),
                                              uploaded_by=application.applicant)
    assert caught.value.code == "file_too_large"
    assert not ApplicationDocument.objects.exists()


def test_the_api_refuses_a_fake_pdf_and_an_11_mb_file(token_client):
    application = ApplicationFactory()
    client = token_client(application.applicant)
    url = f"/api/v1/applications/{application.pk}/documents/"
    fake = client.post(url, {"kind": "resume", "file": pdf_file("resume.pdf", EXE_BYTES)}, format="multipart")
    assert fake.status_code == 400 and fake.json()["code"] == "file_type_not_allowed"
    big = client.post(url, {"kind": "resume", "file": pdf_file("resume.pdf", PDF_BYTES + b"0" * ELEVEN_MB)},
                      format="multipart")
    assert big.status_code == 400 and big.json()["code"] == "file_too_large"


def test_the_wizard_shows_the_refusal_on_the_field(client):
    application = ApplicationFactory()
    client.force_login(application.applicant)
    response = client.post(reverse("onboarding:application_step", args=[application.pk, 5]),
                           {"doc_government_id": pdf_upload("id.pdf", EXE_BYTES), "action": "continue"})
    assert response.status_code == 200
    assert "Only JPG, PDF, PNG files are accepted" in response.content.decode()
    assert not ApplicationDocument.objects.exists()


def test_a_png_is_accepted_and_a_new_upload_replaces_the_old_one():
    application = ApplicationFactory()
    first = services.application_document_upload(
        application=application, kind="government_id", uploaded_by=application.applicant,
        upload=SimpleUploadedFile("id.png", PNG_BYTES, content_type="image/png"))
    assert first.content_type == "image/png"
    second = services.application_document_upload(application=application, kind="government_id",
                                                  upload=pdf_upload("id.pdf"), uploaded_by=application.applicant)
    assert list(application.documents.all()) == [second]


def test_files_are_stored_outside_public_urls_under_a_random_name(settings):
    application = ApplicationFactory()
    document = services.application_document_upload(application=application, kind="resume",
                                                    upload=pdf_upload("My Resume.pdf"),
                                                    uploaded_by=application.applicant)
    path = document.file.path
    assert path.startswith(str(settings.PRIVATE_MEDIA_ROOT))
    assert "My Resume" not in path
    assert not path.startswith(str(settings.STATIC_ROOT))


def test_another_users_document_is_404_but_the_applicant_and_admins_download_it(client, make_user, admin_user):
    application = application_in("submitted")
    document = application.documents.first()
    url = reverse("onboarding:document_download", args=[application.pk, document.pk])
    client.force_login(make_user())
    assert client.get(url).status_code == 404
    # The right document id under another application's id is a 404 too.
    other = application_in("submitted")
    client.force_login(other.applicant)
    assert client.get(reverse("onboarding:document_download", args=[other.pk, document.pk])).status_code == 404
    for user in (application.applicant, admin_user):
        client.force_login(user)
        response = client.get(url)
        assert response.status_code == 200
        assert response["Cache-Control"] == "private, no-store"
        assert b"".join(response.streaming_content).startswith(b"%PDF")


def test_signed_out_visitors_are_sent_to_sign_in(client):
    application = application_in("submitted")
    document = application.documents.first()
    response = client.get(reverse("onboarding:document_download", args=[application.pk, document.pk]))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
