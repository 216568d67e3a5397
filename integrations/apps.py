from django.apps import AppConfig


class IntegrationsConfig(AppConfig):
    name = "integrations"
    verbose_name = "Integrations (webhooks)"

    def ready(self):
        from core.events import on_event_committed
        from integrations.tasks import enqueue_event_dispatch

        on_event_committed(enqueue_event_dispatch)
