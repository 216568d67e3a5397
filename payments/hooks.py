"""How downstream apps learn what happened to the money they asked for (see core/hooks.py).

payments never imports the apps that pay through it. A downstream app registers a function for its
`purpose` in its `AppConfig.ready()`::

    from payments.hooks import transfer_changed

    transfer_changed.register(on_claim_transfer, key="claim")

    def on_claim_transfer(*, transfer, previous_status):
        if transfer.status == Transfer.Status.PAID:
            claim_mark_paid(claim_id=int(transfer.reference.split(":")[1]))

They run inside the transaction that changes the Transfer/Payment status, after the row and its log
are written. If one raises, the whole change rolls back (a webhook then answers 500 and Stripe delivers
it again), so keep them to database work and `transaction.on_commit`.
"""

from core.hooks import Hook

# fn(*, transfer, previous_status) on every status change of a Transfer with the purpose (the key)
transfer_changed = Hook("payments.transfer_changed", keyed=True)
# fn(*, payment, previous_status) on every status change of a Payment with the purpose (the key)
payment_changed = Hook("payments.payment_changed", keyed=True)
