import socket

from celery import shared_task


@shared_task(name="modules.bring_up_to_date", bind=True, acks_late=True)
def bring_up_to_date_task(self, plan: list[tuple[int, list[int]]]) -> dict[int, str]:  # type: ignore[no-untyped-def]
    """Executes the runs of a bring-up-to-date request one after another (apps.modules.uptodate)."""
    from apps.modules.uptodate import execute_in_order

    return execute_in_order([(int(run), [int(u) for u in upstream]) for run, upstream in plan],
                            worker=str(self.request.hostname or socket.gethostname()))
