"""Fixtures for running real modules: the demo emission-factor data, type and module."""

from collections.abc import Iterator
from typing import Any

import pytest
from celery.contrib.testing.worker import start_worker

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
