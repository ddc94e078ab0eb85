"""One registry of live event types (apps/live/event_types.py): every publishing call in apps/ names a
registered type with a literal string, and a literal `data` dict has exactly one of its shapes' keys
(a dict built elsewhere or spread with ** is checked when published: apps.live.events refuses a
registered type with other keys, which the whole suite exercises). No registered type is unused."""

import ast
from pathlib import Path

import pytest

from apps.live import events
from apps.live.event_types import EVENT_TYPES, check_event

APPS = Path(__file__).resolve().parents[2] / "apps"
PUBLISHERS = {"publish_on_commit", "publish_now", "_publish", "_Event"}  # (topic?, type, data) callers


def _name(func: ast.expr) -> str | None:
    return func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else None


def _publications() -> list[tuple[str, ast.expr, ast.expr]]:
    """(where, type node, data node) of every event published in apps/."""
    found = []
    for path in sorted(APPS.rglob("*.py")):
        if "migrations" in path.parts or path.parent.name == "live" and path.name == "events.py":
            continue
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            where = f"{path.relative_to(APPS.parent)}:{getattr(node, 'lineno', '?')}"
            if isinstance(node, ast.Call) and _name(node.func) in PUBLISHERS:
                args = node.args
                # _publish(type, data[, topic]); the others (topic, type, data)
                type_node, data_node = (args[0], args[1]) if _name(node.func) == "_publish" else (args[1], args[2])
                found.append((where, type_node, data_node))
            elif (isinstance(node, ast.Tuple) and len(node.elts) == 3 and isinstance(node.elts[2], ast.Dict)
                  and isinstance(node.elts[1], ast.Constant) and isinstance(node.elts[1].value, str)):
                found.append((where, node.elts[1], node.elts[2]))  # (topic, type, data) for publish_many
    return found


def test_every_published_type_is_registered_with_its_keys() -> None:
    publications = _publications()
    assert len(publications) > 20, "the scan found too few publishing calls"
    problems = []
    for where, type_node, data_node in publications:
        if isinstance(type_node, ast.Name) and type_node.id == "event_type":
            continue  # a wrapper forwarding its caller's type (RunRecorder._publish): its callers are read
        if not (isinstance(type_node, ast.Constant) and isinstance(type_node.value, str)):
            problems.append(f"{where}: the event type is not a literal string")
            continue
        registered = EVENT_TYPES.get(type_node.value)
        if registered is None:
            problems.append(f"{where}: {type_node.value!r} is not registered")
        elif isinstance(data_node, ast.Dict):
            keys = {str(k.value) for k in data_node.keys if isinstance(k, ast.Constant)}
            spread = any(k is None for k in data_node.keys)
            if spread and not any(keys <= shape for shape in registered.shapes):
                problems.append(f"{where}: {type_node.value!r} with keys {sorted(keys)} (and more)")
            if not spread and frozenset(keys) not in registered.shapes:
                problems.append(f"{where}: {type_node.value!r} with keys {sorted(keys)}")
    assert problems == []


def test_no_registered_type_is_unused() -> None:
    used = {t.value for _, t, _ in _publications() if isinstance(t, ast.Constant)}
    assert set(EVENT_TYPES) - used == set()


def test_publishing_a_registered_type_with_other_keys_is_refused() -> None:
    with pytest.raises(ValueError, match="registered keys"):
        events.publish_now("run:1", "finished", {"run": 1, "result": "SUCCESS"})
    with pytest.raises(ValueError, match="registered keys"):
        events.publish_on_commit("module:1", "status", {"module": 1, "status": "UpToDate"})
    with pytest.raises(ValueError, match="not registered"):
        check_event("no_such_type", {})
    check_event("lock", {"module_type": 1, "lock": None})  # either shape of a type with two
    check_event("lock", {"module": 1, "lock": None})
