from django.apps import AppConfig


class LocksConfig(AppConfig):
    name = "apps.locks"
    label = "locks"

    def ready(self) -> None:
        from apps.locks import topics  # noqa: F401  (registers live topics)
