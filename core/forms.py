from django.forms.renderers import TemplatesSetting


class BootstrapFormRenderer(TemplatesSetting):
    """`{{ form }}` renders Bootstrap 5 markup everywhere (forms/form.html, forms/field.html)."""

    form_template_name = "forms/form.html"
    field_template_name = "forms/field.html"
