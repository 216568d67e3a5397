from django.apps import AppConfig


class PerformanceConfig(AppConfig):
    name = "performance"

    def ready(self):
        from payments.hooks import transfer_changed
        from performance.services.payouts import PURPOSE, on_statement_transfer
        from performance.services.ranking import dealing_ranker
        from routes.hooks import dealing_rankers

        # A statement's transfer paid (or failed) moves the statement; the last tier orders the dealing of routes.
        transfer_changed.register(on_statement_transfer, key=PURPOSE)
        dealing_rankers.register(dealing_ranker)
