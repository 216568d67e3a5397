"""Writes that matter in onboarding: the application's life, its checks, and the Partner it creates.

Every status move goes through `core.workflow.transition` (row lock, allowed-move check, event row)
and sends its e-mail only after commit. Decisions and checks are program admins' (and, for checks,
integrators'); nobody decides their own application."""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Role
from accounts.permissions import user_has_perm
from accounts.services import user_set_role
from core.audience import Audience
from core.errors import Conflict, InvalidTransition, NotFound, PermissionDenied, ValidationFailed
from core.events import event_record
from core.files import file_sha256, validate_upload
from core.workflow import lock, transition
from onboarding.emails import application_email_queue
from onboarding.models import (
    APPLICATION_WORKFLOW,
    Application,
    ApplicationDocument,
    ApplicationEvent,
    BackgroundCheck,
    Partner,
    PartnerMembership,
)
from onboarding.selectors import onboarding_settings
from onboarding.steps import ANSWER_FIELDS, application_problems
from onboarding.validators import normalize_ein

S = Application.Status
DECIDED = (S.APPROVED, S.REJECTED, S.ONBOARDED, S.WITHDRAWN)


# --- helpers --------------------------------------------------------------------------------


def _email_after_commit(application_id: int, kind: str) -> None:
    """The applicant's e-mail joins this transaction's outbox (core.mail): it is sent once the change commits."""
    application_email_queue(Application.objects.select_related("applicant").get(pk=application_id), kind)


def plan_move(row: Application, to: str, *, actor, note: str = "", changes: dict | None = None) -> Application:
    """Check the move with a message that says what happened when someone else got there first."""
    if row.status in DECIDED and not APPLICATION_WORKFLOW.allowed(row.status, to):
        raise InvalidTransition(
            _("This application is already %(status)s; reload the page to see its latest state.")
            % {"status": row.get_status_display().lower()}, code="invalid_transition")
    return transition(instance=row, to=to, workflow=APPLICATION_WORKFLOW, log_model=ApplicationEvent,
                      subject_field="application", actor=actor, note=note.strip(), changes=changes)


def _log(row: Application, *, actor, note: str) -> None:
    """A decision that is not a status move (a check result, a veteran verification) still goes on the log."""
    ApplicationEvent.objects.create(application=row, actor=actor, from_status=row.status, to_status=row.status,
                                    note=note)


def _ensure_applicant(application: Application, user) -> None:
    if application.applicant_id != getattr(user, "pk", None):
        raise NotFound()


def _ensure_reviewer(application: Application, user, *, permission: str = "onboarding.review") -> None:
    if not user_has_perm(user, permission):
        raise PermissionDenied()
    if application.applicant_id == user.pk:
        raise PermissionDenied(_("You cannot review or decide your own application; another admin must."),
                               code="own_application")


def _validation_failed(exc: DjangoValidationError) -> ValidationFailed:
    fields = exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
    first = next(iter(fields.values()), [_("Invalid input.")])[0]
    return ValidationFailed(first, fields=fields)


def _apply_answers(application: Application, data: dict) -> list[str]:
    unknown = sorted(set(data) - set(ANSWER_FIELDS))
    if unknown:
        raise ValidationFailed(_("Unknown field: %(f)s.") % {"f": ", ".join(unknown)},
                               fields={name: [_("Unknown field.")] for name in unknown})
    for name, value in data.items():
        if name == "ein":
            value = normalize_ein(value)
        setattr(application, name, "" if value is None and name not in _NULLABLE else value)
    if "region" in data and application.region_id and not application.region.active:
        raise ValidationFailed(_("This region no longer takes applications."),
                               fields={"region": [_("This region no longer takes applications.")]})
    try:
        application.clean_fields(exclude=[f.name for f in Application._meta.fields if f.name not in data])
    except DjangoValidationError as exc:
        raise _validation_failed(exc) from None
    changed = list(data)
    if "is_veteran" in data:
        _set_track(application)
        changed += ["track", "veteran_status"]
    if any(name.startswith("consent_") or name == "accepted_terms" for name in data):
        application.consented_at = timezone.now() if _all_consents(application) else None
        changed.append("consented_at")
    return changed


_NULLABLE = {f.name for f in Application._meta.fields if f.null}


def _all_consents(app: Application) -> bool:
    return all([app.consent_background_check, app.consent_credit_check, app.consent_mvr_check, app.accepted_terms])


