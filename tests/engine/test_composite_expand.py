"""Expanding a composite (nested composites too) into SQL steps, without Django or a database."""

from typing import Any

import pytest

from apps.engine.composite import ExpansionError, Ref, VersionSpec, expand


def ds(placeholder: str, mode: str) -> dict[str, Any]:
    return {"placeholder": placeholder, "mode": mode, "dataset_type": 1}


def par(name: str, mode: str) -> dict[str, Any]:
    return {"name": name, "mode": mode, "sql_type": "integer"}


def wire(source: tuple[int | None, str], target: tuple[int | None, str]) -> dict[str, Any]:
    return {"kind": "dataset", "source": {"submodule": source[0], "slot": source[1]},
            "target": {"submodule": target[0], "slot": target[1]}}


def simple(id: int, datasets: list[dict[str, Any]], parameters: list[dict[str, Any]] | None = None) -> VersionSpec:
    return VersionSpec(id, "simple", datasets, parameters or [], {})


def comp(id: int, subs: list[tuple[int, str, int]], wires: list[dict[str, Any]], datasets: list[dict[str, Any]],
         parameters: list[dict[str, Any]] | None = None) -> VersionSpec:
    graph = {"submodules": [{"id": i, "name": n, "version": v} for i, n, v in subs], "connections": wires}
    return VersionSpec(id, "composite", datasets, parameters or [], graph)


COPY = simple(1, [ds("src", "IN"), ds("dst", "OUT")])
SUM = simple(2, [ds("src", "IN")], [par("total", "OUT")])
ADD = simple(3, [ds("src", "IN"), ds("dst", "OUT")], [par("offset", "IN")])
INNER = comp(10, [(2, "c2", 1), (1, "c1", 1)], [wire((None, "a"), (1, "src")), wire((1, "dst"), (2, "src")),
                                                wire((2, "dst"), (None, "b"))], [ds("a", "IN"), ds("b", "OUT")])
VERSIONS = {v.id: v for v in (COPY, SUM, ADD, INNER)}


def test_a_simple_version_is_one_step_fed_by_the_module() -> None:
    plan = expand(ADD, VERSIONS)
    assert [(s.path, s.sources) for s in plan.steps] == [("", {"src": Ref(None, "src"), "offset": Ref(None, "offset")})]
    assert plan.outputs == {"dst": Ref("", "dst")}


def test_nested_composites_expand_in_dependency_order_with_paths() -> None:
    outer = comp(20, [(1, "inner", 10), (3, "sum", 2), (2, "add", 3)], [
        wire((None, "x"), (1, "a")), wire((1, "b"), (3, "src")), wire((1, "b"), (2, "src")),
        {"kind": "parameter", "source": {"submodule": 3, "slot": "total"}, "target": {"submodule": 2, "slot": "offset"}},
        {"kind": "parameter", "source": {"submodule": 3, "slot": "total"}, "target": {"submodule": None, "slot": "t"}},
        wire((2, "dst"), (None, "y"))], [ds("x", "IN"), ds("y", "OUT")], [par("t", "OUT")])
    plan = expand(outer, {**VERSIONS, 20: outer})
    # inner's c1 (id 1) runs before c2 (id 2) because c2 reads it; add (id 2) waits for sum (id 3)
    assert [s.path for s in plan.steps] == ["inner/c1", "inner/c2", "sum", "add"]
    assert plan.step("inner/c1").sources == {"src": Ref(None, "x")}  # traced through the inner boundary
    assert plan.step("sum").sources == {"src": Ref("inner/c2", "dst")}
    assert plan.step("add").sources == {"src": Ref("inner/c2", "dst"), "offset": Ref("sum", "total")}
    assert plan.outputs == {"y": Ref("add", "dst"), "t": Ref("sum", "total")}
    assert plan.readers(Ref("inner/c2", "dst")) == ["sum", "add"]
    assert Ref("inner/c2", "dst").key == "inner/c2.dst"


def test_independent_submodules_run_in_the_order_of_their_ids() -> None:
    net = comp(30, [(5, "e", 1), (2, "b", 1), (9, "z", 1)],
               [wire((None, "x"), (i, "src")) for i in (5, 2, 9)], [ds("x", "IN")])
    assert [s.path for s in expand(net, {**VERSIONS, 30: net}).steps] == ["b", "e", "z"]


def test_unconnected_optional_inputs_have_no_source() -> None:
    net = comp(31, [(1, "only", 3)], [], [])
    assert expand(net, {**VERSIONS, 31: net}).steps[0].sources == {"src": None, "offset": None}


@pytest.mark.parametrize(("net", "code"), [
    (comp(40, [(1, "a", 1), (2, "b", 1)], [wire((1, "dst"), (2, "src")), wire((2, "dst"), (1, "src"))], []), "cycle"),
    (comp(41, [(1, "me", 41)], [], []), "recursive_composite"),
    (comp(42, [(1, "ghost", 99)], [], []), "unknown_version"),
    (comp(43, [(1, "a", 1)], [wire((7, "dst"), (1, "src"))], []), "dangling_connection"),
])
def test_a_broken_graph_cannot_be_expanded(net: VersionSpec, code: str) -> None:
    with pytest.raises(ExpansionError) as caught:
        expand(net, {**VERSIONS, net.id: net})
    assert caught.value.code == code
