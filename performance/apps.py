from django.apps import AppConfig


class PerformanceConfig(AppConfig):
    name = "performance"

    def ready(self):
        from payments.hooks import register_transfer_listener
        from performance.services.payouts import PURPOSE, on_statement_transfer
        from performance.services.ranking import dealing_ranker
        from routes.hooks import dealing_ranker_register

        register_transfer_listener(PURPOSE, on_statement_transfer)
        dealing_ranker_register(dealing_ranker)
