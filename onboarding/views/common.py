from django.contrib import messages

from core.errors import DomainError
from core.forms import add_domain_error  # noqa: F401  (the views import it from here)


def flash_domain_error(request, exc: DomainError) -> None:
    messages.error(request, exc.detail)
