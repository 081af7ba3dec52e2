"""Read documents with the toponym spans someone marked in them: the gold JSON Lines format.

One JSON object a line, as the gold corpora (``../shared/eval/README.md``) and annotation
tools write them::

    {"id": "d1", "text": "Shelling hit the Kherson region.", "toponyms": [{"start": 17, "end": 24}]}

``start``/``end`` are Python ``str`` offsets; a ``surface``, when given, must equal
``text[start:end]``; other keys (``lat``, ``lon``, ``type``, ...) are ignored here.
"""

from __future__ import annotations

import gzip
import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from ..errors import InputError, SpanError
from ..model import SourceDocument
from ..spans import Span, check_spans
from .files import document_from_record, jsonl_stem

__all__ = ["read_span_file"]


def read_span_file(path: str | os.PathLike[str]) -> Iterator[tuple[SourceDocument, tuple[Span, ...]]]:
    """The documents of a span file, each with its spans in text order, streamed line by line.

    Raises
    ------
    InputError
        The file is missing or unreadable, or a line is no valid document (the message names
        the file and line, what is wrong and the fix); :class:`SpanError` for a bad span.
    """
    path = Path(path)
    opener = gzip.open if path.name.lower().endswith(".gz") else open
    seen: set[str] = set()
    stem = jsonl_stem(path.name)
    try:
        with opener(path, "rt", encoding="utf-8-sig") as handle:
            for number, line in enumerate(handle, start=1):
                if line.strip():
                    source, spans = _document(f"{path}:{number}", line, f"{stem}-{number}")
                    if source.id in seen:
                        raise InputError(f"{path}:{number}: duplicate id {source.id!r}: ids must be unique")
                    seen.add(source.id)
                    yield source, spans
    except FileNotFoundError:
        raise InputError(f"{path} does not exist: check the path of the spans file") from None
    except UnicodeDecodeError as exc:
        raise InputError(f"{path} is not UTF-8 text ({exc.reason}): save it as UTF-8 JSON Lines") from None
    except (OSError, EOFError) as exc:
        raise InputError(f"{path} cannot be read ({exc}): give a .jsonl (or .jsonl.gz) file") from None


def _document(where: str, line: str, default_id: str) -> tuple[SourceDocument, tuple[Span, ...]]:
    try:
        record = json.loads(line)
    except json.JSONDecodeError as exc:
        raise InputError(f"{where}: not valid JSON ({exc.msg}): fix or remove that line") from None
    source = document_from_record(where, record, default_id)
    text, toponyms = source.text, record.get("toponyms")
    if not isinstance(toponyms, list):
        raise InputError(f"{where}: \"toponyms\" is missing or not a list: give the spans as "
                         "\"toponyms\": [{\"start\": ..., \"end\": ...}] ([] for a document without places)")
    spans = [_span(f"{where}: toponym {index}", text, item) for index, item in enumerate(toponyms)]
    try:
        checked = check_spans(source.id, text, spans)
    except SpanError as exc:
        raise SpanError(f"{where}: {exc}") from None
    return source, checked


def _span(where: str, text: str, item: Any) -> Any:
    """The ``(start, end)`` of one toponym object; a ``surface`` that disagrees is an error
    that says which offsets it would fit (UTF-8 bytes, UTF-16 units)."""
    if not isinstance(item, dict) or "start" not in item or "end" not in item:
        raise InputError(f"{where}: expected an object with \"start\" and \"end\"")
    start, end, surface = item["start"], item["end"], item.get("surface")
    if isinstance(surface, str) and isinstance(start, int) and isinstance(end, int) and 0 <= start < end <= len(text) \
            and text[start:end] != surface:
        raise SpanError(f"{where}: text[{start}:{end}] is {text[start:end]!r}, not the surface {surface!r}: "
                        f"give Python str offsets (code points){_unit_of(text, start, end, surface)}")
    return (start, end)


def _unit_of(text: str, start: int, end: int, surface: str) -> str:
    for codec, unit, width in (("utf-8", "UTF-8 byte", 1), ("utf-16-le", "UTF-16", 2)):
        data = text.encode(codec)
        if data[start * width:end * width].decode(codec, errors="replace") == surface:
            return f"; these look like {unit} offsets"
    return ""
