"""Two writers at once on the embedded default (SQLite): a request, the planning thread, the stand-in's webhook.

SQLite's default (deferred) transaction starts as a reader; when two of them read and then both write, the second
is refused at once with "database is locked" (SQLite will not wait, since waiting could deadlock), and the person
sees an error page. The embedded default opens every transaction for writing (`transaction_mode` IMMEDIATE), so
the second writer waits its turn (up to the busy timeout) instead."""

import threading

import pytest
from django.db import connections, transaction

from accounts.models import User
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def test_two_transactions_that_read_then_write_at_once_both_commit():
    user = UserFactory(full_name="Before")
    first_read, second_began = threading.Event(), threading.Event()
    errors = []

    def first():
        try:
            with transaction.atomic():
                User.objects.get(pk=user.pk)
                first_read.set()
                second_began.wait(timeout=0.5)  # with IMMEDIATE the second cannot begin until this one commits
                User.objects.filter(pk=user.pk).update(full_name="First")
        except Exception as exc:
            errors.append(exc)
        finally:
            connections.close_all()

    def second():
        try:
            first_read.wait(timeout=5)
            with transaction.atomic():
                User.objects.get(pk=user.pk)
                second_began.set()
                User.objects.filter(pk=user.pk).update(full_name="Second")
        except Exception as exc:
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)

    assert errors == []
    assert User.objects.get(pk=user.pk).full_name == "Second"
