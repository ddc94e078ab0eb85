"""Every live event type and the keys of its `data` (DESIGN §7): the one registry, checked when an
event is published (`check_event`) and by a test that reads every publishing call in apps/. A type
has one shape, or a few alternatives where its subject differs (a lock is a module's or a module
type's). A client may rely on exactly these keys; adding one means adding it here."""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class EventType:
    name: str
    shapes: tuple[frozenset[str], ...]
    topics: str  # where it is published (documentation)


def _type(name: str, topics: str, *shapes: Iterable[str]) -> EventType:
    return EventType(name, tuple(frozenset(shape) for shape in shapes), topics)


EVENT_TYPES: dict[str, EventType] = {t.name: t for t in (
    # modules
    _type("module_created", "modules:<project>", {"module"}),
    _type("module_changed", "module:<id>", {"module"}),
    _type("module_removed", "modules:<project>, module:<id>", {"module"}),
    _type("status", "modules:<project>, module:<id>", {"module", "status", "reasons"}),
    # runs
    _type("run_started", "modules:<project>, module:<id>", {"module", "run", "run_number"}),
    _type("run_finished", "modules:<project>, module:<id>", {"module", "run", "result", "error", "ended_at"}),
    _type("aggregation_changed", "modules:<project>, module:<id>", {"module", "aggregation"}),
    _type("started", "run:<id>", {"run", "started_at"}),
    _type("stage", "run:<id>", {"stage", "path"}),
    _type("progress", "run:<id>", {"path", "state", "done", "total", "rate", "elapsed", "written"}),
    _type("partial", "run:<id>", {"path", "kind", "result", "final"}),
    _type("steered", "run:<id>", {"path", "parameters", "at", "user"}),
    _type("log", "run:<id>", {"path", "at", "level", "message"}),
    _type("finished", "run:<id>", {"run", "result", "error", "ended_at"}),
    _type("cancel_requested", "run:<id>", {"run"}),
    # datasets
    _type("dataset_created", "project:<id>", {"id", "name"}),
    _type("dataset_changed", "dataset:<id>", {"id"}),
    _type("dataset_removed", "project:<id>", {"id"}),
    _type("version_changed", "dataset:<id>", {"number", "row_count"}, {"number", "is_final"}),
    # module types
    _type("type_version_changed", "module-type:<id>", {"version"}),
    # locks and presence
    _type("lock", "module:<id>, module-type:<id>", {"module", "lock"}, {"module_type", "lock"}),
    _type("presence", "presence:<object topic>", {"viewers"}),
)}


def check_event(event_type: str, data: Mapping[str, Any]) -> None:
    """ValueError unless `event_type` is registered and `data` has exactly one of its shapes' keys."""
    registered = EVENT_TYPES.get(event_type)
    if registered is None:
        raise ValueError(f"Live event type {event_type!r} is not registered in apps/live/event_types.py.")
    keys = frozenset(data)
    if keys not in registered.shapes:
        expected = " or ".join(str(sorted(shape)) for shape in registered.shapes)
        raise ValueError(f"Live event {event_type!r} carries {sorted(keys)}; its registered keys are {expected}.")
