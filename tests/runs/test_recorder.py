"""The run recorder: history rows written in batches, before the result; live events after them, in order."""

import time
from typing import Any

import pytest
from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer

from apps.live.events import group_name
from apps.modules.models import Module
from apps.runs.models import Run, RunLog, StepRecord
from apps.runs.recorder import RunRecorder, _coalesced, _Save

pytestmark = pytest.mark.django_db(transaction=True)


def _new_run(module: Module) -> Run:
    return Run.objects.create(module=module, run_number=1, user=module.creator, type_version=module.type_version)


class _Listener:
    """A channel in a topic's group on the real channels_redis layer."""

    def __init__(self, topic: str) -> None:
        self.layer = get_channel_layer()
        self.group = group_name(topic)
        self.channel = async_to_sync(self.layer.new_channel)()
        async_to_sync(self.layer.group_add)(self.group, self.channel)

    def events(self, count: int) -> list[dict[str, Any]]:
        return [async_to_sync(self.layer.receive)(self.channel)["event"] for _ in range(count)]

    def close(self) -> None:
        async_to_sync(self.layer.group_discard)(self.group, self.channel)


def test_rows_wait_for_the_batch_and_are_all_written_before_the_result(demo: dict[str, Any]) -> None:
    run = _new_run(demo["module"])
    recorder = RunRecorder(run, interval=30)  # no batch before finished() cuts the wait short
    recorder.started("worker-1")
    step = StepRecord.objects.create(run=run, name="step", type_version=run.type_version)
    recorder.stage("USER_SCRIPT")
    recorder.stage("USER_SCRIPT", step, also=["user_script"])
    for n in range(3):
        recorder.log("INFO", f"line {n}")
    assert Run.objects.get(pk=run.pk).worker == "worker-1"  # written at once: the janitor relies on it
    assert not RunLog.objects.filter(run=run).exists()
    assert Run.objects.get(pk=run.pk).stage == "STARTED"
    step.result, step.stage = "SUCCESS", "COMPLETED"
    recorder.save(step)
    started = time.monotonic()
    recorder.finished("SUCCESS")
    assert time.monotonic() - started < 10
    messages = list(RunLog.objects.filter(run=run).values_list("message", flat=True))
    assert messages[1:] == ["line 0", "line 1", "line 2", "Run finished: SUCCESS."]
    assert messages[0].startswith("Run 1 of module")
    stored = Run.objects.get(pk=run.pk)
    assert (stored.result, stored.stage) == ("SUCCESS", "COMPLETED")
    assert stored.ended_at is not None and stored.ended_at >= RunLog.objects.filter(run=run).last().at  # type: ignore[union-attr]
    assert StepRecord.objects.filter(pk=step.pk, result="SUCCESS", stage="COMPLETED").exists()


def test_events_follow_their_rows_in_order_with_consecutive_seq(demo: dict[str, Any]) -> None:
    run = _new_run(demo["module"])
    listener = _Listener(f"run:{run.pk}")
    try:
        recorder = RunRecorder(run, interval=0.05)
        recorder.started("worker-1")
        recorder.log("WARNING", "careful")
        time.sleep(0.3)  # a batch goes out while the run is going
        assert RunLog.objects.filter(run=run, message="careful").exists()
        recorder.finished("FAILED", {"message": "boom"})
        events = listener.events(5)
    finally:
        listener.close()
    assert [e["type"] for e in events] == ["started", "log", "log", "log", "finished"]
    assert events[1]["data"]["message"].startswith("Run 1 of module")
    assert [e["data"]["message"] for e in events[2:4]] == ["careful", "Run finished: FAILED. boom"]
    assert [e["seq"] for e in events] == list(range(events[0]["seq"], events[0]["seq"] + 5))
    assert events[4]["data"]["result"] == "FAILED"


def test_a_batch_writes_each_row_once_with_all_the_fields_saved(demo: dict[str, Any]) -> None:
    first, second = _new_run(demo["module"]), Run(pk=-1)
    saves = _coalesced([_Save(first, ["stage"]), _Save(second, None), _Save(first, ["result", "stage"])])
    assert [(s.row, s.fields) for s in saves] == [(second, None), (first, ["stage", "result"])]
    assert _coalesced([_Save(first, None), _Save(first, ["stage"])])[0].fields is None
