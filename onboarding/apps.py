from django.apps import AppConfig


class OnboardingConfig(AppConfig):
    name = "onboarding"

    def ready(self):
        from onboarding.claims.payouts import on_claim_transfer
        from payments.hooks import register_transfer_listener

        register_transfer_listener("claim", on_claim_transfer)
