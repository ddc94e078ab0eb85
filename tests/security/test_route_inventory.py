"""Route inventory (issue 10): every URL pattern of the urlconf and every live topic kind is listed
below, with how to reach an object of project A (Team Alpha). For each one, a modeler of another
project (the stranger) gets 404 with the very body a nonexistent id gets (or is refused on
subscribe), and a Viewer of project A cannot write (403).

A route or a method added without a row here fails `test_every_route_and_method_is_listed`; a topic
kind registered without a row fails `test_every_topic_kind_is_listed`."""

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.urls import URLPattern, URLResolver, get_resolver
from rest_framework.test import APIClient

from apps.accounts.models import Project, User
from apps.datasets.models import Dataset
from apps.live import events as live
from apps.modules.models import Module
from apps.moduletypes.models import ModuleType, ModuleTypeVersion
from apps.runs.models import Run
from tests.runs.conftest import demo  # noqa: F401  (fixture)

pytestmark = pytest.mark.django_db

MISSING = 987654321
SAFE = {"GET"}


@dataclass
class World:
    project: Project
    module: Module
    dataset: Dataset
    module_type: ModuleType
    version: ModuleTypeVersion
    run: Run


@dataclass
class Route:
    """How to reach project A's object through one URL pattern.

    url(world, pk): the URL, with `pk` standing for the object's id (MISSING for the nonexistent twin;
    None where the route names no object in its path). methods: method -> request body."""

    url: Callable[[World, int | None], str]
    methods: dict[str, Any]
    object_pk: Callable[[World], int] | None = None  # the id the path names (None: ids in body/query)
    viewer_writes: bool = False  # a Viewer may use the non-GET methods (none so far)
    listed: Callable[[World], str] | None = None  # a list: GET shows a stranger none of A's (this name)
    note: str = ""


@dataclass
class Exempt:
    """A route that names no project object; why it is outside the matrix."""

    why: str
    methods: set[str] = field(default_factory=set)


def _ds(w: World) -> int:
    return w.dataset.pk


def _mod(w: World) -> int:
    return w.module.pk


def _type(w: World) -> int:
    return w.module_type.pk


def _ver(w: World) -> int:
    return w.version.pk


def _run(w: World) -> int:
    return w.run.pk


def _proj(w: World) -> int:
    return w.project.pk


