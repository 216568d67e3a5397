from django.apps import AppConfig


class FleetConfig(AppConfig):
    name = "fleet"

    def ready(self):
        from fleet import selectors
        from onboarding.checklist import checklist_sources

        # Fleet answers two of onboarding's checklist items (core/hooks.py).
        checklist_sources.register(lambda partner: selectors.partner_has_current_insurance(partner=partner),
                                   key="insurance_bound")
        checklist_sources.register(lambda partner: selectors.partner_driver_count(partner=partner) > 0,
                                   key="drivers_added")
