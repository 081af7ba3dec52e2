"""Gold corpora with the pipeline's own mentions, extracted once and kept on disk.

Training and cross-validating the ranker resolve the same mentions many times; finding them
(spaCy) is the slow part and does not depend on the resolver, so :func:`extracted` runs the
extractor once per gold file and keeps the mentions in a JSON file beside a fingerprint of
the gold text and the extractor's code. Resolution then reads them back in milliseconds.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from gazetteer import PlaceKind

from ..evaluation import GoldDocument, load_gold
from ..model import Mention

__all__ = ["GoldCorpus", "extracted", "mention_to_json", "mention_from_json"]

log = logging.getLogger(__name__)

_FORMAT = 1


@dataclass(frozen=True)
class GoldCorpus:
    """A gold file's documents and, for each, the mentions the extractor finds in its text.

    Attributes
    ----------
    name
        The file's stem (``ukraine_dev``).
    documents
        The gold documents, in file order.
    mentions
        The extracted mentions of each document, by document id.
    ids
        ``(geonameid, feature code)`` of each gold span ``(doc id, start, end)`` where the
        file gives them (the evaluation reads neither; a ranker's labels use both).
    """

    name: str
    documents: tuple[GoldDocument, ...]
    mentions: dict[str, tuple[Mention, ...]]
    ids: dict[tuple[str, int, int], tuple[int | None, str | None]] = field(default_factory=dict)


def mention_to_json(m: Mention) -> list[Any]:
    """A compact JSON form of a mention (a list, in field order)."""
    return [m.start, m.end, m.surface, m.name, m.hint.value if m.hint else None, m.qualifier,
            m.container, m.label, list(m.sentence)]


def mention_from_json(row: Sequence[Any]) -> Mention:
    """The inverse of :func:`mention_to_json`."""
    start, end, surface, name, hint, qualifier, container, label, sentence = row
    return Mention(start, end, surface, name, PlaceKind(hint) if hint else None, qualifier, container,
                   label, (sentence[0], sentence[1]))


def _gold_ids(path: Path) -> dict[tuple[str, int, int], tuple[int | None, str | None]]:
    ids: dict[tuple[str, int, int], tuple[int | None, str | None]] = {}
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            if not line.strip():
                continue
            doc = json.loads(line)
            for t in doc.get("toponyms") or ():
                geonameid, feature = t.get("geonameid"), t.get("feature")
                if isinstance(geonameid, int) or isinstance(feature, str):
                    ids[(str(doc["id"]), t["start"], t["end"])] = (
                        geonameid if isinstance(geonameid, int) else None,
                        feature if isinstance(feature, str) else None)
    return ids


#: The package's top-level modules: the extractor (extract.py) and the modules it reads a text
#: with (recognise, names, qualifiers, context, tokens, lexicon, windows, ...).
_EXTRACTOR_CODE = Path(__file__).resolve().parent.parent


def _fingerprint(path: Path, code: Path = _EXTRACTOR_CODE, gazetteer: str = "") -> str:
    """A key for the mentions of the gold file at ``path``: its bytes, those of every module
    directly in ``code`` and the gazetteer's build fingerprint, so that a change to any of the
    extractor's modules or to the gazetteer (which names it knows, and how strongly) misses the
    cache."""
    digest = hashlib.sha256(path.read_bytes())
    digest.update(gazetteer.encode())
    for module in sorted(code.glob("*.py")):
        digest.update(module.name.encode())
        digest.update(module.read_bytes())
    return digest.hexdigest()[:16]


def extracted(path: str | os.PathLike[str], extractor: Any, cache_dir: str | os.PathLike[str] | None = None) -> GoldCorpus:
    """The gold file at ``path`` with the mentions ``extractor`` finds in its texts.

    Parameters
    ----------
    path
        A gold JSON Lines file (see :func:`geomap.evaluation.load_gold`).
    extractor
        A :class:`~geomap.extract.PlaceExtractor` (or anything with ``extract_many``); used
        only when the cache misses.
    cache_dir
        Where to keep the mentions; no caching when ``None``. A cache entry is used only when
        the gold file and the modules directly in ``geomap/`` (the extractor's: ``extract.py``,
        ``recognise.py``, ``qualifiers.py``, ...) are byte for byte what they were and the
        extractor's gazetteer has the same build fingerprint.
    """
    path = Path(path)
    documents = tuple(load_gold(path))
    ids = _gold_ids(path)
    cache: Path | None = None
    if cache_dir is not None:
        built = getattr(getattr(extractor, "gazetteer", None), "meta", {}).get("fingerprint", "")
        cache = Path(cache_dir) / f"{path.stem}.{_fingerprint(path, gazetteer=built)}.mentions.json"
        if cache.exists():
            data = json.loads(cache.read_text(encoding="utf-8"))
            if data.get("format") == _FORMAT:
                mentions = {doc_id: tuple(mention_from_json(r) for r in rows)
                            for doc_id, rows in data["mentions"].items()}
                return GoldCorpus(path.stem, documents, mentions, ids)
    log.info("extracting the mentions of %s (%d documents)", path, len(documents))
    found = extractor.extract_many(doc.text for doc in documents)
    mentions = {doc.id: tuple(ms) for doc, ms in zip(documents, found)}
    if cache is not None:
        cache.parent.mkdir(parents=True, exist_ok=True)
        tmp = cache.with_suffix(".tmp")
        tmp.write_text(json.dumps({"format": _FORMAT, "gold": str(path),
                                   "mentions": {k: [mention_to_json(m) for m in v] for k, v in mentions.items()}}),
                       encoding="utf-8")
        tmp.replace(cache)
    return GoldCorpus(path.stem, documents, mentions, ids)
