"""storage.RecordScanner: where CSV records end, as COPY counts them (no database)."""

import io

from apps.engine.storage import CHUNK, RecordScanner

HEADER = b"a,b\n"


def _scanner(data: bytes) -> tuple[RecordScanner, io.BytesIO]:
    stream = io.BytesIO(HEADER + data)
    return RecordScanner(stream, len(HEADER)), stream


def test_quoted_newlines_and_doubled_quotes_stay_inside_their_record() -> None:
    scanner, stream = _scanner(b'1,"x\ny"\n2,"say ""hi""\n"\n3,z\n')
    assert scanner.skip_past_line(2) == 1  # line 2 is the second line of record 1
    assert stream.read() == b'2,"say ""hi""\n"\n3,z\n'
    assert scanner.skip_past_line(3) == 2
    assert scanner.skip_past_line(5) == 3
    assert stream.read() == b""


def test_crlf_line_ends() -> None:
    scanner, stream = _scanner(b"1,x\r\n2,y\r\n")
    assert scanner.skip_past_line(1) == 1
    assert stream.read() == b"2,y\r\n"


def test_a_last_record_without_a_newline_or_with_an_open_quote() -> None:
    scanner, _ = _scanner(b"1,x\n2,y")
    assert scanner.skip_past_line(2) == 2
    scanner, _ = _scanner(b'1,x\n2,"never\nclosed')
    assert scanner.skip_past_line(3) == 2


def test_a_line_past_the_end_is_none() -> None:
    scanner, _ = _scanner(b"1,x\n")
    assert scanner.skip_past_line(5) is None


def test_records_across_read_chunks() -> None:
    body = b"".join(b'%d,"two\nlines"\n' % n for n in range(CHUNK // 8))  # several chunks
    scanner, stream = _scanner(body)
    last = CHUNK // 8 - 1
    assert scanner.skip_past_line(2 * last) == last  # the second line of the next-to-last record
    assert stream.read() == b'%d,"two\nlines"\n' % last
