from django.apps import AppConfig


class RoutesConfig(AppConfig):
    name = "routes"

    def ready(self):
        # A grounded van's routes get another van (fleet announces the grounding; it never imports routes).
        from fleet.hooks import register_grounding_listener
        from routes.services.assignment import routes_replace_grounded_vehicle

        register_grounding_listener(routes_replace_grounded_vehicle)
