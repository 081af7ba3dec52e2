"""Review decisions: a human-edited file that settles the places geomap was unsure of.

``geomap review`` writes a YAML file listing, for each flagged name, its candidate places by
id with a short description. The analyst edits ``choice`` (a place id, ``not-a-place``, or a
place the gazetteer lacks) and runs ``geomap map|places|review --decisions FILE``: the
choices are applied to the parsed documents as real resolutions, so the map, the JSON Lines
and the GeoJSON all follow them.

A decision applies to one mention (``document`` + ``offset``), to a name within one document
(``document``), or to a name everywhere (neither). The most specific decision wins. A
decision for a name leaves alone a mention whose own qualifier contradicts the chosen kind
("the city of Kherson" stays a city when the name is pinned to the oblast).

The file is read and re-written with :mod:`ruamel.yaml` in round-trip mode, so re-running
the review merges new names in without losing the user's choices or comments.

Examples
--------
>>> decisions = parse_decisions('''
... decisions:
...   - name: Kherson
...     choice: not-a-place
... ''', source="decisions.yaml")
>>> decisions.entries[0].scope, decisions.entries[0].choice, decisions.entries[0].label
('everywhere', 'not-a-place', 'decisions.yaml:4')
"""

from __future__ import annotations

import io
import logging
import math
import os
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from gazetteer import Candidate, Gazetteer, Place, PlaceKind, Resolution, UnknownPlaceError
from gazetteer.normalize import normalize_name

from ..errors import DecisionError
from ..model import Document, PlaceMention

__all__ = [
    "NOT_A_PLACE",
    "Applied",
    "AppliedDecision",
    "CandidateNote",
    "Decision",
    "Decisions",
    "NewPlace",
    "Proposal",
    "Sighting",
    "StaleDecision",
    "apply_decisions",
    "load_decisions",
    "merge_decisions",
    "parse_decisions",
    "read_decisions_text",
]

log = logging.getLogger(__name__)

#: The choice that drops a mention: the word is not a place in this text.
NOT_A_PLACE = "not-a-place"
#: Format version written into new files.
VERSION = 1
_ENTRY_KEYS = ("name", "document", "offset", "choice", "note", "candidates", "seen")
_NEW_PLACE_KEYS = ("name", "lat", "lon", "kind", "country_code", "admin1")
_MAX_SEEN = 12

HEADER = """\
geomap review decisions: settle the places geomap was unsure of.

`geomap review` writes this file and merges new names into it on every run; your choices,
comments and notes are kept. Apply it with
    geomap map ARTICLE --decisions THIS_FILE        (also `places` and `review`)

Each item under `decisions` settles one name. Edit its `choice`:
  choice:                   (empty) not decided yet: geomap keeps its own answer
  choice: gn:706442         a place id, usually one listed under `candidates`
                            (`geomap gazetteer lookup NAME` lists more)
  choice: not-a-place       the word is not a place here: drop it from every output
  choice: {name: Chornobaivka, lat: 46.69, lon: 32.55, kind: city, country_code: UA}
                            a place the gazetteer lacks; kind is one of country, admin1,
                            admin2, region, city, physical, continent, other

Where a choice applies:
  name                      every mention of the name, in every document
  name + document           every mention of the name in that document
  name + document + offset  only the mention that starts at that character offset
The most specific decision wins. A decision for a name leaves alone a mention whose own words
say otherwise ("the city of Kherson" stays a city when you choose the oblast): settle such a
mention by its document and offset. `note` is free text for you.

`candidates` and `seen` (document@offset, why it was flagged) are rewritten by each review.
A decision that matches nothing any more is reported as stale; an unknown id is an error.
"""


# -- the decisions ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class NewPlace:
    """A place the gazetteer lacks, given by the analyst.

    Examples
    --------
    >>> NewPlace("Chornobaivka", PlaceKind.CITY, 46.69, 32.55, "UA").to_place().id
    'user:chornobaivka@46.6900,32.5500'
    """

    name: str
    kind: PlaceKind
    lat: float
    lon: float
    country_code: str | None = None
    admin1: str | None = None

    def to_place(self) -> Place:
        """The :class:`~gazetteer.Place` this stands for (id ``user:<slug>@<lat>,<lon>``)."""
        slug = re.sub(r"[^a-z0-9]+", "-", normalize_name(self.name)).strip("-") or "place"
        return Place(
            id=f"user:{slug}@{self.lat:.4f},{self.lon:.4f}", name=self.name, kind=self.kind,
            lat=self.lat, lon=self.lon, country_code=self.country_code, admin1=self.admin1,
        )


