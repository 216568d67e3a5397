from django.apps import AppConfig


class DspPortalConfig(AppConfig):
    name = "dsp_portal"
    verbose_name = "DSP Portal"
