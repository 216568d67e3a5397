from django.apps import AppConfig


class RoutesConfig(AppConfig):
    name = "routes"

    def ready(self):
        from onboarding.checklist import checklist_sources
        from routes.selectors import partner_first_route_date

        # Routes answers onboarding's "first route date" with the day of the first published route dealt to the
        # partner; None (not False) before it, so the admin's manual date still shows.
        checklist_sources.register(lambda partner: partner_first_route_date(partner=partner), key="first_route")
