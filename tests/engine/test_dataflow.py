from collections.abc import Sequence

import pytest

from apps.engine.dataflow import (
    Connection,
    Dataflow,
    DataflowError,
    InvalidDataflow,
    Module,
    ModuleState,
    SlotSpec,
    StepResult,
    slot_types_compatible,
)
from apps.engine.steps import Aggregate, Function, Value


class Node(Module):
    """A module with one optional input ``in`` and one output ``out`` (both "table")."""

    inputs: Sequence[SlotSpec] = (SlotSpec("in", "table", required=False),)
    outputs: Sequence[SlotSpec] = (SlotSpec("out", "table", required=False),)

    def run_step(self, run_number: int, step_size: int, howlong: float) -> StepResult:
        return StepResult(ModuleState.TERMINATED, 1)


class Sink(Node):
    inputs = (SlotSpec("in", "table"),)


class AnySink(Node):
    inputs = (SlotSpec("in", "any"),)


class Join(Node):
    inputs = (SlotSpec("a", "table"), SlotSpec("b", "table"))


def codes(errors: list[DataflowError]) -> list[str]:
    return [e.code for e in errors]


def chain(*ids: str) -> Dataflow:
    df = Dataflow([Node(i) for i in ids])
    for a, b in zip(ids, ids[1:], strict=False):
        df.connect(a, "out", b, "in")
    return df


def test_states_have_progressivis_values() -> None:
    assert [(s.name.lower(), int(s)) for s in ModuleState] == [
        ("created", 0),
        ("ready", 1),
        ("running", 2),
        ("blocked", 3),
        ("suspended", 4),
        ("zombie", 5),
        ("terminated", 6),
        ("invalid", 7),
    ]
    assert ModuleState.ZOMBIE.label == "zombie"


def test_topological_order_breaks_ties_by_id_and_is_repeatable() -> None:
    df = Dataflow([Node(i) for i in ("z", "b", "a", "m", "c")])
    df.connect("z", "out", "m", "in")
    df.connect("a", "out", "c", "in")
    # sources a, b, z are ready first, in id order; m and c follow their producers
    assert df.topological_order() == ["a", "b", "c", "z", "m"]
    assert all(df.copy().topological_order() == df.topological_order() for _ in range(5))
    assert chain("c", "b", "a").topological_order() == ["c", "b", "a"]


def test_valid_dataflow_has_no_errors() -> None:
    df = Dataflow([Node("src"), Sink("sink"), AnySink("any")])
    df.connect("src", "out", "sink", "in")
    df.connect("sink", "out", "any", "in")  # "any" accepts every type
    assert df.validate() == []


def test_missing_required_input() -> None:
    errors = Dataflow([Sink("s")]).validate()
    assert errors == [
        DataflowError("missing_required_input", "required input s.in is not connected", "s", "in")
    ]


def test_dangling_connections() -> None:
    df = Dataflow([Node("a"), Node("b")])
    df.connect("a", "out", "ghost", "in")
    df.connect("a", "nope", "b", "in")
    df.connect("a", "out", "b", "nada")
    errors = df.validate()
    assert codes(errors) == ["unknown_module", "unknown_slot", "unknown_slot"]
    assert errors[0].module == "ghost"
    assert (errors[1].module, errors[1].slot) == ("a", "nope")
    assert (errors[2].module, errors[2].slot) == ("b", "nada")


def test_incompatible_slot_types() -> None:
    value = Value("v", 3, type="param:integer")
    df = Dataflow([value, Sink("s")])
    df.connect("v", "value", "s", "in")
    errors = df.validate()
    assert codes(errors) == ["incompatible_types"]
    assert (errors[0].module, errors[0].slot) == ("s", "in")
    assert slot_types_compatible("dataset:emissions", "any")
    assert slot_types_compatible("any", "table")  # an untyped output (a dataset slot of no fixed type) fits
    assert not slot_types_compatible("table", "param:integer")


def test_single_source_per_input_slot() -> None:
    df = Dataflow([Node("a"), Node("b"), Sink("s")])
    df.connect("a", "out", "s", "in")
    df.connect("b", "out", "s", "in")
    errors = df.validate()
    assert codes(errors) == ["multiple_sources"]
    assert "a.out" in errors[0].message and "b.out" in errors[0].message


def test_cycle_reports_its_members_only() -> None:
    df = chain("a", "b", "c", "d")
    df.connect("c", "out", "a", "in")  # a -> b -> c -> a; d is only downstream of the cycle
    df.add(Node("e"))
    df.connect("e", "out", "e", "in")  # a self-loop
    errors = df.validate()
    assert codes(errors) == ["cycle", "cycle"]
    assert sorted(e.members for e in errors) == [("a", "b", "c"), ("e",)]
    assert "a -> b -> c" in errors[0].message
    with pytest.raises(InvalidDataflow) as info:
        df.topological_order()
    assert {e.code for e in info.value.errors} == {"cycle"}


def test_unique_ids() -> None:
    df = Dataflow([Node("a"), Node("a")])
    errors = df.validate()
    assert codes(errors) == ["duplicate_id"]
    assert errors[0].module == "a"


def test_join_needs_both_inputs() -> None:
    df = Dataflow([Node("a"), Join("j")])
    df.connect("a", "out", "j", "a")
    errors = df.validate()
    assert [(e.code, e.slot) for e in errors] == [("missing_required_input", "b")]


def test_remove_drops_connections_and_copy_is_independent() -> None:
    df = chain("a", "b", "c")
    staged = df.copy()
    staged.remove("b")
    assert staged.connections == []
    assert len(df.connections) == 2 and "b" in df
    assert staged.modules["a"] is df.modules["a"]  # copies share the module objects
    df.disconnect(Connection("a", "out", "b", "in"))
    assert df.upstream_ids("b") == [] and df.downstream_ids("b") == ["c"]


def magda_flow() -> Dataflow:
    df = Dataflow(
        [
            Value("req", 1),
            Function("reg", lambda x: x),
            Aggregate("agg"),
            Function("post", lambda x: x),
            Function("side", lambda x: x),
        ]
    )
    df.connect("req", "value", "reg", "x")
    df.connect("reg", "result", "agg", "data")
    df.connect("agg", "result", "post", "x")
    df.connect("reg", "result", "side", "x")
    return df


def test_partition_for_mode() -> None:
    df = magda_flow()
    assert df.validate() == []
    assert df.partition_for_mode("run") == ["req", "reg", "agg", "side"]
    assert df.partition_for_mode("process") == ["agg", "post"]
    assert df.for_mode("process").validate() == []  # the aggregate's input is not needed there
    assert df.for_mode("run").validate() == []
    with pytest.raises(ValueError):
        df.partition_for_mode("walk")


def test_mixed_aggregation_input() -> None:
    df = magda_flow()
    mixed = Function("mixed", lambda a, b: a, inputs=(SlotSpec("a", "any"), SlotSpec("b", "any")))
    df.add(mixed)
    df.connect("reg", "result", "mixed", "a")  # from before the aggregation
    df.connect("post", "result", "mixed", "b")  # and from after it
    errors = df.validate()
    assert codes(errors) == ["mixed_aggregation_input"]
    assert errors[0].module == "mixed"


def test_nested_aggregation() -> None:
    df = magda_flow()
    df.add(Aggregate("agg2"))
    df.connect("post", "result", "agg2", "data")
    assert codes(df.validate()) == ["nested_aggregation"]