ROUTES: dict[str, Route | Exempt] = {
    "auth-login": Exempt("signs in; no project object", {"POST"}),
    "auth-logout": Exempt("signs out; no project object", {"POST"}),
    "auth-token": Exempt("issues the caller's token; no project object", {"POST"}),
    "me": Exempt("the caller themself", {"GET"}),
    "health": Exempt("service health; no project object", {"GET"}),
    "sql-types": Exempt("the configured SQL type list; no project object", {"GET"}),
    "schema": Exempt("the OpenAPI schema", {"GET"}),
    "docs": Exempt("the interactive API docs", {"GET"}),
    "dataset-type-list": Exempt("dataset types are shared by every project (DESIGN §3: no project)", {"GET", "POST"}),
    "dataset-type-usage": Exempt("dataset types are shared by every project; it lists only the caller's projects' "
                                 "datasets and module type versions (tests/datasets)", {"GET"}),
    "dataset-type-detail": Exempt("dataset types are shared by every project; writes need the Admin role",
                                  {"GET", "PATCH", "DELETE"}),
    "project-list": Exempt("lists the caller's projects (tests/accounts); creating one needs an admin",
                           {"GET", "POST"}),
    "project-detail": Route(lambda w, pk: f"/api/projects/{pk}", {"GET": None, "PATCH": {"description": "x"}}, _proj),
    "dataset-list": Route(lambda w, pk: "/api/datasets/", {"GET": None, "POST": {"name": "Intruder", "dataset_type": 0}},
                          listed=lambda w: w.dataset.name, note="POST names project A in its body"),
    "dataset-detail": Route(lambda w, pk: f"/api/datasets/{pk}", {"GET": None, "PATCH": {"description": "x"},
                                                                  "DELETE": None}, _ds),
    "dataset-delete-rows": Route(lambda w, pk: f"/api/datasets/{pk}/versions/0/delete-rows",
                                 {"POST": {"record_ids": [1]}}, _ds),
    "dataset-export": Route(lambda w, pk: f"/api/datasets/{pk}/export", {"GET": None}, _ds),
    "dataset-finalize": Route(lambda w, pk: f"/api/datasets/{pk}/versions/0/finalize", {"POST": {}}, _ds),
    "dataset-import-csv": Route(lambda w, pk: f"/api/datasets/{pk}/import", {"POST": {}}, _ds),
    "dataset-purge": Route(lambda w, pk: f"/api/datasets/{pk}/purge", {"POST": {}}, _ds),
    "dataset-related-modules": Route(lambda w, pk: f"/api/datasets/{pk}/related-modules", {"GET": None}, _ds),
    "dataset-rows": Route(lambda w, pk: f"/api/datasets/{pk}/rows", {"GET": None}, _ds),
    "dataset-versions": Route(lambda w, pk: f"/api/datasets/{pk}/versions", {"GET": None, "POST": {"base": 0}}, _ds),
    "module-type-list": Route(lambda w, pk: "/api/module-types/",
                              {"GET": None, "POST": {"name": "Intruder", "kind": "simple"}},
                              listed=lambda w: w.module_type.name, note="POST names project A in its body"),
    "module-type-detail": Route(lambda w, pk: f"/api/module-types/{pk}", {"GET": None, "PATCH": {"description": "x"},
                                                                          "DELETE": None}, _type),
    "module-type-lock": Route(lambda w, pk: f"/api/module-types/{pk}/lock", {"POST": {}, "DELETE": None}, _type),
    "module-type-versions": Route(lambda w, pk: f"/api/module-types/{pk}/versions", {"POST": {}}, _type),
    "module-type-version-list": Exempt("lists the versions of the caller's projects only (tests/moduletypes)",
                                       {"GET"}),
    "module-type-version-detail": Route(lambda w, pk: f"/api/module-type-versions/{pk}",
                                        {"GET": None, "PATCH": {"revision_note": "x", "description": "x"},
                                         "DELETE": None}, _ver),
    "module-type-version-finalize": Route(lambda w, pk: f"/api/module-type-versions/{pk}/finalize",
                                          {"POST": {"confirm": [1]}}, _ver),
    "module-type-version-finalize-plan": Route(lambda w, pk: f"/api/module-type-versions/{pk}/finalize-plan",
                                               {"GET": None}, _ver),
    "module-type-version-new-type": Route(lambda w, pk: f"/api/module-type-versions/{pk}/new-type",
                                         {"POST": {"name": "Intruder"}}, _ver),
    "module-type-version-validate": Route(lambda w, pk: f"/api/module-type-versions/{pk}/validate", {"POST": {}},
                                          _ver),
    "module-list": Route(lambda w, pk: "/api/modules/", {"GET": None, "POST": {"name": "Intruder", "type_version": 0}},
                         listed=lambda w: w.module.name, note="POST names project A in its body"),
    "module-bring-up-to-date": Route(lambda w, pk: "/api/modules/bring-up-to-date", {"POST": {"modules": [0]}},
                                     note="the module ids are in the body"),
    "module-compare": Route(lambda w, pk: f"/api/modules/compare?first={w.module.pk}&second={w.module.pk}",
                            {"GET": None}, note="the module ids are in the query"),
    "module-detail": Route(lambda w, pk: f"/api/modules/{pk}", {"GET": None, "PATCH": {"description": "x"},
                                                                "DELETE": None}, _mod),
    "module-copy": Route(lambda w, pk: f"/api/modules/{pk}/copy", {"POST": {}}, _mod),
    "module-finalize": Route(lambda w, pk: f"/api/modules/{pk}/finalize", {"POST": {}}, _mod),
    "module-finalize-plan": Route(lambda w, pk: f"/api/modules/{pk}/finalize-plan", {"GET": None}, _mod),
    "module-history": Route(lambda w, pk: f"/api/modules/{pk}/history", {"GET": None}, _mod),
    "module-lock": Route(lambda w, pk: f"/api/modules/{pk}/lock", {"POST": {}, "DELETE": None}, _mod),
    "module-removal-plan": Route(lambda w, pk: f"/api/modules/{pk}/removal-plan", {"GET": None}, _mod),
    "module-run": Route(lambda w, pk: f"/api/modules/{pk}/run", {"POST": {"mode": "run"}}, _mod),
    "module-status": Route(lambda w, pk: f"/api/modules/{pk}/status", {"GET": None}, _mod),
    "module-validate": Route(lambda w, pk: f"/api/modules/{pk}/validate", {"POST": {}}, _mod),
    "run-detail": Route(lambda w, pk: f"/api/runs/{pk}", {"GET": None}, _run),
    "run-cancel": Route(lambda w, pk: f"/api/runs/{pk}/cancel", {"POST": {}}, _run),
    "run-steer": Route(lambda w, pk: f"/api/runs/{pk}/steer", {"POST": {"path": "x", "parameters": {"bins": "8"}}}, _run),
}

