from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import ApiToken, Role, User
from accounts.permissions import ALL_SCOPES, user_has_perm
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


def api_token_create(*, user: User, created_by: User, name: str, scopes, expires_at: datetime | None = None
                     ) -> tuple[ApiToken, str]:
    """Issue a token. Returns the row and the raw token, which is never stored and shown once."""
    if created_by.pk != user.pk and not user_has_perm(created_by, "tokens.issue"):
        raise PermissionDenied(_("Only program admins issue tokens for other accounts."))
    name = (name or "").strip()
    if not name:
        raise ValidationFailed(_("Give the token a name."), fields={"name": [_("This field is required.")]})
    if expires_at is not None and expires_at <= timezone.now():
        raise ValidationFailed(_("The expiry must be in the future."),
                               fields={"expires_at": [_("Must be in the future.")]})
    raw, prefix = ApiToken.generate()
    token = ApiToken.objects.create(user=user, created_by=created_by, name=name[:100], key_prefix=prefix,
                                    key_hash=ApiToken.hash(raw), scopes=_clean_scopes(scopes), expires_at=expires_at)
    return token, raw


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
