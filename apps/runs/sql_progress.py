"""Progress of running SQL steps (issue 12): about once a second, for every SQL step that has started
and not finished, a `progress` event with the time since it started and an estimate of the rows
written so far to each of its outputs.

The estimate is read on a separate connection: a script's rows are not visible to others before it
commits, but the pages it adds to its output tables are. Rows = new pages of the dataset's table
(`pg_relation_size` now minus at the step's start) times the table's rows per page (`reltuples /
relpages` from the statistics when the table had rows, else from an estimate of a row's width)."""

import logging
import threading
import time
from typing import Any

from apps.datasets.workspace import workspace
from apps.runs.planning import SqlStep
from apps.runs.recorder import RunRecorder, in_thread_done

logger = logging.getLogger(__name__)
INTERVAL_SECONDS = 1.0
PAGE_BYTES = 8192
TYPE_WIDTH = {"smallint": 2, "integer": 4, "bigint": 8, "real": 4, "double precision": 8, "boolean": 1, "date": 4,
              "timestamp": 8}
ROW_OVERHEAD = 24 + 4 + 8 + 4 + 8  # tuple header, item pointer, record_id, mb_version, mb_deleted (null)


def _row_width(columns: list[Any]) -> int:
    return ROW_OVERHEAD + sum(TYPE_WIDTH.get(c.sql_type.lower(), 16) for c in columns)


class SqlProgress:
    def __init__(self, steps: list[SqlStep], recorder: RunRecorder) -> None:
        self.steps, self.recorder = steps, recorder
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="sql-progress", daemon=True)
        self._baselines: dict[tuple[str, int], tuple[int, float]] = {}  # (path, dataset) -> (bytes, rows/page)
        self._started: dict[str, float] = {}

    def start(self) -> None:
        """Takes every output table's size now (the baseline: before any step writes, so a step's
        first report counts what it wrote before the first poll too), then polls."""
        if self.steps:
            for step in self.steps:
                try:
                    self.written(step)
                except Exception:  # an output not made yet: its baseline is taken at the first report
                    logger.warning("SQL step progress: no baseline for %s", step.path, exc_info=True)
            self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout=2)

    def _loop(self) -> None:
        try:
            while not self._stop.wait(INTERVAL_SECONDS / 4):
                now = time.monotonic()
                for step in self.steps:
                    if step.started.is_set() and not step.finished.is_set():
                        began = self._started.setdefault(step.path, now)
                        last = self._started.get(f"{step.path}#sent", 0.0)
                        if now - last >= INTERVAL_SECONDS or last == 0.0:
                            self._started[f"{step.path}#sent"] = now
                            self._report(step, now - began)
        except Exception:
            logger.exception("SQL step progress failed")
        finally:
            in_thread_done()

    def written(self, step: SqlStep) -> dict[str, int]:
        targets = {name: p.dataset for name, p in step.outputs.items()}
        targets.update({source.placeholder: p.dataset for source, p in step.inouts if p is not None})
        if not targets:
            return {}
        found: dict[str, int] = {}
        with workspace() as conn:
            for name, dataset in targets.items():
                row = conn.execute(
                    "SELECT pg_relation_size(c.oid), c.reltuples, c.relpages FROM pg_class c "
                    "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'mb_data' AND c.relname = %s",
                    [f"ds_{dataset.pk}"]).fetchone()
                if row is None:
                    continue
                size, tuples, pages = int(row[0]), float(row[1]), int(row[2])
                key = (step.path, dataset.pk)
                if key not in self._baselines:
                    per_page = tuples / pages if pages > 0 and tuples > 0 else \
                        PAGE_BYTES / _row_width(dataset.dataset_type.column_specs)
                    self._baselines[key] = (size, per_page)
                base, per_page = self._baselines[key]
                found[name] = int(max(0, size - base) / PAGE_BYTES * per_page)
        return found

    def _report(self, step: SqlStep, elapsed: float) -> None:
        written = self.written(step)
        done = sum(written.values())
        self.recorder.step_progress(step.path, "running", done, None, rate=(done / elapsed) if elapsed > 0 else None,
                                    elapsed=elapsed, written=written)
