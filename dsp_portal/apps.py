from django.apps import AppConfig


class DspPortalConfig(AppConfig):
    """Hooks (core/hooks.py) are wired by the downstream app in its own `ready()`; the project wires one here
    only when neither app may import the other. None needs that today."""

    name = "dsp_portal"
    verbose_name = "DSP Portal"
