from django.apps import AppConfig


class DatasetsConfig(AppConfig):
    name = "apps.datasets"
    label = "datasets"

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from apps.datasets import topics  # noqa: F401  (registers live topics)

        post_migrate.connect(_prepare_workspace, sender=self)


def _prepare_workspace(**kwargs: object) -> None:
    """After every migrate: the workspace database is locked down for run roles (DESIGN §5)."""
    from apps.datasets.workspace import workspace
    from apps.engine.storage import prepare_workspace

    with workspace() as conn:
        prepare_workspace(conn)
