from django.apps import AppConfig


class ModulesConfig(AppConfig):
    name = "apps.modules"
    label = "modules"

    def ready(self) -> None:
        from apps.modules import topics  # noqa: F401  (registers live topics)
