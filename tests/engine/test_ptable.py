import gc

import numpy as np
import pytest

from apps.engine.ptable import PTable


def make(n: int = 10) -> PTable:
    return PTable.from_dict({"a": np.arange(n, dtype=np.int64), "b": np.arange(n) * 0.5})


def test_append_returns_monotonic_id_ranges_and_grows_amortised() -> None:
    t = PTable({"x": np.float64})
    reallocations, cap = 0, t._capacity
    for i in range(1000):
        ids = t.append({"x": np.full(37, float(i))})
        assert ids == slice(37 * i, 37 * (i + 1))
        if t._capacity != cap:
            reallocations, cap = reallocations + 1, t._capacity
    assert len(t) == t.next_id == 37_000
    assert reallocations <= 7  # doubling: logarithmic number of copies
    np.testing.assert_array_equal(t.column("x")[::37], np.arange(1000.0))


def test_schema_from_first_append_and_mismatches_rejected() -> None:
    t = PTable()
    t.append({"a": [1, 2], "b": [1.0, 2.0]})
    assert t.columns == ["a", "b"]
    assert t.dtypes["a"].kind == "i"
    with pytest.raises(ValueError, match="columns mismatch"):
        t.append({"a": [1]})
    with pytest.raises(ValueError, match="different lengths"):
        t.append({"a": [1, 2], "b": [1.0]})
    rec = np.array([(3, 3.0)], dtype=[("a", "i8"), ("b", "f8")])
    assert t.append(rec) == slice(2, 3)
    assert t.read()["a"].tolist() == [1, 2, 3]


def test_update_and_delete_keep_ids_monotonic() -> None:
    t = make(10)
    t.update([7, 2], {"b": [70.0, 20.0]})  # values follow the caller's row order
    t.delete([3, 4])
    assert len(t) == 8
    assert t.row_ids().tolist() == [0, 1, 2, 5, 6, 7, 8, 9]
    assert t.read(slice(0, 8))["b"].tolist() == [0.0, 0.5, 20.0, 2.5, 3.0, 70.0]
    assert t.append({"a": [10], "b": [5.0]}) == slice(10, 11)  # ids are never reused
    with pytest.raises(KeyError):
        t.delete([3])
    with pytest.raises(IndexError):
        t.update([99], {"a": [0]})
    t.clear()
    assert len(t) == 0 and t.next_id == 11


def test_slice_reads_without_deletes_are_read_only_views() -> None:
    t = make(5)
    part = t.read(slice(1, 3), ["a"])["a"]
    assert part.tolist() == [1, 2]
    assert not part.flags.writeable
    assert np.shares_memory(part, t._data["a"])


def test_cursor_created_next_in_chunks() -> None:
    t = make(10)
    cur = t.cursor()
    assert len(cur.created) == 10
    assert cur.created.next(4) == slice(0, 4)
    assert cur.created.next(4) == slice(4, 8)
    assert cur.created.next(4) == slice(8, 10)
    assert cur.created.next(4) == slice(10, 10)
    assert not cur.has_created()
    t.append({"a": [10, 11], "b": [0.0, 0.0]})
    assert cur.created.next() == slice(10, 12)
    assert cur.position == 12


def test_only_changes_to_consumed_rows_count() -> None:
    t = make(10)
    cur = t.cursor()
    cur.created.next(5)
    t.update([7], {"a": [700]})  # not consumed yet: will simply be read with its new value
    t.delete([9])
    assert not cur.has_updates_or_deletes()
    t.update([2], {"a": [200]})
    assert cur.has_updates_or_deletes()
    assert cur.updated.next().tolist() == [2]
    assert not cur.has_updates_or_deletes()
    t.delete([0, 1])
    assert cur.deleted.next().tolist() == [0, 1]
    rest = t.read(cur.created.next())
    assert rest["a"].tolist() == [5, 6, 700, 8]  # row 9 deleted before being read


def test_reset_replays_every_live_row() -> None:
    t = make(6)
    cur = t.cursor()
    cur.created.next()
    t.delete([1])
    assert cur.has_updates_or_deletes()
    cur.reset()
    assert not cur.has_updates_or_deletes()
    assert t.read(cur.created.next())["a"].tolist() == [0, 2, 3, 4, 5]


def test_cursors_are_independent_and_the_log_is_trimmed() -> None:
    t = make(4)
    c1, c2 = t.cursor(), t.cursor()
    c1.created.next()
    c2.created.next()
    t.update([0], {"a": [9]})
    assert c1.updated.next().tolist() == [0]
    assert c2.has_updates_or_deletes()
    assert len(t._log) == 1  # c2 still needs it
    c2.updated.next()
    assert t._log == []
    del c1, c2
    gc.collect()
    t.delete([2])
    assert t._log == []  # nobody listens: nothing is kept
    c3 = t.cursor()
    assert t.read(c3.created.next())["a"].tolist() == [9, 1, 3]
    assert t.version > 0
