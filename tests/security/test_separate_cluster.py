"""The production layout of README/DESIGN §5: the workspace database on its own PostgreSQL
cluster, apart from the app database. Run roles, sandboxes and dataset tables then live only on the
workspace's cluster, so a run can at worst exhaust that cluster, never the app's."""

import shutil
import socket
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest

from apps.accounts.models import Project, User
from apps.datasets.demo import seed_demo_datasets
from apps.datasets.models import Dataset
from apps.datasets.workspace import workspace
from apps.engine import sandbox
from apps.engine.storage import harden_workspace, prepare_workspace, qualified_text
from apps.modules.demo import seed_demo_modules
from apps.modules.models import Module
from tests.runs.conftest import worker  # noqa: F401  (fixture)
from tests.runs.test_runner import start, wait_for

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "scripts"))
import devenv  # noqa: E402

pytestmark = pytest.mark.django_db(transaction=True)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def second_cluster() -> Iterator[str]:
    """A throw-away PostgreSQL cluster with the app role and a hardened workspace database; its URL."""
    initdb, pg_ctl = devenv.find_binary("initdb"), devenv.find_binary("pg_ctl")
    if not initdb or not pg_ctl:
        pytest.skip("initdb/pg_ctl are not installed")
    folder = Path(tempfile.mkdtemp(prefix="mb-cluster-"))
    data = folder / "data"
    devenv.give_to_service_user(folder)
    subprocess.run(devenv.as_service_user([initdb, "-D", str(data), "-U", "postgres", "--auth=trust", "-E", "UTF8"]),
                   check=True, stdout=subprocess.DEVNULL)
    port = _free_port()
    subprocess.run(devenv.as_service_user([pg_ctl, "-D", str(data), "-o", f"-p {port} -c listen_addresses=127.0.0.1 "
                                           f"-k {folder}", "-l", str(folder / "log"), "-w", "start"]),
                   check=True, stdout=subprocess.DEVNULL)
    try:
        superuser = f"postgres://postgres@127.0.0.1:{port}/postgres"
        with psycopg.connect(superuser, autocommit=True) as admin:
            admin.execute("CREATE ROLE modulebench LOGIN CREATEROLE PASSWORD 'modulebench'")
            admin.execute("CREATE DATABASE workspace OWNER modulebench")
        with psycopg.connect(f"postgres://postgres@127.0.0.1:{port}/workspace", autocommit=True) as admin:
            harden_workspace(admin, app_role="modulebench")
        url = f"postgres://modulebench:modulebench@127.0.0.1:{port}/workspace"
        with psycopg.connect(url, autocommit=True) as conn:
            prepare_workspace(conn)
        yield url
    finally:
        subprocess.run(devenv.as_service_user([pg_ctl, "-D", str(data), "-m", "immediate", "-w", "stop"]),
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture
def on_second_cluster(second_cluster: str, settings: Any, project: Project,
                      users: dict[str, User]) -> dict[str, Any]:
    settings.WORKSPACE_DATABASE_URL = second_cluster
    seed_demo_datasets(project=project, owner=users["modeler"])
    seed_demo_modules(project=project, owner=users["modeler"])
    return {"module": Module.objects.get(name="Emission Factors +15%"),
            "source": Dataset.objects.get(name="Emission Factors 2016")}


def test_modules_run_with_the_workspace_on_its_own_cluster(
        second_cluster: str, on_second_cluster: dict[str, Any], clients: dict[str, Any],
        workspace_database: str, worker: Any) -> None:  # noqa: F811
    run = wait_for(start(clients["modeler"], on_second_cluster["module"]), timeout=60)
    assert run.result == "SUCCESS", run.error
    written = [d for d in run.datasets if d["direction"] == "OUT"]
    assert written
    with workspace() as conn:  # settings point at the second cluster
        assert conn.info.port != psycopg.conninfo.conninfo_to_dict(workspace_database).get("port", 5432)
        for row in written:
            assert conn.execute(f"SELECT count(*) FROM {qualified_text(row['dataset'])}").fetchone() == (8,)
        assert sandbox.leftovers(conn) == ([], [])
    with psycopg.connect(workspace_database) as first:  # nothing of it reached the first cluster
        for row in written:
            assert first.execute("SELECT to_regclass(%s)", [qualified_text(row["dataset"])]).fetchone() == (None,)
