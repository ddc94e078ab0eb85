from django.apps import AppConfig


class ModulesConfig(AppConfig):
    name = "apps.modules"
    label = "modules"

    def ready(self) -> None:
        from apps.datasets import selectors as dataset_selectors
        from apps.live.status import register_status_refresher
        from apps.modules import dataset_usage, topics  # noqa: F401  (topics registers live topics)
        from apps.modules.status_refresh import status_refresh

        register_status_refresher(status_refresh)

        if dataset_usage.uses_forbidding_removal not in dataset_selectors.usage_providers:
            dataset_selectors.usage_providers.append(dataset_usage.uses_forbidding_removal)
            dataset_selectors.related_providers.append(dataset_usage.related_modules)
