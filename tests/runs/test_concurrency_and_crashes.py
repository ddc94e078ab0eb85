"""Many runs at once; a worker killed mid-run."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import pytest
from django.conf import settings
from django.db import connection
from rest_framework.test import APIClient

from apps.datasets.models import Dataset, DatasetVersion
from apps.datasets.workspace import workspace
from apps.engine import sandbox
from apps.engine.storage import qualified_text
from apps.modules.models import Module
from apps.modules.services import module_create
from apps.moduletypes.services import version_update
from apps.runs.janitor import janitor_sweep
from apps.runs.models import Run
from tests.runs.test_runner import start, wait_for

pytestmark = pytest.mark.django_db(transaction=True)
ROOT = Path(__file__).resolve().parents[2]


def test_twenty_modules_started_at_once_all_finish(clients: dict[str, APIClient], demo: dict[str, Any],
                                                    users: dict[str, Any], worker: Any) -> None:
    base: Module = demo["module"]
    modules = [module_create(name=f"Scale {i}", type_version=base.type_version, project=base.project,
                             creator=users["modeler"], dataset_bindings={
                                 **base.dataset_bindings,
                                 "output_emission_factors_dataset": {"output_method": "NEW",
                                                                     "name_pattern": f"Scaled {i} #${{run.id}}"}},
                             parameter_bindings={"increase_factor": str(1 + i / 10)}) for i in range(20)]
    run_ids = [start(clients["modeler"], m) for m in modules]
    runs = [wait_for(run_id, timeout=120) for run_id in run_ids]
    assert [r.result for r in runs] == ["SUCCESS"] * 20, [(r.error, list(r.log.values_list("message", flat=True))) for r in runs if r.result != "SUCCESS"]
    for i, run in enumerate(runs):
        output = next(d for d in run.datasets if d["direction"] == "OUT")
        with workspace() as conn:
            total = conn.execute(f"SELECT round(sum(emission_factor)::numeric, 6) FROM {qualified_text(output['dataset'])}"
                                 ).fetchone()
            source = conn.execute(f"SELECT sum(emission_factor) FROM {qualified_text(demo['source'].pk)}").fetchone()
        assert float(total[0]) == pytest.approx(source[0] * (1 + i / 10))  # type: ignore[index]
    with workspace() as conn:
        assert sandbox.leftovers(conn) == ([], [])


def _worker_env() -> dict[str, str]:
    def with_db(url: str, name: str) -> str:
        return urlunsplit(urlsplit(url)._replace(path=f"/{name}"))

    return {**os.environ, "DATABASE_URL": with_db(settings.DATABASE_URL, connection.settings_dict["NAME"]),
            "WORKSPACE_DATABASE_URL": settings.WORKSPACE_DATABASE_URL, "REDIS_PREFIX": settings.REDIS_PREFIX}


def test_a_worker_killed_mid_run_leaves_nothing_behind(clients: dict[str, APIClient], demo: dict[str, Any],
                                                       users: dict[str, Any], tmp_path: Path) -> None:
    version_update(version=demo["module"].type_version, note="slow", author=users["modeler"], confirm_dependents=True, fields={
        "algorithm": "INSERT INTO ${output_emission_factors_dataset} (fuel_type) VALUES ('partial');\n"
                     "PERFORM pg_sleep(60);"})
    before = Dataset.objects.count()
    log = (tmp_path / "worker.log").open("w")
    worker = subprocess.Popen([sys.executable, "-m", "celery", "-A", "project", "worker", "--pool=solo",
                               "--loglevel=INFO", "-n", f"doomed-{os.getpid()}@%h"],
                              cwd=ROOT, env=_worker_env(), stdout=log, stderr=subprocess.STDOUT)
    try:
        run_id = start(clients["modeler"], demo["module"])
        deadline = time.monotonic() + 60
        while not Run.objects.filter(pk=run_id, steps__stage="USER_SCRIPT").exists():
            assert time.monotonic() < deadline, (tmp_path / "worker.log").read_text()[-3000:]
            time.sleep(0.1)
        time.sleep(0.5)
        worker.send_signal(signal.SIGKILL)
        worker.wait(timeout=10)
    finally:
        if worker.poll() is None:
            worker.kill()
    janitor_sweep()
    run = Run.objects.get(pk=run_id)
    assert run.result == "FAILED"
    assert "janitor" in run.error["message"]  # type: ignore[index]
    with workspace() as conn:
        assert sandbox.leftovers(conn) == ([], [])
        rows = conn.execute(f"SELECT count(*) FROM {qualified_text(demo['source'].pk)}").fetchone()
    assert rows == (8,)
    assert Dataset.objects.count() == before
    assert not DatasetVersion.objects.filter(pending_run__isnull=False).exists()
