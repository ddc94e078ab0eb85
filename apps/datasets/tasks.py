import logging

import psycopg
from celery import shared_task
from django.db import transaction

from apps.datasets.workspace import workspace
from apps.engine import storage

logger = logging.getLogger(__name__)


@shared_task(name="datasets.analyze", acks_late=True, ignore_result=True)
def analyze_dataset_task(dataset_id: int) -> None:
    """Fresh planner statistics for a dataset's table after an import (a purged dataset has none)."""
    try:
        with workspace() as conn:
            storage.analyze_table(conn, dataset_id)
    except psycopg.errors.UndefinedTable:
        logger.info("dataset %s was purged before its statistics were refreshed", dataset_id)


def analyze_on_commit(dataset_id: int) -> None:
    """Queues the ANALYZE for when the import commits: the worker runs it (≈0.1 s per million rows)
    so the import returns without waiting; the primary key build has already set the row estimate."""
    transaction.on_commit(lambda: analyze_dataset_task.delay(dataset_id), robust=True)
