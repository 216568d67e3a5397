from datetime import date

from allauth.account.forms import default_token_generator
from allauth.account.models import EmailAddress
from allauth.account.utils import user_pk_to_url_str
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from accounts.models import Role, User
from core.errors import Conflict, ValidationFailed
from core.integrity import constraint_messages
from core.mail import mail_queue
from core.servicedays import service_today
from core.validators import normalise_phone
from core.workflow import lock, transition
from fleet.models import DRIVER_WORKFLOW, Driver, DriverEvent
from fleet.services.common import apply_fields, full_clean

EDITABLE = {"first_name", "last_name", "email", "phone", "licence_number", "licence_state", "licence_class",
            "licence_expires_on", "background_check", "driving_record_check"}


LICENCE_FIELD = {"fleet_driver_licence_unique_per_partner": "licence_number"}
# US licences run at most about eight years; beyond ten the date is a typo.
LICENCE_MAX_YEARS_AHEAD = 10


def _check_plausible(driver, *, today: date | None = None) -> None:
    """A phone people can call, a licence expiry that is a real date, and no active driver on an expired licence."""
    today = today or service_today()
    try:
        driver.phone = normalise_phone(driver.phone)
    except ValidationError as exc:
        raise ValidationFailed(exc.messages[0], fields={"phone": exc.messages}) from None
    expires = driver.licence_expires_on
    if not isinstance(expires, date):
        return  # full_clean names a missing or malformed date
    if expires > today.replace(year=today.year + LICENCE_MAX_YEARS_AHEAD, day=min(today.day, 28)):
        message = _("A licence does not run more than %(n)s years: check the expiry date.") % {
            "n": LICENCE_MAX_YEARS_AHEAD}
        raise ValidationFailed(message, fields={"licence_expires_on": [message]})
    if driver.status == Driver.Status.ACTIVE and expires < today:
        message = _("The licence expired on %(date)s: an active driver needs a valid licence.") % {
            "date": expires.isoformat()}
        raise ValidationFailed(message, code="licence_expired", fields={"licence_expires_on": [message]})


def _check_licence_free(*, partner, licence_state, licence_number, exclude_pk=None):
    clash = Driver.objects.filter(partner=partner, licence_state=licence_state, licence_number__iexact=licence_number)
    if exclude_pk:
        clash = clash.exclude(pk=exclude_pk)
    if clash.exists():
        message = _("A driver with this licence is already on your roster.")
        raise Conflict(message, code="licence_taken", fields={"licence_number": [message]})


def driver_build(*, partner, by=None, **fields) -> Driver:
    """An unsaved, validated Driver (the CSV import validates every row this way before writing any)."""
    unknown = set(fields) - EDITABLE - {"status"}
    if unknown:
        raise ValidationFailed(_("Unknown fields: %(f)s.") % {"f": ", ".join(sorted(unknown))})
    status = fields.pop("status", Driver.Status.ONBOARDING) or Driver.Status.ONBOARDING
    if status not in (Driver.Status.ONBOARDING, Driver.Status.ACTIVE):
        raise ValidationFailed(_("A new driver starts onboarding or active."), fields={"status": ["invalid"]})
    fields["licence_number"] = "".join(str(fields.get("licence_number", "")).split()).upper()
    fields["email"] = (fields.get("email") or "").strip().lower()
    driver = Driver(partner=partner, status=status, created_by=by if by and by.is_authenticated else None, **fields)
    full_clean(driver, exclude=["partner", "created_by", "user"])
    _check_plausible(driver)
    return driver


def driver_create(*, partner, by=None, **fields) -> Driver:
    with transaction.atomic():
        driver = driver_build(partner=partner, by=by, **fields)
        _check_licence_free(partner=partner, licence_state=driver.licence_state, licence_number=driver.licence_number)
        with constraint_messages(Driver, fields=LICENCE_FIELD, code="licence_taken"):
            driver.save()
        DriverEvent.objects.create(driver=driver, actor=driver.created_by, from_status="", to_status=driver.status,
                                   note=_("Added to the roster."))
    return driver


def driver_update(*, driver, by=None, **fields) -> Driver:
    with transaction.atomic():
        row = lock(driver)
        if "licence_number" in fields:
            fields["licence_number"] = "".join(str(fields["licence_number"]).split()).upper()
        changed = apply_fields(row, fields, EDITABLE)
        if not changed:
            return row
        full_clean(row, exclude=["partner", "created_by", "user"])
        _check_plausible(row)
        _check_licence_free(partner=row.partner, licence_state=row.licence_state, licence_number=row.licence_number,
                            exclude_pk=row.pk)
        with constraint_messages(Driver, fields=LICENCE_FIELD, code="licence_taken"):
            row.save(update_fields=[*changed, "updated_at"])
    return row


def driver_transition(*, driver, to: str, note: str = "", by=None) -> Driver:
    if to == Driver.Status.ACTIVE and driver.licence_expires_on < service_today():
        raise Conflict(_("The licence expired on %(date)s: renew it on the driver's page before activating.") % {
            "date": driver.licence_expires_on.isoformat()}, code="licence_expired")
    row = transition(instance=driver, to=to, workflow=DRIVER_WORKFLOW, log_model=DriverEvent, subject_field="driver",
                     actor=by, note=(note or "").strip())
    if to == Driver.Status.OFFBOARDED and row.user_id:
        # An offboarded driver's login stops working; the account stays for the record.
        User.objects.filter(pk=row.user_id).update(is_active=False)
    return row


def _password_set_link(user) -> str:
    key = default_token_generator.make_token(user)
    path = reverse("account_reset_password_from_key", kwargs={"uidb36": user_pk_to_url_str(user), "key": key})
    return settings.SITE_URL.rstrip("/") + path


def _queue_invitation(user, partner_name: str) -> None:
    """Written to the outbox with the new account (core.mail): sent once the account is committed."""
    link = _password_set_link(user)
    mail_queue(
        to=[user.email],
        subject=_("[DSP Portal] Your driver account for %(p)s") % {"p": partner_name},
        body=_("Hello %(name)s,\n\n%(p)s added you as a driver. Choose a password to open your routes on your "
                  "phone:\n\n%(link)s\n\nThe link works once.") % {"name": user.get_short_name(), "p": partner_name,
                                                                     "link": link})


def driver_invite_user(*, driver, by=None) -> User:
    """Give a driver a login with the driver role.

    The account is created with an unusable password and the driver gets a one-time password-set link (allauth's
    password-reset-from-key page). The address is marked verified: only its owner can use that link."""
    with transaction.atomic():
        row = lock(driver)
        if row.user_id:
            raise Conflict(_("This driver already has an account."), code="driver_has_account")
        if not row.email:
            raise ValidationFailed(_("Add the driver's e-mail address first."), fields={"email": ["required"]})
        if row.status == Driver.Status.OFFBOARDED:
            raise Conflict(_("This driver is offboarded."), code="driver_offboarded")
        user = User.objects.filter(email__iexact=row.email).first()
        if user is not None:
            if user.role != Role.DRIVER or Driver.objects.filter(user=user).exists():
                raise Conflict(_("This e-mail address already belongs to another account."), code="email_taken",
                               fields={"email": [_("Already used by another account.")]})
        else:
            user = User.objects.create_user(email=row.email, password=None, full_name=row.full_name,
                                            role=Role.DRIVER)
            user.set_unusable_password()
            user.save(update_fields=["password"])
            EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
        row.user = user
        row.save(update_fields=["user", "updated_at"])
        partner_name = row.partner.legal_name
        _queue_invitation(user, partner_name)
    return user
