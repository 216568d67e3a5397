from django.apps import AppConfig


class OnboardingConfig(AppConfig):
    name = "onboarding"

    def ready(self):
        from core.audience import PARTNER, register_tenancy
        from onboarding.claims.payouts import on_claim_transfer
        from onboarding.selectors import partner_member_ids
        from payments.hooks import transfer_changed

        transfer_changed.register(on_claim_transfer, key="claim")
        register_tenancy(PARTNER, partner_member_ids)
