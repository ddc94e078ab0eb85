from celery import shared_task
from django.utils import timezone

from apps.runs.models import HealthPing


@shared_task(name="runs.health_ping", bind=True)
def health_ping(self, ping_id: int) -> str:  # type: ignore[no-untyped-def]
    worker = str(self.request.hostname or "unknown")
    HealthPing.objects.filter(pk=ping_id).update(answered_at=timezone.now(), worker=worker)
    return worker
