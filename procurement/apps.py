from django.apps import AppConfig


class ProcurementConfig(AppConfig):
    name = "procurement"

    def ready(self):
        from onboarding.checklist import checklist_sources
        from payments.hooks import payment_changed
        from procurement import selectors
        from procurement.services import DEPOSIT_PURPOSE, on_deposit_payment

        # The deposit on a program order is confirmed by Stripe's webhook; the order moves in that transaction.
        payment_changed.register(on_deposit_payment, key=DEPOSIT_PURPOSE)
        # Procurement answers onboarding's "vans ordered" (core/hooks.py).
        checklist_sources.register(lambda partner: selectors.partner_has_vans_ordered(partner=partner),
                                   key="vans_ordered")
