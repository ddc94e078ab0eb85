"""Fixtures for running real modules: the demo emission-factor data, type and module."""

import time
from collections.abc import Iterator
from typing import Any

import pytest
from celery.contrib.testing.worker import start_worker
from celery.worker import state as worker_state

from apps.accounts.models import Project, User
from apps.datasets.demo import seed_demo_datasets
from apps.datasets.models import Dataset
from apps.modules.demo import seed_demo_modules
from apps.modules.models import Module
from project.celery import app


@pytest.fixture
def demo(project: Project, users: dict[str, User]) -> dict[str, Any]:
    seed_demo_datasets(project=project, owner=users["modeler"])
    seed_demo_modules(project=project, owner=users["modeler"])
    return {"module": Module.objects.get(name="Emission Factors +15%"),
            "source": Dataset.objects.get(name="Emission Factors 2016")}


@pytest.fixture
def worker(transactional_db: None) -> Iterator[Any]:
    """A real Celery worker thread on the real Redis broker."""
    with start_worker(app, pool="threads", concurrency=4, perform_ping_check=False, shutdown_timeout=20) as running:
        yield running
        tasks_finish()


def tasks_finish(timeout: float = 30) -> None:
    """Waits for the tasks still running: the test worker's shutdown does not, and a run that already
    has its result still sends its last events and status refresh, which must not reach into the
    next test (or into the flush ending this one)."""
    deadline = time.monotonic() + timeout
    while worker_state.active_requests and time.monotonic() < deadline:
        time.sleep(0.05)
