from django.apps import AppConfig


class FleetConfig(AppConfig):
    name = "fleet"

    def ready(self):
        from fleet.services.orders import DEPOSIT_PURPOSE, on_deposit_payment
        from payments.hooks import register_payment_listener

        # The deposit on a program order is confirmed by Stripe's webhook; the order moves in that transaction.
        register_payment_listener(DEPOSIT_PURPOSE, on_deposit_payment)
