"""Validity of a composite's graph (apps/engine/composite.py validate_graph) for the wirings a run
accepts: outputs straight from inputs, fan-out, INOUT chains; and the one it refuses, a submodule
INOUT fed by a module IN-only slot (a module never writes its inputs)."""

from typing import Any

from apps.engine.composite import Slots, validate_graph


def ds(placeholder: str, mode: str) -> dict[str, Any]:
    return {"placeholder": placeholder, "mode": mode, "dataset_type": 1}


def wire(source: tuple[int | None, str], target: tuple[int | None, str]) -> dict[str, Any]:
    return {"kind": "dataset", "source": {"submodule": source[0], "slot": source[1]},
            "target": {"submodule": target[0], "slot": target[1]}}


COPY, BUMP = 1, 2
VERSIONS = {COPY: Slots([ds("src", "IN"), ds("dst", "OUT")], []), BUMP: Slots([ds("data", "INOUT")], [])}


def errors(subs: list[tuple[int, str, int]], wires: list[dict[str, Any]], own: list[dict[str, Any]]) -> list[Any]:
    graph = {"submodules": [{"id": i, "name": n, "version": v} for i, n, v in subs], "connections": wires}
    return [(e.code, e.submodule, e.slot) for e in validate_graph(graph, Slots(own, []), VERSIONS)]


def test_outputs_from_inputs_fan_out_and_inout_chains_are_valid() -> None:
    assert errors([(1, "copy", COPY)], [
        wire((None, "x"), (None, "y")), wire((None, "d"), (None, "d")), wire((None, "x"), (1, "src")),
        wire((1, "dst"), (None, "z")), wire((1, "dst"), (None, "w"))],
        [ds("x", "IN"), ds("d", "INOUT"), ds("y", "OUT"), ds("z", "OUT"), ds("w", "OUT")]) == []
    assert errors([(1, "a", BUMP), (2, "b", BUMP), (3, "copy", COPY), (4, "c", BUMP)], [
        wire((None, "d"), (1, "data")), wire((1, "data"), (2, "data")), wire((2, "data"), (None, "d")),
        wire((None, "x"), (3, "src")), wire((3, "dst"), (4, "data")), wire((4, "data"), (None, "y"))],
        [ds("d", "INOUT"), ds("x", "IN"), ds("y", "OUT")]) == []


def test_a_submodule_inout_fed_by_a_module_in_slot_is_invalid() -> None:
    found = errors([(1, "bump", BUMP), (2, "copy", COPY)], [
        wire((None, "x"), (1, "data")), wire((1, "data"), (2, "src")), wire((2, "dst"), (None, "y"))],
        [ds("x", "IN"), ds("y", "OUT")])
    assert found == [("inout_writes_input", 1, "data")]