def _set_track(app: Application) -> None:
    app.track = Application.Track.VETERAN if app.is_veteran else Application.Track.STANDARD
    if not app.is_veteran:
        app.veteran_status = Application.VeteranStatus.NOT_APPLICABLE
    elif app.veteran_status == Application.VeteranStatus.NOT_APPLICABLE:
        app.veteran_status = Application.VeteranStatus.UNVERIFIED


# --- the applicant ----------------------------------------------------------------------------


def application_create(*, applicant, data: dict | None = None) -> Application:
    """Start a draft. One open application per person: a second is a Conflict (the database says so)."""
    if not user_has_perm(applicant, "onboarding.apply"):
        raise PermissionDenied(_("This account cannot apply to the program."))
    application = Application(applicant=applicant, legal_name=applicant.full_name)
    changed = _apply_answers(application, dict(data or {}))  # noqa: F841 - validates before the insert
    try:
        with transaction.atomic():
            application.save()
            ApplicationEvent.objects.create(application=application, actor=applicant, from_status="",
                                            to_status=S.DRAFT, note=_("Application started."))
    except IntegrityError:
        raise Conflict(_("You already have an open application; continue that one."),
                       code="application_already_open") from None
    return application


def application_update(*, application: Application, data: dict, updated_by) -> Application:
    """Save answers (any subset of the steps' fields) while the application is a draft or needs information."""
    _ensure_applicant(application, updated_by)
    with transaction.atomic():
        row = lock(application)
        if not row.is_editable:
            raise Conflict(_("A %(status)s application cannot be changed.") % {"status": row.get_status_display()},
                           code="not_editable")
        changed = _apply_answers(row, dict(data))
        if changed:
            row.save(update_fields=[*set(changed), "updated_at"])
    return row


def application_document_upload(*, application: Application, kind: str, upload, uploaded_by) -> ApplicationDocument:
    """Store a private document (PDF, JPEG or PNG by content, size-limited); a new one replaces the old."""
    _ensure_applicant(application, uploaded_by)
    if kind not in ApplicationDocument.Kind.values:
        raise ValidationFailed(_("Unknown document kind."), fields={"kind": [_("Unknown document kind.")]})
    content_type = validate_upload(upload)
    digest = file_sha256(upload)
    with transaction.atomic():
        row = lock(application)
        if not row.is_editable:
            raise Conflict(_("Documents can be changed only while the application is a draft or needs information."),
                           code="not_editable")
        old = list(row.documents.filter(kind=kind))
        for previous in old:
            previous.delete()
        document = ApplicationDocument.objects.create(
            application=row, kind=kind, file=upload, original_name=(upload.name or "upload")[:255],
            content_type=content_type, size=upload.size, sha256=digest, uploaded_by=uploaded_by)
        transaction.on_commit(lambda: [p.file.delete(save=False) for p in old])
    return document


def application_submit(*, application: Application, submitted_by) -> Application:
    _ensure_applicant(application, submitted_by)
    settings = onboarding_settings()
    with transaction.atomic():
        row = lock(application)
        APPLICATION_WORKFLOW.check(row.status, S.SUBMITTED)
        problems = application_problems(row, settings=settings)
        if problems:
            capital = next((p for p in problems if p.code == "capital_below_minimum"), None)
            first = capital or problems[0]
            fields: dict[str, list[str]] = {}
            for p in problems:
                fields.setdefault(p.field, []).append(p.message)
            raise ValidationFailed(first.message if capital else _("The application is not complete yet."),
                                   code="capital_below_minimum" if capital else "application_incomplete",
                                   fields=fields)
        now = timezone.now()
        row = plan_move(row, S.SUBMITTED, actor=submitted_by,
                    changes={"submitted_at": now, "first_submitted_at": row.first_submitted_at or now})
        for kind in settings.required_check_kinds:
            BackgroundCheck.objects.get_or_create(application=row, kind=kind)
        event_record(type="application.submitted", subject=row,
                     payload={"id": row.pk, "status": row.status, "track": row.track, "submitted_at": now},
                     audience=Audience.applicant(row.applicant_id))
        _email_after_commit(row.pk, "submitted")
    return row


def application_withdraw(*, application: Application, withdrawn_by, note: str = "") -> Application:
    _ensure_applicant(application, withdrawn_by)
    return plan_move(application, S.WITHDRAWN, actor=withdrawn_by, note=note or _("Withdrawn by the applicant."))


# --- the review -----------------------------------------------------------------------------


def application_review_start(*, application: Application, reviewer) -> Application:
    _ensure_reviewer(application, reviewer)
    return plan_move(application, S.IN_REVIEW, actor=reviewer)


