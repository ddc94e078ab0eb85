"""INOUT datasets in the run sandbox (no Django).

An INOUT slot reads the bound version and writes a **new version of the same dataset**, derived from
it by path (storage.py): the new version's path is the base path plus its own number, so unchanged
rows are shared, never copied. The sandbox gives the script one view, `<placeholder>_iov`, showing
exactly the rows of the new version (the base rows until the script changes them); it is a
`security_barrier` view, so a cheap user function in a WHERE clause never sees the rows it filters
out (other versions, other runs' pending rows). The run role may
SELECT, INSERT, UPDATE and DELETE through it; INSTEAD OF triggers turn that into version bookkeeping:

- INSERT adds a row of the new version;
- UPDATE of a row the new version added updates it in place; of an inherited row, marks the row
  deleted in the new version and adds the changed row to it;
- DELETE of a row the new version added removes it; of an inherited row, marks it deleted in the
  new version.

The base version's rows are never changed (only their `mb_deleted` list grows), so the old version
stays readable. The trigger function belongs to the app role (SECURITY DEFINER, fixed search_path,
every name schema-qualified) and lives in the run schema, so teardown drops it with the schema; the
run role gets no right on the dataset table itself. `discard_version_rows` undoes a failed run.

Two more operations serve composites at publish time (apps/runs/outputs.py): `copy_version_rows`
fills a version with the rows another version shows (an output wired straight to an input, or a
second output fed by the same submodule output), and `absorb_versions` folds an INOUT chain's
later pending versions into its first one, so that one version is published."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import psycopg
from psycopg import sql

from apps.engine import storage
from apps.engine.storage import Column


@dataclass(frozen=True)
class InoutBinding:
    view: str
    columns: Sequence[Column]
    dataset_id: int
    version: int  # the new (pending) version
    path: Sequence[int]  # its path: the base version's path + [version]


def _function_sql(schema: str, function: str, binding: InoutBinding) -> sql.Composed:
    table = storage.qualified(binding.dataset_id)
    version = sql.Literal(int(binding.version))
    names = sql.SQL(", ").join(sql.Identifier(c.name) for c in binding.columns)
    new_values = sql.SQL(", ").join(sql.SQL("NEW.{}").format(sql.Identifier(c.name)) for c in binding.columns)
    assignments = sql.SQL(", ").join(sql.SQL("{0} = NEW.{0}").format(sql.Identifier(c.name)) for c in binding.columns)
    body = sql.SQL("""
BEGIN
  IF TG_OP = 'UPDATE' THEN
    UPDATE {table} SET {assignments} WHERE record_id = OLD.record_id AND mb_version = {version};
    IF FOUND THEN
      NEW.record_id := OLD.record_id;
      RETURN NEW;
    END IF;
  END IF;
  IF TG_OP IN ('UPDATE', 'DELETE') THEN
    DELETE FROM {table} WHERE record_id = OLD.record_id AND mb_version = {version};
    IF NOT FOUND THEN
      UPDATE {table} SET mb_deleted = pg_catalog.array_append(mb_deleted, {version})
       WHERE record_id = OLD.record_id AND NOT (mb_deleted @> ARRAY[{version}]);
    END IF;
    IF TG_OP = 'DELETE' THEN
      RETURN OLD;
    END IF;
  END IF;
  INSERT INTO {table} (mb_version, {names}) VALUES ({version}, {new_values}) RETURNING record_id INTO NEW.record_id;
  RETURN NEW;
