from django.apps import AppConfig


class HubsConfig(AppConfig):
    name = "hubs"

    def ready(self):
        from core.audience import HUB, register_tenancy
        from hubs.selectors import hub_owner_ids
        from hubs.services.payouts import PURPOSE, on_statement_transfer
        from payments.hooks import transfer_changed

        transfer_changed.register(on_statement_transfer, key=PURPOSE)
        register_tenancy(HUB, hub_owner_ids)