# Unnamed patterns: the API's 404 for unknown paths and the single-page app's index.
CATCH_ALLS = {"api/^(?P<path>.*)$", "^(?!api/|admin/|static/|ws/)(?P<path>.*)$"}
# Django's admin site has its own (staff) authentication and is not part of the API.
OUTSIDE = ("admin/",)


def _patterns(resolver: URLResolver, prefix: str = "") -> Iterator[tuple[str, URLPattern]]:
    for pattern in resolver.url_patterns:
        text = prefix + str(pattern.pattern)
        if text.startswith(OUTSIDE):
            continue
        if isinstance(pattern, URLResolver):
            yield from _patterns(pattern, text)
        else:
            yield text, pattern


def _methods(pattern: URLPattern) -> set[str]:
    callback: Any = pattern.callback
    cls = getattr(callback, "cls", None) or getattr(callback, "view_class", None)
    allowed = {m.upper() for m in getattr(cls, "http_method_names", ())} - {"HEAD", "OPTIONS", "TRACE"}
    actions = getattr(callback, "actions", None)
    if actions is not None:
        return {m.upper() for m in actions} & allowed
    return {m for m in allowed if cls is not None and hasattr(cls, m.lower())}


def test_every_route_and_method_is_listed() -> None:
    found: dict[str, set[str]] = {}
    for text, pattern in _patterns(get_resolver()):
        if pattern.name is None:
            assert text in CATCH_ALLS, f"an unnamed route {text!r}: name it and list it in ROUTES"
            continue
        found[pattern.name] = _methods(pattern)
    assert set(found) == set(ROUTES), "list every route in ROUTES (and drop the rows of removed ones)"
    for name, methods in found.items():
        row = ROUTES[name]
        listed = row.methods if isinstance(row, Exempt) else set(row.methods)
        assert listed == methods, (name, sorted(methods))


# ------------------------------------------------------------------------------------- the matrix

@pytest.fixture
def world(demo: dict[str, Any], users: dict[str, User], project: Project) -> World:  # noqa: F811
    module: Module = demo["module"]
    run = Run.objects.create(module=module, run_number=1, user=users["modeler"], type_version=module.type_version)
    return World(project=project, module=module, dataset=demo["source"], module_type=module.type_version.module_type,
                 version=module.type_version, run=run)


def _body(name: str, method: str, world: World) -> Any:
    row = ROUTES[name]
    assert isinstance(row, Route)
    body = row.methods[method]
    if name in ("dataset-list", "module-type-list", "module-list") and method == "POST":
        body = {**body, "project": world.project.pk}
        if name == "dataset-list":
            body["dataset_type"] = world.dataset.dataset_type_id
        if name == "module-list":
            body["type_version"] = world.version.pk
    elif name == "module-bring-up-to-date":
        body = {"modules": [world.module.pk]}
    elif name == "module-type-version-finalize":
        body = {"confirm": [world.version.pk]}
    return body


