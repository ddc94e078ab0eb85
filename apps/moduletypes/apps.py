from django.apps import AppConfig


class ModuleTypesConfig(AppConfig):
    name = "apps.moduletypes"
    label = "moduletypes"

    def ready(self) -> None:
        from apps.moduletypes import topics  # noqa: F401  (registers live topics)
