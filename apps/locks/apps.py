from django.apps import AppConfig


class LocksConfig(AppConfig):
    name = "apps.locks"
    label = "locks"

    def ready(self) -> None:
        from apps.live.presence import register_presence_gone
        from apps.locks.services import lock_release_when_gone

        register_presence_gone(lock_release_when_gone)
