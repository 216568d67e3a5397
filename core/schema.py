"""Readable, stable OpenAPI enum names, derived from the models instead of kept by hand.

drf-spectacular names an enum after its field (`status`, `kind`...), so two apps with a `status`
field collide and get hashed names (`Status151Enum`). `ModelEnumNames` is given as
`SPECTACULAR_SETTINGS["ENUM_NAME_OVERRIDES"]`: on first use it adds `<Model><Field>Enum` for every
choice field of our apps (upstream apps first, so a shared choice set takes its owner's name),
after the explicit names it was built with. Identical choice sets get one name only.
"""

# Upstream first: a choice set used in several apps is named after the first model that has it.
_APPS = ["core", "accounts", "payments", "onboarding", "fleet", "procurement", "hubs", "routes", "integrations"]


def _pairs(choices) -> tuple:
    if isinstance(choices, str):
        from drf_spectacular.plumbing import deep_import_string  # not at import: settings load this module

        choices = deep_import_string(choices)
    if isinstance(choices, type) and hasattr(choices, "choices"):
        choices = choices.choices
    flat = []
    for value, label in choices:
        if isinstance(label, list | tuple):
            flat.extend(label)
        else:
            flat.append((value, label))
    return tuple((str(value), str(label)) for value, label in flat if value not in ("", None))


def _camel(name: str) -> str:
    return "".join(part.capitalize() for part in name.split("_"))


class ModelEnumNames(dict):
    def __init__(self, explicit: dict):
        super().__init__(explicit)
        self._filled = False

    def _fill(self):
        if self._filled:
            return
        self._filled = True
        from django.apps import apps

        seen = {_pairs(choices) for choices in dict.values(self)}
        for label in _APPS:
            for model in apps.get_app_config(label).get_models():
                for field in model._meta.fields:
                    if not field.choices:
                        continue
                    pairs = _pairs(field.choices)
                    name = f"{model.__name__}{_camel(field.name)}Enum"
                    if pairs and pairs not in seen and name not in self:
                        seen.add(pairs)
                        dict.__setitem__(self, name, list(pairs))

    def items(self):
        self._fill()
        return super().items()

    def __len__(self):
        self._fill()
        return super().__len__()

    def __iter__(self):
        self._fill()
        return super().__iter__()