Choice = str | NewPlace | None


@dataclass(frozen=True, slots=True)
class Decision:
    """One entry of a decisions file.

    Parameters
    ----------
    name
        The name as the text spells it; matched after normalisation against a mention's
        looked-up name ("Kherson") or its whole surface ("Kherson region").
    document, offset
        Narrow the scope to one document, and to the mention starting at ``offset`` in it.
    choice
        A place id, :data:`NOT_A_PLACE`, a :class:`NewPlace`, or ``None`` (not decided yet).
    source, line
        The file and the 1-based line of the entry's ``choice`` (of the entry when it has
        none), for messages and for the reason recorded on pinned resolutions.
    """

    name: str
    document: str | None = None
    offset: int | None = None
    choice: Choice = None
    source: str = "<decisions>"
    line: int = 0

    @property
    def scope(self) -> str:
        """``"mention"``, ``"document"`` or ``"everywhere"``."""
        if self.offset is not None:
            return "mention"
        return "document" if self.document is not None else "everywhere"

    @property
    def pending(self) -> bool:
        """Whether no choice has been made yet (the entry decides nothing)."""
        return self.choice is None

    @property
    def key(self) -> tuple[str, str | None, int | None]:
        """What identifies the entry in its file: normalised name, document, offset."""
        return (normalize_name(self.name), self.document, self.offset)

    @property
    def label(self) -> str:
        """``"decisions.yaml:12"``: the file's name and the line."""
        return f"{Path(self.source).name}:{self.line}"

    def describe(self) -> str:
        """What the entry covers, for messages."""
        where = {"mention": f" at {self.document}@{self.offset}", "document": f" in {self.document}",
                 "everywhere": ""}[self.scope]
        return f"{self.name!r}{where}"


@dataclass(frozen=True)
class Decisions:
    """The entries of one decisions file, in file order."""

    source: str = "<decisions>"
    entries: tuple[Decision, ...] = ()

    @property
    def active(self) -> tuple[Decision, ...]:
        """The entries that make a choice."""
        return tuple(d for d in self.entries if not d.pending)

    def __len__(self) -> int:
        return len(self.entries)


@dataclass(frozen=True)
class AppliedDecision:
    """A decision that changed one mention.

    ``after`` is ``None`` when the mention was dropped (``not-a-place``).
    """

    decision: Decision
    document_id: str
    before: PlaceMention
    after: PlaceMention | None


@dataclass(frozen=True)
class StaleDecision:
    """A decision that matched nothing in the documents it was applied to."""

    decision: Decision
    why: str

    @property
    def message(self) -> str:
        """One line: ``decisions.yaml:12: stale decision for 'Kherson': ...``."""
        return f"{self.decision.label}: stale decision for {self.decision.describe()}: {self.why}"


@dataclass(frozen=True)
class Applied:
    """What :func:`apply_decisions` did.

    Attributes
    ----------
    documents
        The documents with the decisions applied, in input order.
    applied
        One entry per mention changed or dropped.
    stale
        Decisions that matched nothing.
    elsewhere
        Document-scoped decisions for documents not in this run (neither applied nor stale).
    """

    documents: tuple[Document, ...]
    applied: tuple[AppliedDecision, ...] = ()
    stale: tuple[StaleDecision, ...] = ()
    elsewhere: tuple[Decision, ...] = ()

    def decided(self) -> dict[tuple[str, int], AppliedDecision]:
        """The applied decisions keyed by ``(document id, mention start)``."""
        return {(a.document_id, a.before.mention.start): a for a in self.applied}


# -- reading -----------------------------------------------------------------------------------


