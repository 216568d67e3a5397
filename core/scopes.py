"""A tenant's scope as SQL: the one id (the partner a user acts for, the hub they own) that a hot list filters by
inside its own statement, so being a tenant costs the request no query of its own.

The scope is written once, as an ORM queryset of one column and at most one row, and compiled once per process;
each request only binds the user's id to it. (As an ORM `Subquery` it would be compiled again on every request,
which costs more Python than the query that was saved.) The SQL is the ORM's own, so it stays portable."""

import functools
from collections.abc import Callable

from django.core.exceptions import ImproperlyConfigured
from django.db.models import BigIntegerField, QuerySet
from django.db.models.expressions import RawSQL

from core.compiled import PROBE_ID


def scope_subquery(build: Callable[[int], QuerySet]) -> Callable[[int | None], RawSQL]:
    """`build(user_id)` is the queryset of the scope's id (`.values(column)[:1]`); the result gives, for a user id,
    that subquery as the right-hand side of a filter (`filter(partner=scoped(user.pk))`). A user id of None (nobody
    signed in) matches no row, so the filter matches nothing: NULL equals nothing."""

    @functools.cache
    def sql() -> str:
        compiled, params = build(PROBE_ID).query.sql_with_params()
        if list(params) != [PROBE_ID]:
            raise ImproperlyConfigured(f"A scope must take the user id as its only parameter, not {params!r}.")
        return compiled

    def scoped(user_id: int | None) -> RawSQL:
        # The SQL is the ORM's own compilation of `build`; the user id is bound as a parameter, never formatted in.
        return RawSQL(sql(), [user_id], output_field=BigIntegerField())  # noqa: S611

    return scoped
