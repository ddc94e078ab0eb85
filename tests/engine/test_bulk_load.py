"""Where a CSV may be cut in two for a parallel load (apps.engine.bulk_load, no database)."""

from pathlib import Path

from apps.engine.bulk_load import record_boundary_after


def _boundary(tmp_path: Path, data: bytes, target: int) -> int | None:
    path = tmp_path / "data.csv"
    path.write_bytes(data)
    with path.open("rb") as f:
        return record_boundary_after(f.fileno(), 0, target, len(data))


def test_a_cut_falls_after_the_newline_that_ends_a_record(tmp_path: Path) -> None:
    data = b"a,1\nb,2\nc,3\n"
    assert _boundary(tmp_path, data, 5) == 8
    assert data[:8] == b"a,1\nb,2\n"


def test_a_newline_inside_quotes_is_no_place_to_cut(tmp_path: Path) -> None:
    data = b'a,"x\ny\nz"\nb,"say ""hi""\n!"\nc,3\n'
    cut = _boundary(tmp_path, data, 4)  # inside the first quoted value
    assert cut is not None and data[:cut] == b'a,"x\ny\nz"\n'
    cut = _boundary(tmp_path, data, cut + 6)  # inside the second, after a doubled quote
    assert cut is not None and data[cut:] == b"c,3\n"


def test_no_cut_when_no_record_ends_after_the_target(tmp_path: Path) -> None:
    assert _boundary(tmp_path, b'a,1\nb,"open\nstill open', 5) is None
