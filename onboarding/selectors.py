"""Read queries shared by views, API and tasks, scoped by who asks.

Other apps (fleet, procurement, claims, routes) call the Partner selectors here; keep their names
and signatures stable."""

from django.db.models import Count, Prefetch, QuerySet

from accounts.permissions import user_has_perm
from core.calendar import business_days_before, business_days_between
from core.errors import NotFound
from core.scopes import scope_subquery
from core.servicedays import day_of, service_today
from onboarding.models import (
    Application,
    ApplicationDocument,
    ApplicationEvent,
    OnboardingSettings,
    Partner,
    PartnerMembership,
    Region,
)

# --- Program data ---------------------------------------------------------------------------


def onboarding_settings() -> OnboardingSettings:
    """The program's onboarding settings row, created with the defaults if it does not exist yet."""
    row, _created = OnboardingSettings.objects.get_or_create(singleton=True)
    return row


def region_list(*, active_only: bool = True) -> QuerySet[Region]:
    qs = Region.objects.all()
    return qs.filter(active=True) if active_only else qs


# --- Partners -------------------------------------------------------------------------------


def _is_admin(user) -> bool:
    return user_has_perm(user, "onboarding.review")


def _memberships(user_id) -> QuerySet[PartnerMembership]:
    return PartnerMembership.objects.filter(user_id=user_id).order_by("-role", "created_at")  # "owner" > "manager"


def partner_for_user(*, user) -> Partner | None:
    """The Partner this person acts for (owners before managers), or None."""
    if user is None or not user.is_authenticated:
        return None
    membership = _memberships(user.pk).select_related("partner", "partner__region").first()
    return membership.partner if membership else None


partner_scope_of = scope_subquery(lambda user_id: _memberships(user_id).values("partner_id")[:1])
partner_scope_of.__doc__ = "`partner_scope` for a user id (None: nobody signed in)."


def partner_scope(*, user):
    """The id of the Partner `partner_for_user` finds, as a subquery: a hot list filters by it in its own statement
    (`partner_id = (SELECT ...)`, planned once), so being a tenant costs no query of its own. Someone who acts for no
    partner, or is anonymous, matches nothing (NULL equals nothing), never the rows that have no partner."""
    return partner_scope_of(user.pk if user is not None and user.is_authenticated else None)


def partner_get_for_user(*, user, partner_id) -> Partner:
    """A Partner the user may see: their own, or any for program admins. Otherwise NotFound."""
    qs = partner_list(fetched_by=user)
    partner = qs.filter(pk=partner_id).first() if str(partner_id).isdigit() else None
    if partner is None:
        raise NotFound()
    return partner


def partner_list(*, fetched_by) -> QuerySet[Partner]:
    qs = Partner.objects.select_related("region", "application")
    if _is_admin(fetched_by):
        return qs
    if fetched_by is None or not fetched_by.is_authenticated:
        return qs.none()
    return qs.filter(memberships__user=fetched_by).distinct()


def partner_member_ids(*, user_ids, object_ids) -> set[int]:
    """Of `user_ids`, those who are members of any of the partners `object_ids` (core.audience tenancy)."""
    return set(PartnerMembership.objects.filter(user_id__in=user_ids, partner_id__in=object_ids)
               .values_list("user_id", flat=True))


def partner_members(*, partner) -> QuerySet[PartnerMembership]:
    return partner.memberships.select_related("user")


def veteran_verified(*, partner) -> bool:
    """True when an owner of the partner had their veteran service verified by a program admin."""
    owners = PartnerMembership.objects.filter(partner=partner, role=PartnerMembership.Role.OWNER).values("user_id")
    return Application.objects.filter(applicant_id__in=owners,
                                      veteran_status=Application.VeteranStatus.VERIFIED).exists()


# --- Applications ---------------------------------------------------------------------------


def _application_qs():
    return Application.objects.select_related("applicant", "region", "decided_by")


def application_open_for_user(*, user) -> Application | None:
    return _application_qs().filter(applicant=user, status__in=Application.OPEN_STATUSES).first()