def _yaml():
    from ruamel.yaml import YAML

    yaml = YAML(typ="rt")
    yaml.indent(mapping=2, sequence=4, offset=2)
    yaml.width = 4096
    yaml.preserve_quotes = True
    return yaml


def load_decisions(path: str | os.PathLike[str], *, gazetteer: Gazetteer | None = None) -> Decisions:
    """Read and validate a decisions file.

    Parameters
    ----------
    path
        The YAML file.
    gazetteer
        When given, every chosen place id is checked against it.

    Raises
    ------
    DecisionError
        The file is missing, unreadable, not YAML, or an entry is invalid; the message names
        the file and line.
    """
    text = read_decisions_text(path)
    return parse_decisions(text, source=os.fspath(path), gazetteer=gazetteer)


def read_decisions_text(path: str | os.PathLike[str]) -> str:
    """The text of a decisions file; :class:`DecisionError` when it cannot be read."""
    path = Path(path)
    try:
        return path.read_text(encoding="utf-8-sig")  # editors on Windows may add a byte-order mark
    except FileNotFoundError:
        raise DecisionError(f"{path} does not exist: run `geomap review INPUT --decisions {path}` "
                            "to create it, or check the path") from None
    except UnicodeDecodeError:
        raise DecisionError(f"{path} is not valid UTF-8: save the decisions file as UTF-8") from None
    except IsADirectoryError:
        raise DecisionError(f"{path} is a directory: give the decisions file") from None
    except OSError as exc:
        raise DecisionError(f"{path} cannot be read ({exc.strerror or exc}): check its permissions") from None


def parse_decisions(text: str, *, source: str = "<decisions>", gazetteer: Gazetteer | None = None) -> Decisions:
    """Validate the text of a decisions file (see :func:`load_decisions`)."""
    return _parse(text, source, gazetteer)[1]


def _parse(text: str, source: str, gazetteer: Gazetteer | None) -> tuple[Any, Decisions]:
    from ruamel.yaml.error import MarkedYAMLError, YAMLError

    try:
        tree = _yaml().load(text)
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = f":{mark.line + 1}" if mark is not None else ""
        problem = " ".join(str(exc.problem or exc.context or "invalid YAML").split())
        raise DecisionError(f"{source}{line}: not valid YAML ({problem}): fix the syntax "
                            "(indentation, quotes, colons)") from None
    except YAMLError as exc:
        raise DecisionError(f"{source}: not valid YAML ({' '.join(str(exc).split())}): fix the syntax") from None
    if tree is None:
        return tree, Decisions(source, ())
    if not isinstance(tree, dict):
        raise DecisionError(f"{source}:1: expected a mapping with a `decisions:` list, found "
                            f"{_type_name(tree)}: see the comments `geomap review` writes")
    unknown = [k for k in tree if k not in ("version", "decisions")]
    if unknown:
        raise DecisionError(f"{source}:{_key_line(tree, unknown[0])}: unknown key {unknown[0]!r}: "
                            "the top level holds only `version` and `decisions`")
    version = tree.get("version", VERSION)
    if version != VERSION:
        raise DecisionError(f"{source}:{_key_line(tree, 'version')}: unsupported version {version!r}: "
                            f"this geomap reads version {VERSION}")
    items = tree.get("decisions")
    if items is None:
        return tree, Decisions(source, ())
    if not isinstance(items, list):
        raise DecisionError(f"{source}:{_key_line(tree, 'decisions')}: `decisions` must be a list of "
                            f"entries (`- name: ...`), found {_type_name(items)}")
    entries: list[Decision] = []
    seen: dict[tuple, Decision] = {}
    for index, item in enumerate(items):
        line = _item_line(items, index)
        decision = _entry(item, source, line, gazetteer)
        other = seen.get(decision.key)
        if other is not None:
            raise DecisionError(f"{source}:{decision.line}: {decision.describe()} is decided twice (also at line "
                                f"{other.line}): keep one of the two entries")
        seen[decision.key] = decision
        entries.append(decision)
    return tree, Decisions(source, tuple(entries))


def _type_name(value: Any) -> str:
    if value is None:
        return "nothing"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    return f"{type(value).__name__} {value!r}"


