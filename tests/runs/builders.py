"""Builders for run tests: a small numeric dataset type, datasets, simple and composite module types."""

import io
import time
from typing import Any

from apps.accounts.models import Project, User
from apps.datasets.models import Dataset, DatasetType
from apps.datasets.services import (
    dataset_create,
    dataset_import,
    dataset_type_create,
    version_finalize,
)
from apps.datasets.workspace import workspace
from apps.engine import sandbox
from apps.engine.storage import qualified_text
from apps.modules.models import Module
from apps.moduletypes.models import ModuleTypeVersion
from apps.moduletypes.services import module_type_create
from apps.runs.models import Run
from apps.runs.services import run_request

NUMBER_COLUMNS = [{"name": "k", "sql_type": "integer"}, {"name": "v", "sql_type": "double precision"}]


def numbers_type(owner: User) -> DatasetType:
    found = DatasetType.objects.filter(name="Numbers").first()
    return found or dataset_type_create(name="Numbers", description="k -> v", columns=NUMBER_COLUMNS, creator=owner)


def numbers(name: str, rows: list[tuple[int, float]], *, project: Project, owner: User, final: bool = True) -> Dataset:
    dataset = dataset_create(name=name, dataset_type=numbers_type(owner), project=project, creator=owner)
    csv = "k,v\n" + "".join(f"{k},{v}\n" for k, v in rows)
    version = dataset_import(dataset=dataset, user=owner, stream=io.BytesIO(csv.encode()))
    if final:
        version_finalize(version=version)
    return dataset


def ds(placeholder: str, mode: str, dtype: DatasetType, optional: bool = False) -> dict[str, Any]:
    return {"placeholder": placeholder, "mode": mode, "dataset_type": dtype.pk, "is_optional": optional,
            "description": ""}


def param(name: str, mode: str, sql_type: str = "double precision", optional: bool = False) -> dict[str, Any]:
    return {"name": name, "sql_type": sql_type, "mode": mode, "is_optional": optional, "description": ""}


def simple(name: str, algorithm: str, datasets: list[dict[str, Any]], parameters: list[dict[str, Any]] | None = None,
           *, project: Project, owner: User) -> ModuleTypeVersion:
    module_type = module_type_create(name=name, kind="simple", project=project, creator=owner, version={
        "algorithm": algorithm, "dataset_slots": datasets, "parameter_slots": parameters or []})
    return module_type.versions.get()


def wire(kind: str, source: tuple[int | None, str], target: tuple[int | None, str]) -> dict[str, Any]:
    return {"kind": kind, "source": {"submodule": source[0], "slot": source[1]},
            "target": {"submodule": target[0], "slot": target[1]}}


def composite(name: str, submodules: list[tuple[int, str, ModuleTypeVersion]], connections: list[dict[str, Any]],
              datasets: list[dict[str, Any]], parameters: list[dict[str, Any]] | None = None, *, project: Project,
              owner: User) -> ModuleTypeVersion:
    graph = {"submodules": [{"id": i, "name": n, "version": v.pk, "position": {"x": 0, "y": 0}}
                            for i, n, v in submodules], "connections": connections}
    module_type = module_type_create(name=name, kind="composite", project=project, creator=owner, version={
        "graph": graph, "dataset_slots": datasets, "parameter_slots": parameters or []})
    return module_type.versions.get()


def module(name: str, version: ModuleTypeVersion, *, project: Project, owner: User,
           datasets: dict[str, Any] | None = None, parameters: dict[str, str] | None = None,
           keep: dict[str, list[str]] | None = None) -> Module:
    """Straight into the model: the bindings are what the runner must cope with (INOUT included)."""
    from django.utils import timezone

    return Module.objects.create(name=name, type_version=version, project=project, creator=owner,
                                 dataset_bindings=datasets or {}, parameter_bindings=parameters or {},
                                 keep_internal=keep or {}, last_modified=timezone.now())


def run_and_wait(target: Module, user: User, timeout: float = 60) -> Run:
    return wait_for(run_request(module=target, user=user).pk, timeout)


def wait_for(run_id: int, timeout: float = 60) -> Run:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        run = Run.objects.get(pk=run_id)
        if run.result:
            return run
        time.sleep(0.05)
    raise AssertionError(f"run {run_id} did not finish in {timeout} s")


def rows_of(dataset_id: int, path: list[int] | None = None) -> list[tuple[int, float]]:
    where = "" if path is None else (f" WHERE mb_version = ANY(ARRAY{list(path)}::integer[]) "
                                     f"AND NOT (mb_deleted && ARRAY{list(path)}::integer[])")
    with workspace() as conn:
        return [(int(k), float(v)) for k, v in conn.execute(
            f"SELECT k, v FROM {qualified_text(dataset_id)}{where} ORDER BY k").fetchall()]


def table_exists(dataset_id: int) -> bool:
    with workspace() as conn:
        row = conn.execute("SELECT to_regclass(%s)", [qualified_text(dataset_id)]).fetchone()
    return row is not None and row[0] is not None


def no_leftovers() -> None:
    with workspace() as conn:
        assert sandbox.leftovers(conn) == ([], [])
