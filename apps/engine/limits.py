"""Per-run resource limits (DESIGN §5), measured from outside the run's backend (no Django).

PostgreSQL has no per-backend memory, output-size or lock quota that a user cannot lift with SET, so
the sandbox's watchdog measures them on its own connection, a few times a second, and stops the
backend that crosses one. Temporary files are capped by PostgreSQL itself (`temp_file_limit`, a
setting only a superuser may change, set on the run role); its error is reported as the same
`resource_limit` failure.

- **memory**: the private resident memory (RssAnon: what the backend allocated, not the shared
  buffers it touched) of the backend and its parallel workers, read from /proc on the database
  host — locally when the worker runs there (the process title names the run role, so a
  same-numbered process of another host is never mistaken for it), else through `pg_read_file`
  when the app role may use it; otherwise memory is not capped and the run's log says so;
- **output**: bytes added to the dataset tables the run writes, plus the files of the relations it
  created in its (still uncommitted) transaction, found by the AccessExclusive locks it holds on
  them and sized with `pg_stat_file`;
- **locks**: entries the backend and its workers hold in the shared lock table, so that one run can
  never fill it for the whole cluster.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psycopg

MB = 1024 * 1024
CONFIGURATION_LIMIT_EXCEEDED = "53400"  # temp_file_limit
OUT_OF_MEMORY = "53200"
SEGMENT_BYTES = 1024 * MB  # PostgreSQL's relation file segment size (the default build)


@dataclass(frozen=True)
class RunLimits:
    """`None` means unlimited. Sizes in MiB."""

    memory_mb: int | None = None
    temp_mb: int | None = None
    output_mb: int | None = None
    locks: int | None = None


UNLIMITED = RunLimits()


@dataclass(frozen=True)
class Breach:
    limit: str  # memory | temp | output | locks
    message: str


@dataclass(frozen=True)
class Usage:
    memory_bytes: int | None
    output_bytes: int
    locks: int


def role_settings(limits: RunLimits) -> dict[str, str]:
    """Settings stored on the run role; `temp_file_limit` is superuser-only, so the run keeps it."""
    return {"temp_file_limit": f"{limits.temp_mb * 1024}kB"} if limits.temp_mb is not None else {}


def breach_of(limits: RunLimits, usage: Usage) -> Breach | None:
    if limits.memory_mb is not None and usage.memory_bytes is not None and usage.memory_bytes > limits.memory_mb * MB:
        return Breach("memory", f"The run exceeded its memory limit of {limits.memory_mb} MB "
                                f"(RUN_MEMORY_MB): its backend used {usage.memory_bytes // MB} MB.")
    if limits.output_mb is not None and usage.output_bytes > limits.output_mb * MB:
        return Breach("output", f"The run exceeded its output size limit of {limits.output_mb} MB "
                                f"(RUN_OUTPUT_MB): it wrote {usage.output_bytes // MB} MB into its outputs "
                                f"and scratch tables.")
    if limits.locks is not None and usage.locks > limits.locks:
        return Breach("locks", f"The run exceeded its lock limit of {limits.locks} locks (RUN_LOCKS): it held "
                               f"{usage.locks}. Create or lock fewer tables in one run.")
    return None


def breach_of_error(sqlstate: str | None, message: str, limits: RunLimits) -> Breach | None:
    """PostgreSQL's own refusals that are resource limits."""
    if sqlstate == CONFIGURATION_LIMIT_EXCEEDED and "temp_file_limit" in message:
        return Breach("temp", f"The run exceeded its temporary disk limit of {limits.temp_mb} MB (RUN_TEMP_MB): "
                              f"{message}.")
    if sqlstate == OUT_OF_MEMORY:
        return Breach("memory", f"The database server ran out of memory for this run: {message}.")
    return None


def rss_anon_bytes(status_text: str) -> int | None:
    """RssAnon of a /proc/<pid>/status text, in bytes."""
    for line in status_text.splitlines():
        if line.startswith("RssAnon:"):
            return int(line.split()[1]) * 1024
    return None