def _send(client: APIClient, method: str, url: str, body: Any) -> Any:
    import json

    return client.generic(method, url, data="" if body is None else json.dumps(body),
                          content_type="application/json")


CASES = sorted((name, method) for name, row in ROUTES.items() if isinstance(row, Route) for method in row.methods)


@pytest.mark.parametrize(("name", "method"), CASES)
def test_a_stranger_gets_the_404_of_a_nonexistent_object(clients: dict[str, APIClient], world: World, name: str,
                                                        method: str) -> None:
    row = ROUTES[name]
    assert isinstance(row, Route)
    pk = row.object_pk(world) if row.object_pk else None
    body = _body(name, method, world)
    foreign = _send(clients["stranger"], method, row.url(world, pk), body)
    if method == "GET" and row.listed is not None:
        assert foreign.status_code == 200 and row.listed(world).encode() not in foreign.content, name
        return
    assert foreign.status_code == 404, (name, method, foreign.status_code, foreign.content)
    if row.object_pk is not None:
        missing = _send(clients["stranger"], method, row.url(world, MISSING), body)
        assert foreign.content == missing.content


@pytest.mark.parametrize(("name", "method"), [c for c in CASES if c[1] not in SAFE])
def test_a_viewer_cannot_write(clients: dict[str, APIClient], world: World, name: str, method: str) -> None:
    row = ROUTES[name]
    assert isinstance(row, Route) and not row.viewer_writes
    pk = row.object_pk(world) if row.object_pk else None
    response = _send(clients["viewer"], method, row.url(world, pk), _body(name, method, world))
    assert response.status_code == 403, (name, method, response.status_code, response.content)
    assert set(response.json()) == {"code", "message", "details"}


@pytest.mark.parametrize(("name", "method"), [c for c in CASES if c[1] in SAFE])
def test_a_viewer_can_read(clients: dict[str, APIClient], world: World, name: str, method: str) -> None:
    row = ROUTES[name]
    assert isinstance(row, Route)
    pk = row.object_pk(world) if row.object_pk else None
    response = _send(clients["viewer"], method, row.url(world, pk), _body(name, method, world))
    assert response.status_code == 200, (name, method, response.status_code, response.content)
    if row.listed is not None:
        assert row.listed(world).encode() in response.content, name


# ------------------------------------------------------------------------------------------ topics

# kind -> the topic of project A's object (None: a topic about no project object, with why).
TOPICS: dict[str, Callable[[World], str] | str] = {
    "project": lambda w: f"project:{w.project.pk}",
    "modules": lambda w: f"modules:{w.project.pk}",
    "module": lambda w: f"module:{w.module.pk}",
    "dataset": lambda w: f"dataset:{w.dataset.pk}",
    "module-type": lambda w: f"module-type:{w.module_type.pk}",
    "run": lambda w: f"run:{w.run.pk}",
    "presence": lambda w: f"presence:module:{w.module.pk}",
    "me": "the caller's own events",
}


def test_every_topic_kind_is_listed() -> None:
    assert set(live._AUTHORIZERS) == set(TOPICS)


@pytest.mark.parametrize("kind", sorted(k for k, v in TOPICS.items() if callable(v)))
def test_a_stranger_may_not_follow_and_a_viewer_may(users: dict[str, User], world: World, kind: str) -> None:
    make = TOPICS[kind]
    assert callable(make)
    topic = make(world)
    assert not live.may_subscribe(users["stranger"], topic), topic
    assert live.may_subscribe(users["viewer"], topic), topic
    bare = topic.split(":", 1)[0]
    assert not live.may_subscribe(users["stranger"], bare), bare  # no kind is open without its key


def test_presence_covers_module_types_too(users: dict[str, User], world: World) -> None:
    topic = f"presence:module-type:{world.module_type.pk}"
    assert (live.may_subscribe(users["stranger"], topic), live.may_subscribe(users["viewer"], topic)) == (False, True)