def application_latest_for_user(*, user) -> Application | None:
    return _application_qs().filter(applicant=user).order_by("-created_at", "-pk").first()


def application_list(*, fetched_by, filters: dict | None = None) -> QuerySet[Application]:
    """Program admins see every application; anyone else only their own."""
    qs = _application_qs()
    if _is_admin(fetched_by):
        return qs
    if fetched_by is None or not fetched_by.is_authenticated:
        return qs.none()
    return qs.filter(applicant=fetched_by)


def application_get(*, user, application_id) -> Application:
    """The applicant's own application, or any for program admins; another's is NotFound."""
    if not str(application_id).isdigit():
        raise NotFound()
    application = application_list(fetched_by=user).filter(pk=application_id).first()
    if application is None:
        raise NotFound()
    return application


def application_get_for_checks(*, user, application_id) -> Application:
    """Integrators posting check results reach any submitted application; nobody else gains access."""
    if user_has_perm(user, "onboarding.checks") and str(application_id).isdigit():
        application = _application_qs().exclude(status=Application.Status.DRAFT).filter(pk=application_id).first()
        if application is not None:
            return application
    return application_get(user=user, application_id=application_id)


def application_detail(*, application_id) -> Application:
    """Everything the review page shows, in a fixed number of queries."""
    return (_application_qs()
            .prefetch_related("checks__recorded_by", "documents",
                              Prefetch("events", queryset=ApplicationEvent.objects.select_related("actor")))
            .get(pk=application_id))


def application_document_get(*, user, application_id, document_id) -> ApplicationDocument:
    application = application_get(user=user, application_id=application_id)
    document = application.documents.filter(pk=document_id).first() if str(document_id).isdigit() else None
    if document is None:
        raise NotFound()
    return document


def application_events(*, application) -> QuerySet[ApplicationEvent]:
    return application.events.select_related("actor").order_by("created_at", "id")


def application_status_counts() -> dict[str, int]:
    rows = Application.objects.values_list("status").annotate(n=Count("id"))
    counts = {value: 0 for value in Application.Status.values}
    counts.update(dict(rows))
    return counts


# --- The review queue -----------------------------------------------------------------------

AWAITING_REVIEW = (Application.Status.SUBMITTED, Application.Status.IN_REVIEW, Application.Status.NEEDS_INFO)


def application_overdue_cutoff(*, today=None, settings=None):
    """Applications submitted on or before this date are past the review SLA."""
    settings = settings or onboarding_settings()
    return business_days_before(today or service_today(), settings.review_sla_business_days + 1)


def application_queue(*, fetched_by, status: str = "open", track: str = "", region=None, age: str = "",
                      today=None) -> QuerySet[Application]:
    """The admin review queue, oldest submission first (drafts are the applicant's business, not the queue's)."""
    qs = application_list(fetched_by=fetched_by).exclude(status=Application.Status.DRAFT)
    if status == "open":
        qs = qs.filter(status__in=AWAITING_REVIEW)
    elif status:
        qs = qs.filter(status=status)
    if track:
        qs = qs.filter(track=track)
    if region:
        qs = qs.filter(region=region)
    if age in ("overdue", "within_sla"):
        cutoff = application_overdue_cutoff(today=today)
        overdue = {"submitted_at__date__lte": cutoff, "status__in": AWAITING_REVIEW}
        qs = qs.filter(**overdue) if age == "overdue" else qs.exclude(**overdue)
    return qs.order_by("submitted_at", "pk")


def application_age_business_days(application: Application, *, today=None, admin_calendar=None) -> int | None:
    """Business days since submission; `admin_calendar` (core.calendar.overrides) when a page counts many rows."""
    if application.submitted_at is None:
        return None
    return business_days_between(day_of(application.submitted_at), today or service_today(), admin_calendar)


def application_overdue_count(*, today=None) -> int:
    cutoff = application_overdue_cutoff(today=today)
    return Application.objects.filter(status__in=AWAITING_REVIEW, submitted_at__date__lte=cutoff).count()
