"""The project's one domain error type.

Services raise `DomainError` (or a subclass that fixes the HTTP status). The DRF exception
handler in `core.api` turns it into `{"code", "detail", "fields"}`; HTML views turn it into form
errors or a flash message. `code` is stable: clients and tests match on it, not on `detail`.
"""

from django.http import Http404
from django.utils.translation import gettext_lazy as _


class DomainError(Exception):
    status_code = 400
    default_code = "invalid"
    default_detail = _("The request could not be carried out.")

    def __init__(self, detail=None, *, code=None, fields=None, status_code=None):
        self.detail = str(detail if detail is not None else self.default_detail)
        self.code = code or self.default_code
        self.fields = fields or {}
        if status_code is not None:
            self.status_code = status_code
        super().__init__(self.detail)

    def as_dict(self):
        return {"code": self.code, "detail": self.detail, "fields": self.fields}


class ValidationFailed(DomainError):
    status_code = 400
    default_code = "validation_failed"


class PermissionDenied(DomainError):
    status_code = 403
    default_code = "permission_denied"
    default_detail = _("You do not have permission to do that.")


class NotFound(DomainError):
    """Also what "not yours" answers, so that another tenant's ids reveal nothing."""

    status_code = 404
    default_code = "not_found"
    default_detail = _("Not found.")


class Conflict(DomainError):
    status_code = 409
    default_code = "conflict"


class InvalidTransition(Conflict):
    default_code = "invalid_transition"


class Unprocessable(DomainError):
    status_code = 422
    default_code = "unprocessable"


def found(selector, /, **kwargs):
    """Call a selector for an HTML view: its `NotFound` (missing, or not yours) becomes the 404 page.

    The API needs no such helper: its exception handler answers `NotFound` with the 404 envelope."""
    try:
        return selector(**kwargs)
    except NotFound:
        raise Http404 from None
