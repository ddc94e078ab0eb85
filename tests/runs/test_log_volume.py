"""Log volume (issue 10): a run's history keeps the first and last log lines and says how many were
dropped; a single huge message (log line, error message, detail, hint) is truncated with a marker;
the live view is not flooded; the run still finishes promptly."""

import re
import time
from typing import Any

import pytest
from django.conf import LazySettings

from apps.runs import recorder as recorder_module
from apps.runs.models import RunLog, StepRecord
from tests.runs.builders import module, no_leftovers, run_and_wait, simple

pytestmark = pytest.mark.django_db(transaction=True)

LINES, TOTAL_BYTES, MESSAGE_BYTES = 200, 200_000, 4096
DROPPED_RE = re.compile(r"^… (\d+) lines \((\d+) bytes\) dropped …$")
TRUNCATED_RE = re.compile(r"… \(truncated, (\d+) bytes\)$")


@pytest.fixture
def caps(settings: LazySettings) -> None:
    settings.RUN_LOG_LINES = LINES
    settings.RUN_LOG_BYTES = TOTAL_BYTES
    settings.RUN_LOG_MESSAGE_BYTES = MESSAGE_BYTES


@pytest.fixture
def live_events(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, str, dict[str, Any]]]:
    """Every live event the recorder sends (the test worker runs in this process)."""
    sent: list[tuple[str, str, dict[str, Any]]] = []
    real = recorder_module.publish_many

    def spy(events: list[tuple[str, str, dict[str, Any]]]) -> Any:
        sent.extend(events)
        return real(events)

    monkeypatch.setattr(recorder_module, "publish_many", spy)
    return sent


def _stored_bytes(run_id: int) -> int:
    return sum(len(m.encode()) for m in RunLog.objects.filter(run_id=run_id).values_list("message", flat=True))


def test_a_hundred_thousand_notices_keep_the_first_and_last_lines_and_the_dropped_count(
        demo: dict[str, Any], users: dict[str, Any], caps: None, live_events: list[Any], worker: Any) -> None:
    owner = users["modeler"]
    chatty = simple("chatty", "FOR i IN 1..100000 LOOP RAISE NOTICE 'line %', i; END LOOP;", [],
                    project=demo["module"].project, owner=owner)
    started = time.monotonic()
    run = run_and_wait(module("Chatty", chatty, project=demo["module"].project, owner=owner), owner, timeout=120)
    seconds = time.monotonic() - started
    assert run.result == "SUCCESS", run.error
    messages = list(RunLog.objects.filter(run=run).order_by("id").values_list("message", flat=True))
    assert len(messages) <= LINES + 1, len(messages)  # the cap, and the one line saying what was dropped
    assert messages[0].startswith("Run 1 of module") and messages[-1] == "Run finished: SUCCESS."
    markers = [i for i, m in enumerate(messages) if DROPPED_RE.match(m)]
    assert len(markers) == 1, messages[:3]
    at = markers[0]
    head = [int(m.split()[1]) for m in messages[:at] if m.startswith("line ")]
    tail = [int(m.split()[1]) for m in messages[at + 1:] if m.startswith("line ")]
    assert head == list(range(1, len(head) + 1)) and len(head) >= LINES // 2 - 5  # the first lines, in order
    assert tail == list(range(100001 - len(tail), 100001)) and len(tail) >= LINES // 2 - 5  # and the last ones
    match = DROPPED_RE.match(messages[at])
    assert match is not None
    dropped = range(len(head) + 1, 100001 - len(tail))
    assert int(match.group(1)) == len(dropped)
    assert int(match.group(2)) == sum(len(f"line {i}".encode()) for i in dropped)
    assert _stored_bytes(run.pk) <= TOTAL_BYTES + 200
    logs = [e for e in live_events if e[0] == f"run:{run.pk}" and e[1] == "log"]
    assert len(logs) <= LINES + 1, len(logs)  # the live view gets what the history holds, no more
    assert [e[2]["message"] for e in logs][-1] == "Run finished: SUCCESS."
    assert seconds < 60
    no_leftovers()


def test_a_twenty_megabyte_error_is_stored_truncated(demo: dict[str, Any], users: dict[str, Any], caps: None,
                                                     live_events: list[Any], worker: Any) -> None:
    owner = users["modeler"]
    huge = 20_000_000
    loud = simple("loud", f"RAISE NOTICE '%', repeat('n', {huge // 4});\n"
                          f"RAISE EXCEPTION '%', repeat('x', {huge}) USING DETAIL = repeat('d', {huge // 4}), "
                          f"HINT = repeat('h', {huge // 4});", [], project=demo["module"].project, owner=owner)
    started = time.monotonic()
    run = run_and_wait(module("Loud", loud, project=demo["module"].project, owner=owner), owner, timeout=120)
    assert time.monotonic() - started < 60
    assert run.result == "FAILED"
    step = StepRecord.objects.get(run=run)
    for error in (run.error, step.error):
        assert error is not None
        for key, size, letter in (("message", huge, "x"), ("detail", huge // 4, "d"), ("hint", huge // 4, "h")):
            text = error[key]
            assert len(text.encode()) <= MESSAGE_BYTES + 40, (key, len(text))
            match = TRUNCATED_RE.search(text)
            assert match is not None and int(match.group(1)) == size, text[-60:]
            assert text.startswith(letter * 100)
    messages = list(RunLog.objects.filter(run=run).order_by("id").values_list("message", flat=True))
    assert all(len(m.encode()) <= MESSAGE_BYTES + 40 for m in messages), [len(m) for m in messages]
    assert any(m.startswith("nnnn") and TRUNCATED_RE.search(m) for m in messages)
    assert messages[-1].startswith("Run finished: FAILED. xxxx")
    assert _stored_bytes(run.pk) <= TOTAL_BYTES + 200
    finished = [e for e in live_events if e[0] == f"run:{run.pk}" and e[1] == "finished"]
    assert len(finished) == 1 and len(finished[0][2]["error"]["message"].encode()) <= MESSAGE_BYTES + 40
    no_leftovers()