def _key_line(mapping: Any, key: str) -> int:
    try:
        return mapping.lc.key(key)[0] + 1
    except (AttributeError, KeyError, TypeError):
        return _node_line(mapping)


def _node_line(node: Any) -> int:
    try:
        return node.lc.line + 1
    except AttributeError:
        return 1


def _item_line(seq: Any, index: int) -> int:
    try:
        return seq.lc.item(index)[0] + 1
    except (AttributeError, KeyError, TypeError, IndexError):
        return _node_line(seq)


def _entry(item: Any, source: str, line: int, gazetteer: Gazetteer | None) -> Decision:
    def fail(at: int, message: str) -> DecisionError:
        return DecisionError(f"{source}:{at}: {message}")

    if not isinstance(item, dict):
        raise fail(line, f"a decision must be a mapping (`- name: ...` with `choice:`), found {_type_name(item)}")
    for key in item:
        if key not in _ENTRY_KEYS:
            raise fail(_key_line(item, key), f"unknown key {key!r} in a decision: use "
                       + ", ".join(_ENTRY_KEYS))
    name = item.get("name")
    if isinstance(name, int) and not isinstance(name, bool):
        name = str(name)
    if not isinstance(name, str) or not name.strip():
        raise fail(line, "a decision needs `name:` (the place name as the text spells it)")
    document = item.get("document")
    if isinstance(document, int) and not isinstance(document, bool):
        document = str(document)
    if document is not None and (not isinstance(document, str) or not document.strip()):
        raise fail(_key_line(item, "document"), "`document` must be a document id (a file stem or "
                   "a JSONL id)")
    offset = item.get("offset")
    if offset is not None:
        if isinstance(offset, bool) or not isinstance(offset, int) or offset < 0:
            raise fail(_key_line(item, "offset"), f"`offset` must be a character offset (an integer "
                       f">= 0), found {offset!r}")
        if document is None:
            raise fail(_key_line(item, "offset"), "`offset` needs `document`: say which document "
                       "the mention is in")
    choice_line = _key_line(item, "choice") if "choice" in item else line
    choice = _choice(item.get("choice"), fail, choice_line, name, gazetteer)
    return Decision(name=str(name).strip(), document=document, offset=offset, choice=choice,
                    source=source, line=choice_line)


def _choice(value: Any, fail, line: int, name: str, gazetteer: Gazetteer | None) -> Choice:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, dict):
        return _new_place(value, fail, line, name)
    if not isinstance(value, str):
        raise fail(line, f"`choice` must be a place id, {NOT_A_PLACE}, or a new place "
                   f"{{name, lat, lon, kind}}, found {_type_name(value)}")
    text = value.strip()
    if re.sub(r"[\s_]+", "-", text.lower()) == NOT_A_PLACE:
        return NOT_A_PLACE
    if ":" not in text or " " in text:
        raise fail(line, f"choice {text!r} is not a place id: write an id such as gn:706442 (see "
                   f"`candidates`, or `geomap gazetteer lookup {name}`), {NOT_A_PLACE}, or a new place "
                   "{name, lat, lon, kind}")
    if gazetteer is not None:
        _place_for(text, gazetteer, fail, line, name)
    return text


def _place_for(place_id: str, gazetteer: Gazetteer, fail, line: int, name: str) -> Place:
    try:
        return gazetteer.get(place_id)
    except UnknownPlaceError:
        raise fail(line, f"unknown place id {place_id!r}: use an id listed under `candidates` (or from "
                   f"`geomap gazetteer lookup {name}`), {NOT_A_PLACE}, or a new place "
                   "{name, lat, lon, kind}") from None


