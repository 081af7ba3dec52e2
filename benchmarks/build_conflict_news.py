"""Build the conflict-news corpora (``benchmarks/data/conflict_news*.jsonl``) from their marked-up sources.

Usage::

    python benchmarks/build_conflict_news.py [--corpus {a,b,all}] [--check]

Corpus ``a`` is ``conflict_news.jsonl`` (source ``conflict_news.src.txt``, place table
``conflict_news_places.tsv``); corpus ``b``, the held-out test set, is ``conflict_news_b.jsonl``
(``conflict_news_b.src.txt``, ``conflict_news_b_places.tsv``). Both use the format below;
``all`` (the default) builds or checks both.

The source, ``benchmarks/data/conflict_news.src.txt``, holds the documents one after another,
each opened by a line ``=== ID``. A toponym is marked ``[surface|key]`` or
``[surface|key|flag|...]``, where ``key`` names a row of the place table
``benchmarks/data/conflict_news_places.tsv`` (name, type, country code, lat/lon,
ambiguous_with and where the coordinates came from) and the flags are ``m`` (metonymy),
``e`` (embedded in an organisation name) and ``n:TEXT`` (a note for this mention, replacing
the place's default). ``[text|-]`` marks text that is not a toponym (it is written out
plain). Offsets are computed here, so ``text[start:end] == surface`` holds by construction.
``--check`` rebuilds in memory and exits 1 when a committed JSONL differs.
"""

from __future__ import annotations

import argparse
import csv
import json
import re
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "benchmarks" / "data"
SOURCE = DATA / "conflict_news.src.txt"
PLACES = DATA / "conflict_news_places.tsv"
OUTPUT = DATA / "conflict_news.jsonl"


@dataclass(frozen=True)
class Corpus:
    """The marked-up source, place table and JSON Lines output of one corpus."""

    source: Path
    places: Path
    output: Path


CORPORA: dict[str, Corpus] = {
    "a": Corpus(SOURCE, PLACES, OUTPUT),
    "b": Corpus(DATA / "conflict_news_b.src.txt", DATA / "conflict_news_b_places.tsv",
                DATA / "conflict_news_b.jsonl"),
}

_MARK = re.compile(r"\[([^\[\]|]+)\|([^\[\]]+)\]")


def read_places(path: Path) -> dict[str, dict]:
    """Read the place table: key -> the gold fields it gives every mention of it."""
    places: dict[str, dict] = {}
    with path.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle, delimiter="\t"):
            if row["key"] in places:
                raise ValueError(f"duplicate place key {row['key']!r}")
            places[row["key"]] = {
                "name": row["name"],
                "type": row["type"],
                "country_code": row["country_code"] or None,
                "lat": float(row["lat"]),
                "lon": float(row["lon"]),
                "ambiguous_with": row["ambiguous_with"] or None,
                "note": row["note"] or None,
            }
    return places


def parse_document(doc_id: str, marked: str, places: dict[str, dict]) -> dict:
    """Strip the marks of one document and return its gold record."""
    text: list[str] = []
    toponyms: list[dict] = []
    length = 0
    cursor = 0
    for match in _MARK.finditer(marked):
        plain = marked[cursor:match.start()]
        if "[" in plain or "]" in plain:
            raise ValueError(f"{doc_id}: stray bracket near {plain[-40:]!r}")
        text.append(plain)
        length += len(plain)
        surface, spec = match.group(1), match.group(2)
        key, *flags = spec.split("|")
        if key != "-":
            if key not in places:
                raise ValueError(f"{doc_id}: unknown place key {key!r}")
            place = places[key]
            note = next((f[2:] for f in flags if f.startswith("n:")), place["note"])
            unknown = [f for f in flags if f not in ("m", "e") and not f.startswith("n:")]
            if unknown:
                raise ValueError(f"{doc_id}: unknown flags {unknown} on {surface!r}")
            toponyms.append({
                "start": length, "end": length + len(surface), "surface": surface,
                "name": place["name"], "type": place["type"], "country_code": place["country_code"],
                "lat": place["lat"], "lon": place["lon"], "ambiguous_with": place["ambiguous_with"],
                "metonymy": "m" in flags, "embedded": "e" in flags, "note": note,
            })
        text.append(surface)
        length += len(surface)
        cursor = match.end()
    tail = marked[cursor:]
    if "[" in tail or "]" in tail:
        raise ValueError(f"{doc_id}: stray bracket near {tail[:40]!r}")
    text.append(tail)
    return {"id": doc_id, "source_url": None, "text": "".join(text).strip("\n"), "toponyms": toponyms}


def build(source: Path = SOURCE, places_path: Path = PLACES) -> list[dict]:
    """Return the gold documents the source and place table describe, in source order."""
    places = read_places(places_path)
    documents: list[dict] = []
    doc_id: str | None = None
    lines: list[str] = []
    for line in source.read_text(encoding="utf-8").splitlines() + ["=== "]:
        if line.startswith("=== "):
            if doc_id is not None:
                documents.append(parse_document(doc_id, "\n".join(lines).strip("\n"), places))
            doc_id, lines = line[4:].strip(), []
        elif doc_id is not None:
            lines.append(line)
    return documents


def render(documents: list[dict]) -> str:
    """The JSON Lines text of ``documents``."""
    return "".join(json.dumps(doc, ensure_ascii=False) + "\n" for doc in documents)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", choices=[*CORPORA, "all"], default="all",
                        help="which corpus to build or check (default: all)")
    parser.add_argument("--check", action="store_true", help="exit 1 when a committed JSONL is out of date")
    args = parser.parse_args(argv)
    names = list(CORPORA) if args.corpus == "all" else [args.corpus]
    status = 0
    for name in names:
        corpus = CORPORA[name]
        text = render(build(corpus.source, corpus.places))
        if args.check:
            current = corpus.output.read_text(encoding="utf-8") if corpus.output.exists() else ""
            if current != text:
                print(f"{corpus.output} is out of date: run python benchmarks/build_conflict_news.py "
                      f"--corpus {name}", file=sys.stderr)
                status = 1
            continue
        corpus.output.write_text(text, encoding="utf-8")
        print(f"wrote {corpus.output}")
    return status

if __name__ == "__main__":
    sys.exit(main())
