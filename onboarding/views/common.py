from django.contrib import messages

from core.errors import DomainError


def add_domain_error(form, exc: DomainError) -> None:
    """Show a service's error on the form: per field where it names fields the form has, else on top."""
    placed = False
    for name, problems in (exc.fields or {}).items():
        if name in form.fields:
            for message in problems:
                form.add_error(name, message)
            placed = True
    if not placed:
        form.add_error(None, exc.detail)


def flash_domain_error(request, exc: DomainError) -> None:
    messages.error(request, exc.detail)
