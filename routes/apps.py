from django.apps import AppConfig


class RoutesConfig(AppConfig):
    name = "routes"

    def ready(self):
        from onboarding.checklist import checklist_sources
        from routes.selectors import partner_first_route_date

        # Routes answers onboarding's "first route date" with the day of the first published route dealt to the
        # partner; None (not False) before it, so the admin's manual date still shows.
        checklist_sources.register(lambda partner: partner_first_route_date(partner=partner), key="first_route")
        # A grounded van's routes get another van (fleet announces the grounding; it never imports routes).
        from fleet.hooks import register_grounding_listener, register_partner_place
        from routes.selectors import partner_station
        from routes.services.assignment import routes_replace_grounded_vehicle

        register_grounding_listener(routes_replace_grounded_vehicle)
        # A partner's service day (the day its inspections count for) is its station's.
        register_partner_place(lambda partner: partner_station(partner=partner))