def _new_place(value: dict, fail, line: int, default_name: str) -> NewPlace:
    for key in value:
        if key not in _NEW_PLACE_KEYS:
            raise fail(_key_line(value, key), f"unknown key {key!r} in a new place: use "
                       + ", ".join(_NEW_PLACE_KEYS))
    name = value.get("name") or default_name
    if not isinstance(name, str):
        raise fail(line, "a new place's `name` must be text")
    coords = []
    for key, low, high in (("lat", -90.0, 90.0), ("lon", -180.0, 180.0)):
        number = value.get(key)
        if isinstance(number, bool) or not isinstance(number, (int, float)) or not math.isfinite(number):
            raise fail(line, f"a new place needs `{key}` in decimal degrees, e.g. "
                       "{name: Chornobaivka, lat: 46.69, lon: 32.55, kind: city}")
        if not low <= float(number) <= high:
            raise fail(line, f"new place {key} {number} is out of range ({low:g} to {high:g})")
        coords.append(float(number))
    kind_text = value.get("kind")
    try:
        kind = PlaceKind(str(kind_text).strip().lower())
    except ValueError:
        raise fail(line, f"a new place needs `kind`, one of {', '.join(k.value for k in PlaceKind)}"
                   f" (found {kind_text!r})") from None
    country = value.get("country_code")
    if country is not None and (not isinstance(country, str) or len(country.strip()) != 2):
        raise fail(line, f"`country_code` must be an ISO 3166 alpha-2 code such as UA, found {country!r}")
    admin1 = value.get("admin1")
    return NewPlace(name=name.strip(), kind=kind, lat=coords[0], lon=coords[1],
                    country_code=country.strip().upper() if country else None,
                    admin1=str(admin1) if admin1 else None)


# -- applying ----------------------------------------------------------------------------------


def _mention_keys(pm: PlaceMention) -> list[str]:
    """The normalised names a decision may use for a mention: its surface first, then its name."""
    keys: list[str] = []
    for text in (pm.mention.surface, pm.mention.name):
        key = normalize_name(text)
        if key and key not in keys:
            keys.append(key)
    return keys


def _contradicted(decision: Decision, place: Place | None, pm: PlaceMention) -> bool:
    """A name-wide pin does not override what the mention's own qualifier says."""
    hint = pm.mention.hint
    return hint is not None and place is not None and not hint.agrees_with(place.kind)


def apply_decisions(
    documents: Iterable[Document],
    decisions: Decisions,
    gazetteer: Gazetteer | None = None,
) -> Applied:
    """Apply the choices of ``decisions`` to parsed documents.

    A pinned mention gets a real :class:`~gazetteer.Resolution`: confidence 1.0, not
    ambiguous, the chosen place first among the candidates with the reason "pinned by
    decisions.yaml:12", the resolver's other candidates kept after it with score 0. A
    ``not-a-place`` mention is dropped.

    Parameters
    ----------
    documents
        Parsed documents (:meth:`geomap.Pipeline.parse_many`).
    decisions
        From :func:`load_decisions`.
    gazetteer
        Needed when a decision chooses a gazetteer id.

    Raises
    ------
    DecisionError
        A chosen id is not in the gazetteer (names the file and line).

    Examples
    --------
    >>> applied = apply_decisions(documents, load_decisions("decisions.yaml"), gazetteer)  # doctest: +SKIP
    >>> [s.message for s in applied.stale]                                                   # doctest: +SKIP
    []
    """
    docs = list(documents)
    active = decisions.active
    places: dict[Decision, Place | None] = {}
    for d in active:
        if isinstance(d.choice, NewPlace):
            places[d] = d.choice.to_place()
        elif d.choice == NOT_A_PLACE:
            places[d] = None
        else:
            if gazetteer is None:
                raise DecisionError(f"{d.source}:{d.line}: choice {d.choice!r} needs the gazetteer to "
                                    "look the id up")
            places[d] = _place_for(str(d.choice), gazetteer,
                                   lambda at, msg, d=d: DecisionError(f"{d.source}:{at}: {msg}"), d.line, d.name)
    by_mention: dict[tuple[str, int], list[Decision]] = {}
    by_document: dict[tuple[str, str], Decision] = {}
    everywhere: dict[str, Decision] = {}
    for d in active:
        key = normalize_name(d.name)
        if d.scope == "mention":
            by_mention.setdefault((str(d.document), int(d.offset or 0)), []).append(d)
        elif d.scope == "document":
            by_document[(str(d.document), key)] = d
        else:
            everywhere[key] = d

    matched: Counter[Decision] = Counter()
    contradicted: Counter[Decision] = Counter()
    applied: list[AppliedDecision] = []
    out: list[Document] = []
    for doc in docs:
        kept: list[PlaceMention] = []
        changed = False
        for pm in doc.mentions:
            keys = _mention_keys(pm)
            options: list[Decision] = [d for d in by_mention.get((doc.id, pm.mention.start), ())
                                       if normalize_name(d.name) in keys]
            options += [by_document[(doc.id, k)] for k in keys if (doc.id, k) in by_document]
            options += [everywhere[k] for k in keys if k in everywhere]
            chosen: Decision | None = None
            for d in options:
                matched[d] += 1
                if chosen is not None:
                    continue
                if d.scope != "mention" and _contradicted(d, places[d], pm):
                    contradicted[d] += 1
                    continue
                chosen = d
            if chosen is None:
                kept.append(pm)
                continue
            changed = True
            after = None if places[chosen] is None else _pinned(pm, places[chosen], chosen)
            applied.append(AppliedDecision(chosen, doc.id, pm, after))
            if after is not None:
                kept.append(after)
        out.append(replace(doc, mentions=tuple(kept)) if changed else doc)

    stale, elsewhere = _stale(docs, active, matched, contradicted, applied)
    for s in stale:
        log.warning("%s", s.message, extra={"stale_decision": True})
    return Applied(tuple(out), tuple(applied), tuple(stale), tuple(elsewhere))