def application_request_info(*, application: Application, decided_by, note: str) -> Application:
    _ensure_reviewer(application, decided_by)
    with transaction.atomic():
        row = plan_move(application, S.NEEDS_INFO, actor=decided_by, note=note, changes={"decision_note": note.strip()})
        _email_after_commit(row.pk, "needs_info")
    return row


def _decided(row: Application, *, decided_by, note: str) -> None:
    event_record(type="application.decided", subject=row,
                 payload={"id": row.pk, "status": row.status, "decided_at": row.decided_at, "note": note},
                 audience=Audience.applicant(row.applicant_id))
    _email_after_commit(row.pk, "decided")


def application_reject(*, application: Application, decided_by, note: str) -> Application:
    _ensure_reviewer(application, decided_by)
    with transaction.atomic():
        row = plan_move(application, S.REJECTED, actor=decided_by, note=note,
                    changes={"decided_at": timezone.now(), "decided_by": decided_by, "decision_note": note.strip()})
        _decided(row, decided_by=decided_by, note=note.strip())
    return row


def _ensure_checks_clear(row: Application) -> None:
    required = onboarding_settings().required_check_kinds
    results = dict(row.checks.values_list("kind", "status"))
    unclear = [kind for kind in required if results.get(kind) != BackgroundCheck.Result.CLEAR]
    if unclear:
        labels = ", ".join(str(BackgroundCheck.Kind(kind).label) for kind in unclear)
        raise Conflict(_("Every required check must be clear before approval; not clear: %(checks)s.")
                       % {"checks": labels}, code="checks_not_clear", fields={"checks": unclear})


def _create_partner(row: Application) -> Partner:
    partner = Partner.objects.create(
        legal_name=row.entity_name, entity_type=row.entity_type, state_of_formation=row.formation_state,
        ein=row.ein, region=row.region, application=row,
        veteran_owned=row.veteran_status == Application.VeteranStatus.VERIFIED)
    PartnerMembership.objects.create(user=row.applicant, partner=partner, role=PartnerMembership.Role.OWNER)
    if row.applicant.role in (Role.APPLICANT, Role.PARTNER_MANAGER):
        user_set_role(user=row.applicant, role=Role.PARTNER_OWNER)
    return partner


def application_approve(*, application: Application, decided_by, note: str = "") -> Application:
    """Approve, create the Partner with the applicant as owner, and move on to onboarded, in one transaction."""
    _ensure_reviewer(application, decided_by)
    with transaction.atomic():
        row = lock(application)
        if row.status != S.IN_REVIEW:
            plan_move(row, S.APPROVED, actor=decided_by)  # raises the right 409
        _ensure_checks_clear(row)
        row = plan_move(row, S.APPROVED, actor=decided_by, note=note,
                    changes={"decided_at": timezone.now(), "decided_by": decided_by, "decision_note": note.strip()})
        partner = _create_partner(row)
        _decided(row, decided_by=decided_by, note=note.strip())
        row = plan_move(row, S.ONBOARDED, actor=decided_by,
                    note=_("Partner “%(name)s” created.") % {"name": partner.legal_name})
    return row


DECISIONS = {
    "approve": application_approve,
    "reject": application_reject,
    "needs_info": application_request_info,
}


def application_decide(*, application: Application, decided_by, decision: str, note: str = "") -> Application:
    if decision not in DECISIONS:
        raise ValidationFailed(_("Choose approve, reject or needs_info."), fields={"decision": [_("Unknown.")]})
    return DECISIONS[decision](application=application, decided_by=decided_by, note=note)


CHECKABLE = (S.SUBMITTED, S.IN_REVIEW, S.NEEDS_INFO)


def background_check_record(*, application: Application, kind: str, status: str, recorded_by, reference: str = "",
                            note: str = "") -> BackgroundCheck:
    """Record a check result (a program admin on the page, or an integrator through the API)."""
    _ensure_reviewer(application, recorded_by, permission="onboarding.checks")
    if kind not in BackgroundCheck.Kind.values:
        raise ValidationFailed(_("Unknown check."), fields={"kind": [_("Unknown check.")]})
    if status not in BackgroundCheck.Result.values:
        raise ValidationFailed(_("Unknown check result."), fields={"status": [_("Unknown check result.")]})
    with transaction.atomic():
        row = lock(application)
        if row.status not in CHECKABLE:
            raise InvalidTransition(_("Checks are recorded only while an application is under review."),
                                    code="invalid_transition")
        check, _created = BackgroundCheck.objects.update_or_create(
            application=row, kind=kind,
            defaults={"status": status, "reference": reference.strip()[:100], "note": note.strip(),
                      "recorded_by": recorded_by})
        _log(row, actor=recorded_by, note=_("%(check)s check: %(result)s.%(note)s") % {
            "check": check.get_kind_display(), "result": check.get_status_display().lower(),
            "note": f" {note.strip()}" if note.strip() else ""})
    return check


