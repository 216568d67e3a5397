from django.apps import AppConfig


class RoutesConfig(AppConfig):
    name = "routes"

    def ready(self):
        # Hooks of the apps below (core/hooks.py): routes answers them, they never import routes.
        from fleet.hooks import partner_place, vehicle_grounded
        from onboarding.checklist import checklist_sources
        from routes.selectors import partner_first_route_date, partner_station
        from routes.services.assignment import routes_replace_grounded_vehicle

        # Onboarding's "first route date": the day of the first published route dealt to the partner; None (not
        # False) before it, so the admin's manual date still shows.
        checklist_sources.register(lambda partner: partner_first_route_date(partner=partner), key="first_route")
        # A grounded van's routes get another van.
        vehicle_grounded.register(routes_replace_grounded_vehicle)
        # A partner's service day (the day its inspections count for) is its station's.
        partner_place.register(lambda partner: partner_station(partner=partner))
