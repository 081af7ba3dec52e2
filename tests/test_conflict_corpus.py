"""Integrity of the conflict-news corpora (benchmarks/data/conflict_news.jsonl and the held-out
test set benchmarks/data/conflict_news_b.jsonl).

The checks are written as one function returning the problems it finds, so that the tests
below can show it finds each kind of defect in a damaged copy as well as finding none in the
committed file. Offline and fast: no pipeline, no gazetteer.
"""

from __future__ import annotations

import copy
import importlib.util
import json
import re
import sys
from pathlib import Path

import pytest

from geomap.errors import GoldFormatError
from geomap.evaluation.gold import load_gold

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "benchmarks" / "data"
# corpus name (as build_conflict_news.py --corpus spells it) -> (JSONL, fewest documents it holds)
CORPORA = {"a": (DATA / "conflict_news.jsonl", 30), "b": (DATA / "conflict_news_b.jsonl", 24)}
BUILDER = ROOT / "benchmarks" / "build_conflict_news.py"

TYPES = {"country", "admin1", "region", "city", "physical", "continent", "other"}
DOC_KEYS = {"id", "source_url", "text", "toponyms"}
TOPONYM_KEYS = {"start", "end", "surface", "name", "type", "country_code", "lat", "lon",
                "ambiguous_with", "metonymy", "embedded", "note"}
_COUNTRY_CODE = re.compile(r"[A-Z]{2}")


def _problems(documents: list[dict]) -> list[str]:
    """Every defect of ``documents`` (parsed JSONL lines), one message each."""
    problems: list[str] = []
    seen: set[str] = set()
    for doc in documents:
        doc_id = doc.get("id")
        if set(doc) != DOC_KEYS:
            problems.append(f"{doc_id}: document keys {sorted(doc)}")
            continue
        if doc_id in seen:
            problems.append(f"{doc_id}: duplicate id")
        seen.add(doc_id)
        text = doc["text"]
        previous_end = -1
        for item in doc["toponyms"]:
            where = f"{doc_id} {item.get('surface')!r}@{item.get('start')}"
            if set(item) != TOPONYM_KEYS:
                problems.append(f"{where}: toponym keys {sorted(item)}")
                continue
            start, end = item["start"], item["end"]
            if text[start:end] != item["surface"] or not 0 <= start < end <= len(text):
                problems.append(f"{where}: text[start:end] is {text[start:end]!r}")
            if start < previous_end:
                problems.append(f"{where}: overlaps or precedes the previous span")
            previous_end = max(previous_end, end)
            if item["type"] not in TYPES:
                problems.append(f"{where}: type {item['type']!r}")
            lat, lon = item["lat"], item["lon"]
            if not (isinstance(lat, (int, float)) and isinstance(lon, (int, float))
                    and -90 <= lat <= 90 and -180 <= lon <= 180):
                problems.append(f"{where}: coordinates {lat}, {lon}")
            code = item["country_code"]
            if code is not None and not (isinstance(code, str) and _COUNTRY_CODE.fullmatch(code)):
                problems.append(f"{where}: country code {code!r}")
            if not isinstance(item["metonymy"], bool) or not isinstance(item["embedded"], bool):
                problems.append(f"{where}: metonymy/embedded not booleans")
            if not (isinstance(item["name"], str) and item["name"]):
                problems.append(f"{where}: no name")
    return problems


def _read(path: Path) -> list[dict]:
    with path.open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


@pytest.fixture(scope="module", params=sorted(CORPORA))
def corpus(request) -> str:
    return request.param


@pytest.fixture(scope="module")
def documents(corpus) -> list[dict]:
    return _read(CORPORA[corpus][0])


def _builder():
    spec = importlib.util.spec_from_file_location("build_conflict_news", BUILDER)
    builder = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = builder        # dataclasses look their module up while building
    spec.loader.exec_module(builder)
    return builder


def test_the_corpus_has_no_defects(corpus, documents):
    assert len(documents) >= CORPORA[corpus][1]
    assert _problems(documents) == []


def test_every_document_is_a_short_report_with_a_headline(documents):
    for doc in documents:
        headline, _, body = doc["text"].partition("\n\n")
        assert headline and "\n" not in headline and body, doc["id"]
        assert 120 <= len(doc["text"].split()) <= 300, doc["id"]


def test_the_checks_find_each_kind_of_defect(documents):
    damaged = copy.deepcopy(documents[:2])
    first, second = damaged[0]["toponyms"], damaged[1]["toponyms"]
    first[0]["start"] += 1                       # offsets no longer give the surface
    first[2]["start"] = first[1]["start"]        # overlaps the span before it
    first[2]["end"] = first[1]["end"]
    first[2]["surface"] = first[1]["surface"]
    first[3]["type"] = "admin2"                  # not in the annotation's type set
    first[4]["lat"] = 91.0
    second[0]["country_code"] = "sy"
    damaged[1]["id"] = damaged[0]["id"]
    found = "\n".join(_problems(damaged))
    for expected in ("text[start:end]", "overlaps", "type 'admin2'", "coordinates 91.0",
                     "country code 'sy'", "duplicate id"):
        assert expected in found, expected


def test_geomap_gold_reader_reads_it(corpus, documents):
    gold = load_gold(CORPORA[corpus][0])
    assert [doc.id for doc in gold] == [doc["id"] for doc in documents]
    read = [(t.surface, t.kind, t.embedded) for doc in gold for t in doc.toponyms]
    written = [(t["surface"], t["type"], t["embedded"]) for doc in documents for t in doc["toponyms"]]
    assert read == written


def test_geomap_gold_reader_rejects_a_shifted_span(documents, tmp_path):
    damaged = copy.deepcopy(documents[0])
    damaged["toponyms"][0]["end"] += 1
    path = tmp_path / "damaged.jsonl"
    path.write_text(json.dumps(damaged) + "\n", encoding="utf-8")
    with pytest.raises(GoldFormatError):
        load_gold(path)


def test_the_jsonl_is_what_its_marked_up_source_builds(corpus):
    builder = _builder()
    paths = builder.CORPORA[corpus]
    assert paths.output == CORPORA[corpus][0]
    built = builder.render(builder.build(paths.source, paths.places))
    assert built == CORPORA[corpus][0].read_text(encoding="utf-8")


def test_the_builder_defaults_to_the_first_corpus():
    builder = _builder()
    assert builder.render(builder.build()) == CORPORA["a"][0].read_text(encoding="utf-8")


def test_the_held_out_corpus_shares_no_document_with_the_first():
    first, held_out = _read(CORPORA["a"][0]), _read(CORPORA["b"][0])
    assert not {doc["id"] for doc in first} & {doc["id"] for doc in held_out}
    headlines = {doc["text"].partition("\n")[0] for doc in first}
    assert not headlines & {doc["text"].partition("\n")[0] for doc in held_out}