VERIFIABLE = (S.SUBMITTED, S.IN_REVIEW, S.NEEDS_INFO, S.APPROVED, S.ONBOARDED)


def veteran_verify(*, application: Application, verified_by, verified: bool, note: str = "") -> Application:
    """Verify (or not) the applicant's service against the uploaded DD-214 or VA letter."""
    _ensure_reviewer(application, verified_by)
    V = Application.VeteranStatus
    with transaction.atomic():
        row = lock(application)
        if row.track != Application.Track.VETERAN:
            raise Conflict(_("This application is not on the veteran track."), code="not_veteran_track")
        if row.status not in VERIFIABLE:
            raise InvalidTransition(_("Veteran service is verified only on a submitted application."),
                                    code="invalid_transition")
        if verified and not row.documents.filter(kind=ApplicationDocument.Kind.DD214).exists():
            raise Conflict(_("There is no DD-214 or VA letter to verify against."), code="document_missing")
        if not verified and not note.strip():
            raise ValidationFailed(_("A reason is required for this decision."), code="reason_required",
                                   fields={"note": [_("A reason is required.")]})
        row.veteran_status = V.VERIFIED if verified else V.REJECTED
        row.veteran_verified_by, row.veteran_verified_at, row.veteran_note = verified_by, timezone.now(), note.strip()
        row.save(update_fields=["veteran_status", "veteran_verified_by", "veteran_verified_at", "veteran_note",
                                "updated_at"])
        Partner.objects.filter(application=row).update(veteran_owned=verified)
        _log(row, actor=verified_by, note=(_("Veteran service verified.") if verified
                                           else _("Veteran service not verified: %(why)s") % {"why": note.strip()}))
    return row


# --- after approval -------------------------------------------------------------------------


def partner_checklist_update(*, partner: Partner, updated_by, training_done: bool | None = None,
                             first_route_on=..., ein: str | None = None) -> Partner:
    """Tick the manual checklist items (admins) or give the EIN (owner or admin)."""
    is_admin = user_has_perm(updated_by, "onboarding.review")
    is_owner = partner.memberships.filter(user=updated_by, role=PartnerMembership.Role.OWNER).exists()
    if not (is_admin or is_owner):
        raise NotFound()
    if (training_done is not None or first_route_on is not ...) and not is_admin:
        raise PermissionDenied(_("Only program admins record training and the first route."))
    with transaction.atomic():
        row = lock(partner)
        fields = []
        if training_done is not None:
            row.training_completed_at = (row.training_completed_at or timezone.now()) if training_done else None
            fields.append("training_completed_at")
        if first_route_on is not ...:
            row.first_route_on = first_route_on
            fields.append("first_route_on")
        if ein is not None:
            row.ein = normalize_ein(ein)
            try:
                row.clean_fields(exclude=[f.name for f in Partner._meta.fields if f.name != "ein"])
            except DjangoValidationError as exc:
                raise _validation_failed(exc) from None
            fields.append("ein")
        if fields:
            row.save(update_fields=fields)
    return partner_activate_if_ready(partner=row)


def partner_activate_if_ready(*, partner: Partner) -> Partner:
    """An onboarding partner whose checklist is complete (its first route is on the road) becomes active.

    Safe to call any time and twice: it reads the checklist, then decides under the partner's row lock."""
    from onboarding.checklist import partner_checklist

    if partner.status != Partner.Status.ONBOARDING or not all(i.done for i in partner_checklist(partner=partner)):
        return partner
    with transaction.atomic():
        row = lock(partner)
        if row.status == Partner.Status.ONBOARDING:
            row.status = Partner.Status.ACTIVE
            row.save(update_fields=["status"])
    return row


def partners_activate_ready() -> int:
    """Every onboarding partner whose checklist is now complete becomes active. Returns how many did."""
    changed = 0
    for partner in Partner.objects.filter(status=Partner.Status.ONBOARDING).iterator():
        changed += partner_activate_if_ready(partner=partner).status == Partner.Status.ACTIVE
    return changed