_USAGE_SQL = """
WITH backends AS (SELECT pid FROM pg_stat_activity WHERE pid = %(pid)s OR leader_pid = %(pid)s)
SELECT (SELECT count(*) FROM pg_locks WHERE pid IN (SELECT pid FROM backends)),
       array(SELECT pid FROM backends),
       (SELECT coalesce(sum(pg_total_relation_size(t)), 0) FROM unnest(%(tables)s::regclass[]) AS t),
       array(SELECT relation FROM pg_locks WHERE pid = %(pid)s AND locktype = 'relation'
             AND mode = 'AccessExclusiveLock' AND granted
             AND relation IS NOT NULL AND database = (SELECT oid FROM pg_database
                                                      WHERE datname = current_database())
             AND relation NOT IN (SELECT oid FROM pg_class)),
       (SELECT oid FROM pg_database WHERE datname = current_database())
"""


class Meter:
    """Measures one backend's usage over the watchdog's own (already open) admin connection."""

    def __init__(self, conn: psycopg.Connection[Any], pid: int, role: str, written_tables: Sequence[str]) -> None:
        self.conn, self.pid, self.role = conn, pid, role
        self.tables = list(written_tables)
        self.notes: list[str] = []
        self._baseline: int | None = None
        self._memory_source = self._find_memory_source()
        self._stat_file = True

    def usage(self) -> Usage:
        locks, pids, table_bytes, new_relations, db_oid = self.conn.execute(
            _USAGE_SQL, {"pid": self.pid, "tables": self.tables}).fetchone() or (0, [], 0, [], 0)
        if self._baseline is None:
            self._baseline = int(table_bytes)
        output = max(0, int(table_bytes) - self._baseline) + self._new_relation_bytes(db_oid, new_relations)
        return Usage(memory_bytes=self._memory(pids), output_bytes=output, locks=int(locks))

    def _find_memory_source(self) -> str | None:
        cmdline = Path(f"/proc/{self.pid}/cmdline")
        try:
            if self.role in cmdline.read_bytes().decode(errors="replace"):
                return "local"
        except OSError:
            pass
        try:
            self.conn.execute("SELECT pg_read_file(%s)", [f"/proc/{self.pid}/status"])
            return "server"
        except psycopg.Error:
            self.notes.append("The memory limit is not enforced for this run: the worker cannot read the database "
                              "server's process table (run a worker on the database host, or let the app role "
                              "use pg_read_file).")
            return None

    def _memory(self, pids: Sequence[int]) -> int | None:
        if self._memory_source is None:
            return None
        total = 0
        for pid in pids or [self.pid]:
            text = self._status_text(int(pid))
            total += (rss_anon_bytes(text) or 0) if text else 0
        return total

    def _status_text(self, pid: int) -> str | None:
        if self._memory_source == "local":
            try:
                return Path(f"/proc/{pid}/status").read_text()
            except OSError:
                return None
        row = self.conn.execute("SELECT pg_read_file(%s, 0, 65536, true)", [f"/proc/{pid}/status"]).fetchone()
        return str(row[0]) if row and row[0] else None

    def _new_relation_bytes(self, db_oid: int, relations: Sequence[int]) -> int:
        """Relations created in the run's open transaction are not in our catalog snapshot yet; their
        files are base/<database>/<oid>[.<segment>] (a new relation's file number is its oid)."""
        if not relations or not self._stat_file:
            return 0
        paths = [f"base/{db_oid}/{oid}" for oid in relations]
        try:
            rows = self.conn.execute(
                "SELECT coalesce(sum((pg_stat_file(p, true)).size), 0) FROM unnest(%s::text[]) AS p", [paths]).fetchone()
        except psycopg.Error:
            self._stat_file = False
            self.notes.append("Scratch tables are not counted in the output limit: the app role may not use "
                              "pg_stat_file.")
            return 0
        total = int(rows[0]) if rows else 0
        return total + self._more_segments(paths) if total >= SEGMENT_BYTES else total

    def _more_segments(self, paths: Sequence[str]) -> int:
        more = [f"{p}.{n}" for p in paths for n in range(1, 8)]
        row = self.conn.execute(
            "SELECT coalesce(sum((pg_stat_file(p, true)).size), 0) FROM unnest(%s::text[]) AS p", [more]).fetchone()
        return int(row[0]) if row else 0
