from django.apps import AppConfig


class ModuleTypesConfig(AppConfig):
    name = "apps.moduletypes"
    label = "moduletypes"

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from apps.datasets import selectors as dataset_selectors
        from apps.moduletypes import topics  # noqa: F401  (registers live topics)
        from apps.moduletypes.builtins import on_post_migrate
        from apps.moduletypes.selectors import versions_using_dataset_type

        if versions_using_dataset_type not in dataset_selectors.type_usage_providers:
            dataset_selectors.type_usage_providers.append(versions_using_dataset_type)
        post_migrate.connect(on_post_migrate, sender=self, dispatch_uid="moduletypes_builtins")
