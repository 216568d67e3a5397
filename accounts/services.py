from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import ApiToken, Role, User
from accounts.permissions import ALL_SCOPES, TOKENS_MINT_SCOPE, mfa_setup_message, mfa_setup_pending, user_has_perm
from core.errors import NotFound, PermissionDenied, ValidationFailed


def _clean_scopes(scopes) -> list[str]:
    scopes = sorted(set(scopes or []))
    unknown = [s for s in scopes if s not in ALL_SCOPES]
    if unknown:
        raise ValidationFailed(_("Unknown scope: %(s)s.") % {"s": ", ".join(unknown)}, code="unknown_scope",
                               fields={"scopes": [_("Unknown scope: %(s)s.") % {"s": ", ".join(unknown)}]})
    if not scopes:
        raise ValidationFailed(_("Choose at least one scope."), fields={"scopes": [_("Choose at least one scope.")]})
    return scopes


def api_token_create(*, user: User, created_by: User, name: str, scopes, expires_at: datetime | None = None,
                     parent: ApiToken | None = None) -> tuple[ApiToken, str]:
    """Issue a token. Returns the row and the raw token, which is never stored and shown once.

    `parent` is the token the request came with, if it came with one: the new token then stays within it
    (see `_check_within_parent`). A browser session issues within what the role allows."""
    if created_by.pk != user.pk and not user_has_perm(created_by, "tokens.issue"):
        raise PermissionDenied(_("Only program admins issue tokens for other accounts."))
    _check_mfa(user=user, created_by=created_by)
    name = (name or "").strip()
    if not name:
        raise ValidationFailed(_("Give the token a name."), fields={"name": [_("This field is required.")]})
    if expires_at is not None and expires_at <= timezone.now():
        raise ValidationFailed(_("The expiry must be in the future."),
                               fields={"expires_at": [_("Must be in the future.")]})
    scopes = _clean_scopes(scopes)
    if parent is not None:
        _check_within_parent(parent=parent, scopes=scopes, expires_at=expires_at)
    raw, prefix = ApiToken.generate()
    token = ApiToken.objects.create(user=user, created_by=created_by, name=name[:100], key_prefix=prefix,
                                    key_hash=ApiToken.hash(raw), scopes=scopes, expires_at=expires_at)
    return token, raw


def _check_mfa(*, user: User, created_by: User) -> None:
    """No token is minted by, or for, an admin who has yet to set up TOTP: it would bypass the rule."""
    if mfa_setup_pending(created_by):
        raise PermissionDenied(mfa_setup_message(), code="mfa_required")
    if mfa_setup_pending(user):
        raise PermissionDenied(_("%(email)s must turn on two-factor authentication before a token can be issued "
                                 "to them.") % {"email": user.email}, code="mfa_required")


def _check_within_parent(*, parent: ApiToken, scopes: list[str], expires_at: datetime | None) -> None:
    """A token creates tokens only with `tokens:write`, and never one wider or longer-lived than itself.

    The new token must expire, no later than its parent: a chain of tokens then ends, whatever it was given."""
    if not parent.has_scope(TOKENS_MINT_SCOPE):
        raise PermissionDenied(_("This API token may not create tokens: that needs the “%(scope)s” scope.")
                               % {"scope": TOKENS_MINT_SCOPE}, code="token_mint_denied")
    wider = [s for s in scopes if not parent.has_scope(s)]
    if wider:
        message = _("A token cannot create a token with scopes it does not hold: %(s)s.") % {"s": ", ".join(wider)}
        raise PermissionDenied(message, code="token_scope_exceeded", fields={"scopes": [message]})
    if expires_at is None or (parent.expires_at is not None and expires_at > parent.expires_at):
        if parent.expires_at is None:
            message = _("A token created with a token must have an expiry.")
        else:
            message = _("A token cannot outlive the token that creates it: expire it by %(when)s or earlier.") % {
                "when": parent.expires_at.isoformat()}
        raise ValidationFailed(message, code="token_expiry_exceeded", fields={"expires_at": [message]})


def api_token_revoke(*, token_id: int, revoked_by: User) -> ApiToken:
    with transaction.atomic():
        qs = ApiToken.objects.select_for_update()
        if not user_has_perm(revoked_by, "tokens.issue"):
            qs = qs.filter(user=revoked_by)
        token = qs.filter(pk=token_id).first()
        if token is None:
            raise NotFound()
        if token.revoked_at is None:
            token.revoked_at = timezone.now()
            token.save(update_fields=["revoked_at"])
    return token


def user_set_role(*, user: User, role: str) -> User:
    """Used by the apps that promote people (an approved applicant becomes a partner owner)."""
    if role not in Role.values:
        raise ValidationFailed(_("Unknown role."))
    if user.role != role:
        user.role = role
        # Program admins use the Django admin; nobody else does.
        user.is_staff = role == Role.PROGRAM_ADMIN or user.is_superuser
        user.save(update_fields=["role", "is_staff"])
    return user
