from django.apps import AppConfig


class RoutesConfig(AppConfig):
    name = "routes"

    def ready(self):
        # A grounded van's routes get another van (fleet announces the grounding; it never imports routes).
        from fleet.hooks import register_grounding_listener, register_partner_place
        from routes.selectors import partner_station
        from routes.services.assignment import routes_replace_grounded_vehicle

        register_grounding_listener(routes_replace_grounded_vehicle)
        # A partner's service day (the day its inspections count for) is its station's.
        register_partner_place(lambda partner: partner_station(partner=partner))
