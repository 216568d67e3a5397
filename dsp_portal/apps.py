from django.apps import AppConfig


class DspPortalConfig(AppConfig):
    name = "dsp_portal"
    verbose_name = "DSP Portal"

    def ready(self):
        _wire_fleet_checklist()
        _wire_routes_checklist()


def _wire_fleet_checklist():
    """Fleet and procurement answer onboarding's checklist items; onboarding imports neither, so the project
    wires them (procurement answers "vans ordered": fleet never imports procurement)."""
    from fleet import selectors as fleet
    from onboarding.checklist import checklist_source_register
    from procurement import selectors as procurement

    checklist_source_register("insurance_bound", lambda partner: fleet.partner_has_current_insurance(partner=partner))
    checklist_source_register("vans_ordered", lambda partner: procurement.partner_has_vans_ordered(partner=partner))
    checklist_source_register("drivers_added", lambda partner: fleet.partner_driver_count(partner=partner) > 0)


def _wire_routes_checklist():
    """Routes answers "first route date" (a published route dealt to the partner)."""
    from onboarding.checklist import checklist_source_register
    from routes.selectors import partner_first_route_date

    # None (not False) before the first route: the admin's manual date still shows.
    checklist_source_register("first_route",
                              lambda partner: True if partner_first_route_date(partner=partner) else None)
