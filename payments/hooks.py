"""Listeners: how downstream apps learn what happened to the money they asked for.

payments never imports the apps that pay through it. Instead, a downstream app registers a
listener for its `purpose` in its `AppConfig.ready()`::

    from payments.hooks import transfer_listener

    @transfer_listener("claim")
    def on_claim_transfer(*, transfer, previous_status):
        if transfer.status == Transfer.Status.PAID:
            claim_mark_paid(claim_id=int(transfer.reference.split(":")[1]))

Listeners run inside the transaction that changes the Transfer/Payment status, after the row and
its log are written. If a listener raises, the whole change rolls back (a webhook then answers
500 and Stripe delivers it again), so keep them to database work and `transaction.on_commit`.
"""

from collections import defaultdict
from collections.abc import Callable

_transfer_listeners: dict[str, list[Callable]] = defaultdict(list)
_payment_listeners: dict[str, list[Callable]] = defaultdict(list)


def _register(table, purpose: str, fn: Callable) -> Callable:
    if fn not in table[purpose]:  # ready() may run twice (tests, autoreload)
        table[purpose].append(fn)
    return fn


def register_transfer_listener(purpose: str, fn: Callable) -> Callable:
    """`fn(*, transfer, previous_status)` on every status change of a Transfer with this purpose."""
    return _register(_transfer_listeners, purpose, fn)


def register_payment_listener(purpose: str, fn: Callable) -> Callable:
    """`fn(*, payment, previous_status)` on every status change of a Payment with this purpose."""
    return _register(_payment_listeners, purpose, fn)


def transfer_listener(purpose: str):
    return lambda fn: register_transfer_listener(purpose, fn)


def payment_listener(purpose: str):
    return lambda fn: register_payment_listener(purpose, fn)


def unregister(fn: Callable) -> None:
    for table in (_transfer_listeners, _payment_listeners):
        for listeners in table.values():
            if fn in listeners:
                listeners.remove(fn)


def notify_transfer(*, transfer, previous_status: str) -> None:
    for fn in list(_transfer_listeners.get(transfer.purpose, ())):
        fn(transfer=transfer, previous_status=previous_status)


def notify_payment(*, payment, previous_status: str) -> None:
    for fn in list(_payment_listeners.get(payment.purpose, ())):
        fn(payment=payment, previous_status=previous_status)
