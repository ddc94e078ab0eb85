import logging
import socket
import threading
from datetime import datetime

from celery import shared_task
from celery.signals import worker_ready
from django.db import connections
from django.utils import timezone

from apps.runs.models import HealthPing

logger = logging.getLogger(__name__)
JANITOR_EVERY_SECONDS = 300


@shared_task(name="runs.health_ping", bind=True)
def health_ping(self, ping_id: int) -> str:  # type: ignore[no-untyped-def]
    worker = str(self.request.hostname or "unknown")
    HealthPing.objects.filter(pk=ping_id).update(answered_at=timezone.now(), worker=worker)
    return worker


@shared_task(name="runs.execute_run", bind=True, acks_late=True)
def execute_run_task(self, run_id: int) -> str:  # type: ignore[no-untyped-def]
    from apps.runs.runner import execute_run

    return execute_run(run_id, worker=str(self.request.hostname or socket.gethostname())).result


@worker_ready.connect
def start_janitor(sender: object = None, **kwargs: object) -> None:
    """At worker start, and every few minutes after, clean up after crashed runs."""
    hostname = str(getattr(sender, "hostname", "") or "")
    threading.Thread(target=_sweep, args=(hostname, timezone.now()), daemon=True).start()


def _sweep(restarted: str, ready_at: datetime) -> None:
    """One sweep, on a thread of its own (a timer's), then the next one scheduled. The thread's
    database connections are closed before it ends: a pooled Django connection goes back to the
    pool only when it is closed on the thread that opened it, so each sweep used to keep one and,
    once the pool was used up, every sweep failed with PoolTimeout until the worker restarted."""
    from apps.runs.janitor import janitor_sweep

    try:
        janitor_sweep(restarted_worker=restarted, restarted_at=ready_at)
    except Exception:  # the janitor must never take the worker down
        logger.exception("janitor sweep failed")
    finally:
        connections.close_all()
    timer = threading.Timer(JANITOR_EVERY_SECONDS, _sweep, args=("", ready_at))
    timer.daemon = True
    timer.start()
