from django.apps import AppConfig


class DspPortalConfig(AppConfig):
    name = "dsp_portal"
    verbose_name = "DSP Portal"

    def ready(self):
        _wire_fleet_checklist()


def _wire_fleet_checklist():
    """Fleet answers onboarding's checklist items; onboarding never imports fleet, so the project wires it."""
    from fleet import selectors as fleet
    from fleet import selectors_procurement as procurement
    from onboarding.checklist import checklist_source_register

    checklist_source_register("insurance_bound", lambda partner: fleet.partner_has_current_insurance(partner=partner))
    checklist_source_register("vans_ordered", lambda partner: procurement.partner_has_vans_ordered(partner=partner))
    checklist_source_register("drivers_added", lambda partner: fleet.partner_driver_count(partner=partner) > 0)
