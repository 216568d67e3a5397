"""The applicant's pages: start, the six-step wizard, the review page, status and history."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.permissions import permission_required
from core.errors import DomainError, NotFound
from core.files import private_file_response
from onboarding.forms import step_form_class
from onboarding.selectors import (
    application_document_get,
    application_events,
    application_get,
    application_latest_for_user,
    application_open_for_user,
    onboarding_settings,
    region_list,
)
from onboarding.services import (
    application_create,
    application_document_upload,
    application_submit,
    application_update,
    application_withdraw,
)
from onboarding.steps import (
    STEP_BY_NUMBER,
    STEPS,
    answer_sections,
    application_problems,
    completed_steps,
    first_incomplete_step,
    required_document_kinds,
)
from onboarding.views.common import add_domain_error, flash_domain_error


def _own(request, application_id):
    try:
        application = application_get(user=request.user, application_id=application_id)
    except NotFound:
        raise Http404 from None
    if application.applicant_id != request.user.pk:
        raise Http404  # admins review through the review pages
    return application


def _progress(application, settings):
    problems = application_problems(application, settings=settings)
    done = completed_steps(problems)
    return {
        "problems": problems,
        "done_steps": done,
        "steps": STEPS,
        "percent": round(100 * len(done) / len(STEPS)),
        "next_step": first_incomplete_step(problems),
    }


@permission_required("onboarding.apply")
def apply(request):
    """Start page: the program's requirements and a button; an open application resumes instead."""
    current = application_open_for_user(user=request.user)
    if current is not None:
        return redirect("onboarding:application", current.pk)
    if request.method == "POST":
        try:
            application = application_create(applicant=request.user)
        except DomainError as exc:
            flash_domain_error(request, exc)
            return redirect("onboarding:apply")
        return redirect("onboarding:application_step", application.pk, 1)
    return render(request, "onboarding/apply_start.html", {
        "settings": onboarding_settings(), "previous": application_latest_for_user(user=request.user),
        "regions": region_list(),
    })


@permission_required("onboarding.apply")
def application_detail(request, application_id):
    application = _own(request, application_id)
    settings = onboarding_settings()
    return render(request, "onboarding/application.html", {
        "application": application, "events": application_events(application=application),
        "documents": application.documents.all(), **_progress(application, settings),
    })


def _documents_by_kind(application):
    return {doc.kind: doc for doc in application.documents.all()}


@permission_required("onboarding.apply")
def application_step(request, application_id, step):
    application = _own(request, application_id)
    if step not in STEP_BY_NUMBER:
        raise Http404
    if not application.is_editable:
        messages.info(request, _("This application can no longer be changed."))
        return redirect("onboarding:application", application.pk)
    settings = onboarding_settings()
    form_class = step_form_class(step)
    form = form_class(request.POST or None, request.FILES or None, instance=application, regions=region_list())
    if request.method == "POST" and form.is_valid():
        outcome = _save_step(request, application, form)
        if outcome is not None:
            return outcome
    return _render_step(request, application, step, form, settings)


def _save_step(request, application, form):
    """Save what is valid; on "continue" also require the step to be complete. None re-renders the form."""
    step = STEP_BY_NUMBER[int(request.resolver_match.kwargs["step"])]
    try:
        application = application_update(application=application, data=form.answers(), updated_by=request.user)
    except DomainError as exc:
        add_domain_error(form, exc)
        return None
    for kind, upload in form.uploads().items():
        try:
            application_document_upload(application=application, kind=kind, upload=upload, uploaded_by=request.user)
        except DomainError as exc:
            form.add_error(f"doc_{kind}", exc.detail)
    if form.errors:
        return None
    if request.POST.get("action") == "save":
        messages.success(request, _("Your draft is saved. Come back any time to finish it."))
        return redirect("onboarding:application", application.pk)
    settings = onboarding_settings()
    problems = [p for p in application_problems(application, settings=settings) if p.step == step.number]
    if problems:
        for p in problems:
            target = p.field if p.field in form.fields else f"doc_{p.field}"
            form.add_error(target if target in form.fields else None, p.message)
        return None
    if step.number < len(STEPS):
        return redirect("onboarding:application_step", application.pk, step.number + 1)
    return redirect("onboarding:application_review", application.pk)


def _render_step(request, application, step, form, settings):
    application.refresh_from_db()
    return render(request, "onboarding/step.html", {
        "application": application, "step": STEP_BY_NUMBER[step], "form": form, "settings": settings,
        "documents": _documents_by_kind(application), "required_documents": required_document_kinds(application),
        **_progress(application, settings),
    })


@permission_required("onboarding.apply")
def application_review(request, application_id):
    application = _own(request, application_id)
    settings = onboarding_settings()
    return render(request, "onboarding/review_submit.html", {
        "application": application, "sections": answer_sections(application), "settings": settings,
        "documents": application.documents.all(), **_progress(application, settings),
    })


@require_POST
@permission_required("onboarding.apply")
def application_submit_view(request, application_id):
    application = _own(request, application_id)
    try:
        application_submit(application=application, submitted_by=request.user)
    except DomainError as exc:
        flash_domain_error(request, exc)
        return redirect("onboarding:application_review", application.pk)
    messages.success(request, _("Your application is submitted. We will e-mail you when there is news."))
    return redirect("onboarding:application", application.pk)


@require_POST
@permission_required("onboarding.apply")
def application_withdraw_view(request, application_id):
    application = _own(request, application_id)
    try:
        application_withdraw(application=application, withdrawn_by=request.user, note=request.POST.get("note", ""))
    except DomainError as exc:
        flash_domain_error(request, exc)
    else:
        messages.success(request, _("Your application is withdrawn."))
    return redirect("onboarding:application", application.pk)


@login_required
def document_download(request, application_id, document_id):
    """The applicant and program admins only; anyone else gets the same 404 as a missing file."""
    try:
        document = application_document_get(user=request.user, application_id=application_id,
                                            document_id=document_id)
    except NotFound:
        raise Http404 from None
    ext = document.file.name.rsplit(".", 1)[-1]
    return private_file_response(document.file, download_name=f"application-{application_id}-{document.kind}.{ext}")
