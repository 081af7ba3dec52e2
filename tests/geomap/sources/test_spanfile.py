"""Reading span files (the gold JSON Lines format) for ``geomap places --spans``."""

from __future__ import annotations

import gzip
import json

import pytest

from geomap import InputError, Span, SpanError
from geomap.sources.spanfile import read_span_file


def write(tmp_path, *records, name="spans.jsonl"):
    path = tmp_path / name
    path.write_text("".join((r if isinstance(r, str) else json.dumps(r)) + "\n" for r in records), "utf-8")
    return path


def test_documents_come_with_their_spans_in_text_order_and_their_metadata(tmp_path):
    path = write(tmp_path,
                 {"id": 7, "text": "Kyiv and Kharkiv", "title": "T", "date": "2024-01-02", "lat": 1,
                  "toponyms": [{"start": 9, "end": 16, "surface": "Kharkiv", "lat": 50.0, "lon": 36.2},
                               {"start": 0, "end": 4}]},
                 "",
                 {"text": "Calm.", "toponyms": []})
    (first, spans), (second, none) = read_span_file(path)
    assert (first.id, first.title, dict(first.metadata)) == ("7", "T", {"date": "2024-01-02"})
    assert spans == (Span(0, 4), Span(9, 16))
    assert (second.id, none) == ("spans-3", ())


def test_a_byte_order_mark_is_no_part_of_the_first_line(tmp_path):
    path = write(tmp_path, "\ufeff" + json.dumps({"id": "a", "text": "Kyiv", "toponyms": [{"start": 0, "end": 4}]}))
    assert [(s.id, s.text, spans) for s, spans in read_span_file(path)] == [("a", "Kyiv", (Span(0, 4),))]


def test_a_gzipped_file_is_read(tmp_path):
    path = tmp_path / "spans.jsonl.gz"
    path.write_bytes(gzip.compress(json.dumps({"id": "a", "text": "Kyiv", "toponyms": [{"start": 0, "end": 4}]}).encode()))
    assert [(s.id, spans) for s, spans in read_span_file(path)] == [("a", (Span(0, 4),))]


@pytest.mark.parametrize(("record", "message"), [
    ("{not json", r"spans.jsonl:1: not valid JSON .*fix or remove that line"),
    ([1], r"spans.jsonl:1: expected a JSON object"),
    ({"id": "a", "toponyms": []}, r"spans.jsonl:1: \"text\" is missing"),
    ({"id": "a", "text": "Kyiv"}, r"spans.jsonl:1: \"toponyms\" is missing or not a list: give the spans as"),
    ({"id": "a", "text": "Kyiv", "toponyms": [{"start": 0}]}, r"spans.jsonl:1: toponym 0: expected an object with"),
    ({"id": "a", "text": "Kyiv", "toponyms": [{"start": 0, "end": 9}]},
     r"spans.jsonl:1: document 'a': span \(0, 9\) ends after the text"),
    ({"id": "a", "text": "Kyiv", "toponyms": [{"start": 0, "end": 4}, {"start": 1, "end": 3}]},
     r"spans.jsonl:1: document 'a': spans \(0, 4\) and \(1, 3\) overlap"),
    ({"id": "a", "text": "Café Kyiv!", "toponyms": [{"start": 6, "end": 10, "surface": "Kyiv"}]},
     r"text\[6:10\] is 'yiv!', not the surface 'Kyiv': give Python str offsets \(code points\); "
     r"these look like UTF-8 byte offsets"),
])
def test_a_bad_line_is_one_error_naming_the_file_the_line_and_the_fix(tmp_path, record, message):
    path = write(tmp_path, record)
    with pytest.raises(InputError, match=message) as caught:
        list(read_span_file(path))
    assert "\n" not in str(caught.value)


def test_ids_must_be_unique(tmp_path):
    path = write(tmp_path, {"id": "a", "text": "x", "toponyms": []}, {"id": "a", "text": "y", "toponyms": []})
    with pytest.raises(InputError, match=r"spans.jsonl:2: duplicate id 'a'"):
        list(read_span_file(path))


def test_a_missing_file_says_so(tmp_path):
    with pytest.raises(InputError, match=r"missing.jsonl does not exist: check the path"):
        list(read_span_file(tmp_path / "missing.jsonl"))


def test_span_errors_are_input_errors():
    assert issubclass(SpanError, InputError)
