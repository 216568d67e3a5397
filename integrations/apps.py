from django.apps import AppConfig


class IntegrationsConfig(AppConfig):
    name = "integrations"
    verbose_name = "Integrations (webhooks)"

    def ready(self):
        from core.events import event_committed, events_committed
        from integrations.tasks import enqueue_event_dispatch, enqueue_events_dispatch

        event_committed.register(enqueue_event_dispatch)
        events_committed.register(enqueue_events_dispatch)