def _pinned(pm: PlaceMention, place: Place, decision: Decision) -> PlaceMention:
    old = pm.resolution
    reason = f"pinned by {decision.label}"
    others = tuple(
        Candidate(place=c.place, score=0.0, fuzzy=c.fuzzy,
                  reasons=c.reasons + (f"resolver score {c.score:.3f}, overruled by {decision.label}",))
        for c in old.candidates if c.place.id != place.id
    )
    resolution = Resolution(
        toponym=old.toponym, place=place, confidence=1.0, ambiguous=False,
        candidates=(Candidate(place=place, score=1.0, reasons=(reason,)),) + others, fuzzy=False,
    )
    return PlaceMention(pm.mention, resolution)


def _stale(docs, active, matched, contradicted, applied) -> tuple[list[StaleDecision], list[Decision]]:
    doc_ids = {d.id for d in docs}
    by_doc = {d.id: d for d in docs}
    used = {a.decision for a in applied}
    stale: list[StaleDecision] = []
    elsewhere: list[Decision] = []
    for d in active:
        if d in used or (matched[d] and matched[d] > contradicted[d]):
            continue  # applied, or matched and overruled by a more specific decision
        if d.document is not None and d.document not in doc_ids:
            elsewhere.append(d)
            continue
        if matched[d]:
            why = (f"every mention's own qualifier contradicts the choice ({matched[d]} mention(s)): "
                   "settle them by document and offset")
        elif d.scope == "mention":
            why = _moved(by_doc[str(d.document)], d)
        elif d.scope == "document":
            why = f"the name no longer occurs in {d.document}"
        else:
            why = f"the name occurs in none of the {len(docs)} document(s)"
        stale.append(StaleDecision(d, why))
    return stale, elsewhere


def _moved(doc: Document, d: Decision) -> str:
    key = normalize_name(d.name)
    at = [pm for pm in doc.mentions if pm.mention.start == d.offset]
    same_name = [pm.mention.start for pm in doc.mentions if key in _mention_keys(pm)]
    if at:
        return f"the mention at offset {d.offset} is now {at[0].mention.surface!r}"
    if same_name:
        return (f"no mention starts at offset {d.offset} any more; the name now occurs at offset(s) "
                f"{', '.join(map(str, same_name[:8]))}: update `offset`")
    return f"the name no longer occurs in {d.document}"


# -- writing and merging -----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CandidateNote:
    """A candidate place as listed in the file."""

    place_id: str
    description: str
    score: float
    chosen: bool = False

    def text(self) -> str:
        """``"Kherson (city, UA, Kherson Oblast) · 0.83 · geomap's choice"``."""
        return f"{self.description} · {self.score:.2f}" + (" · geomap's choice" if self.chosen else "")