END
""").format(table=table, assignments=assignments, version=version, names=names, new_values=new_values)
    return sql.SQL("CREATE FUNCTION {}.{}() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER "
                   "SET search_path = pg_catalog, pg_temp AS {}").format(
        sql.Identifier(schema), sql.Identifier(function), sql.Literal(body.as_string(None)))


def setup_statements(schema: str, role: str, binding: InoutBinding) -> list[sql.Composed]:
    """The view, its trigger function and trigger, and the grant (run by the app role)."""
    view = sql.SQL("{}.{}").format(sql.Identifier(schema), sql.Identifier(binding.view))
    function = f"mb_write_{binding.view}"[:63]
    return [
        sql.SQL("CREATE VIEW {} WITH (security_barrier) AS {}").format(
            view, sql.SQL(storage.visible_rows_sql(binding.dataset_id, binding.columns, binding.path))),
        _function_sql(schema, function, binding),
        sql.SQL("REVOKE ALL ON FUNCTION {}.{}() FROM PUBLIC").format(sql.Identifier(schema), sql.Identifier(function)),
        sql.SQL("CREATE TRIGGER mb_write INSTEAD OF INSERT OR UPDATE OR DELETE ON {} FOR EACH ROW "
                "EXECUTE FUNCTION {}.{}()").format(view, sql.Identifier(schema), sql.Identifier(function)),
        sql.SQL("GRANT SELECT, INSERT, UPDATE, DELETE ON {} TO {}").format(view, sql.Identifier(role)),
    ]


def discard_version_rows(conn: psycopg.Connection[Any], dataset_id: int, version: int) -> None:
    """Forget everything a never-published version did: its rows, and its marks on inherited rows."""
    table = storage.qualified(dataset_id)
    conn.execute(sql.SQL("DELETE FROM {} WHERE mb_version = %s").format(table), [version])
    conn.execute(sql.SQL("UPDATE {} SET mb_deleted = array_remove(mb_deleted, %s) "
                         "WHERE mb_deleted @> ARRAY[%s]::integer[]").format(table), [version, version])


def copy_version_rows(conn: psycopg.Connection[Any], *, source_id: int, source_path: Sequence[int],
                      target_id: int, target_version: int, columns: Sequence[Column]) -> None:
    """Adds to version `target_version` of `target_id` a copy of the rows `source_path` shows."""
    names = sql.SQL(", ").join(sql.Identifier(c.name) for c in columns)
    condition, params = storage.path_condition(source_path)
    conn.execute(sql.SQL("INSERT INTO {} (mb_version, {}) SELECT %(target)s, {} FROM {} WHERE ").format(
        storage.qualified(target_id), names, names, storage.qualified(source_id)) + condition,
        {**params, "target": int(target_version)})


def absorb_versions(conn: psycopg.Connection[Any], *, dataset_id: int, root: int, root_path: Sequence[int],
                    later: Sequence[int]) -> None:
    """Makes version `root` (path `root_path`, ending with `root`) show what the last of `later`
    shows, where `later` are pending versions each derived from the one before, the first from
    `root` (the last one's path is root_path + later). Only `root`'s rows and marks change; the
    `later` versions are left for discard_version_rows, which then removes what remains of them."""
    table = storage.qualified(dataset_id)
    params = {"root": int(root), "later": [int(v) for v in later], "inherited": [int(v) for v in root_path[:-1]],
              "full": [int(v) for v in [*root_path, *later]]}
    # root's own rows that a later version deleted
    conn.execute(sql.SQL("DELETE FROM {} WHERE mb_version = %(root)s AND mb_deleted && %(later)s::integer[]")
                 .format(table), params)
    # inherited rows that a later version deleted: deleted by root too
    conn.execute(sql.SQL("UPDATE {} SET mb_deleted = pg_catalog.array_append(mb_deleted, %(root)s) "
                         "WHERE mb_version = ANY(%(inherited)s::integer[]) AND mb_deleted && %(later)s::integer[] "
                         "AND NOT (mb_deleted @> ARRAY[%(root)s]::integer[])").format(table), params)
    # rows a later version added that the last one still shows: root's own
    conn.execute(sql.SQL("UPDATE {} SET mb_version = %(root)s WHERE mb_version = ANY(%(later)s::integer[]) "
                         "AND NOT (mb_deleted && %(full)s::integer[])").format(table), params)
