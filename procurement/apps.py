from django.apps import AppConfig


class ProcurementConfig(AppConfig):
    name = "procurement"

    def ready(self):
        from payments.hooks import register_payment_listener
        from procurement.services import DEPOSIT_PURPOSE, on_deposit_payment

        # The deposit on a program order is confirmed by Stripe's webhook; the order moves in that transaction.
        register_payment_listener(DEPOSIT_PURPOSE, on_deposit_payment)