@dataclass(frozen=True, slots=True)
class Sighting:
    """Where a proposed name occurs: ``document@offset`` and why it was flagged."""

    document: str
    offset: int
    surface: str
    why: str

    def text(self) -> str:
        """``"report@120 'Kherson region' ambiguous"``."""
        return f"{self.document}@{self.offset} {self.surface!r} {self.why}".rstrip()


@dataclass(frozen=True)
class Proposal:
    """An entry ``geomap review`` wants in the file: a name to decide, with its candidates."""

    name: str
    document: str | None = None
    offset: int | None = None
    candidates: tuple[CandidateNote, ...] = ()
    seen: tuple[Sighting, ...] = ()
    geomap_choice: str | None = None

    @property
    def key(self) -> tuple[str, str | None, int | None]:
        """Same as :attr:`Decision.key`."""
        return (normalize_name(self.name), self.document, self.offset)


@dataclass(frozen=True)
class Merged:
    """The new text of a decisions file and what changed."""

    text: str
    added: int
    refreshed: int
    kept: int


def merge_decisions(existing: str | None, proposals: Sequence[Proposal], *, source: str = "<decisions>") -> Merged:
    """Merge proposals into the text of a decisions file, keeping every user edit.

    Entries already in the file keep their ``name``, ``document``, ``offset``, ``choice``,
    ``note`` and comments; only their ``candidates`` and ``seen`` lists are refreshed, in
    place. New names are appended as undecided entries. Entries the proposals do not mention
    are left as they are.

    Parameters
    ----------
    existing
        The current text of the file, or ``None`` for a new file.
    proposals
        From :meth:`geomap.review.report.Review.proposals`.

    Raises
    ------
    DecisionError
        The existing text is not a valid decisions file: it is never overwritten then.
    """
    from ruamel.yaml.comments import CommentedMap, CommentedSeq

    if existing is None or not existing.strip():
        existing = "".join(f"# {line}".rstrip() + "\n" for line in HEADER.splitlines()) + \
            f"version: {VERSION}\ndecisions:\n"
    tree, decisions = _parse(existing, source, None)
    if tree is None:
        tree = CommentedMap()
        tree["version"] = VERSION
    items = tree.get("decisions")
    if items is None:
        items = CommentedSeq()
        tree["decisions"] = items
    index = {d.key: i for i, d in enumerate(decisions.entries)}
    added = refreshed = 0
    for proposal in proposals:
        i = index.get(proposal.key)
        if i is None:
            items.append(_new_entry(proposal))
            index[proposal.key] = len(items) - 1
            added += 1
        else:
            _refresh(items[i], proposal)
            refreshed += 1
    buffer = io.StringIO()
    _yaml().dump(tree, buffer)
    return Merged(buffer.getvalue(), added, refreshed, len(decisions.entries) - refreshed)


def _new_entry(proposal: Proposal):
    from ruamel.yaml.comments import CommentedMap

    entry = CommentedMap()
    entry["name"] = proposal.name
    if proposal.document is not None:
        entry["document"] = proposal.document
    if proposal.offset is not None:
        entry["offset"] = proposal.offset
    entry["choice"] = None
    pick = f"geomap chose {proposal.geomap_choice}" if proposal.geomap_choice else "geomap found no place"
    entry.yaml_add_eol_comment(f"undecided: {pick}", "choice")
    _refresh(entry, proposal)
    return entry


def _refresh(entry, proposal: Proposal) -> None:
    from ruamel.yaml.comments import CommentedMap, CommentedSeq

    wanted = {c.place_id: c.text() for c in proposal.candidates}
    candidates = entry.get("candidates")
    if isinstance(candidates, CommentedMap):
        for key in [k for k in candidates if k not in wanted]:
            del candidates[key]
        for key, value in wanted.items():
            candidates[key] = value
    elif wanted:
        entry["candidates"] = CommentedMap(wanted)
    sightings = [s.text() for s in proposal.seen[:_MAX_SEEN]]
    if len(proposal.seen) > _MAX_SEEN:
        sightings.append(f"... and {len(proposal.seen) - _MAX_SEEN} more")
    seq = CommentedSeq(sightings)
    if sightings:
        entry["seen"] = seq
    elif "seen" in entry:
        del entry["seen"]
