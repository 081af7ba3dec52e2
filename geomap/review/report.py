"""Review: which mentions an analyst should check, a page to check them on, and a summary.

A mention is *flagged* when

- **unresolved**: no gazetteer place fitted;
- **ambiguous**: the runner-up's confidence is within :attr:`FlagRule.margin` of the chosen
  place's (a near tie);
- **low-confidence**: the chosen place's confidence is below :attr:`FlagRule.min_confidence`
  (the probability mass is spread over several candidates);
- **fuzzy**: the name matched the chosen place only through its phonetic spelling key or an
  edit-distance match, i.e. the text spells it in a way the gazetteer does not list.

The rule looks only at the resolver's confidences, the margin to the runner-up, how the name
matched and whether it resolved; never at the names themselves. Its default thresholds are
calibrated on the development corpora (``benchmarks/calibration.py``): flagged mentions are
wrong (unresolved, more than 161 km off, or the wrong kind) at least three times as often as
the others, and they are at most a quarter of all mentions. They are stricter than the
resolver's own ``ambiguous`` mark (``ResolverOptions.ambiguity_margin``, shown in the JSON Lines
and the map popups), which also covers clear-enough choices; ``geomap review --margin
--min-confidence`` widens the net.

Mentions settled by a decisions file (:mod:`geomap.review.decisions`) are listed as *decided*.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import Enum

from gazetteer import Gazetteer, MatchOrigin
from gazetteer.normalize import normalize_name

from .decisions import (
    Applied,
    AppliedDecision,
    CandidateNote,
    Decisions,
    Proposal,
    Sighting,
    StaleDecision,
    apply_decisions,
)
from ..model import Document, PlaceMention

__all__ = [
    "Flag",
    "FlagRule",
    "ReviewItem",
    "Review",
    "build_review",
    "flags_for",
    "is_flagged",
    "match_origin",
    "format_summary",
    "SCOPES",
]

log = logging.getLogger(__name__)

#: Scopes ``Review.proposals`` can write new entries at.
SCOPES = ("everywhere", "document", "mention")

_UNSURE_ORIGINS = frozenset({MatchOrigin.SPELLING, MatchOrigin.FUZZY})


class Flag(str, Enum):
    """Why a mention is flagged for review."""

    UNRESOLVED = "unresolved"
    AMBIGUOUS = "ambiguous"
    LOW_CONFIDENCE = "low-confidence"
    FUZZY = "fuzzy"

    def __str__(self) -> str:
        return self.value


#: One line explaining each flag (shown on the review page and in the summary).
FLAG_HELP: dict[str, str] = {
    Flag.UNRESOLVED.value: "no gazetteer place fits the name",
    Flag.AMBIGUOUS.value: "a runner-up scored almost as high as the chosen place",
    Flag.LOW_CONFIDENCE.value: "the chosen place's confidence is low",
    Flag.FUZZY.value: "the spelling matched only approximately",
    "decided": "settled by the decisions file",
}


def match_origin(pm: PlaceMention, gazetteer: Gazetteer | None) -> MatchOrigin | None:
    """How the mention's name matched its chosen place (the most trustworthy way), if known.

    Examples
    --------
    >>> match_origin(pm, gazetteer)          # doctest: +SKIP
    <MatchOrigin.ALIAS: 1>
    """
    place = pm.place
    if place is None or gazetteer is None:
        return None
    origins = [m.origin for m in gazetteer.lookup(pm.mention.name) if m.place.id == place.id]
    return min(origins) if origins else None


@dataclass(frozen=True, slots=True)
class FlagRule:
    """The thresholds that decide which mentions to review.

    Parameters
    ----------
    margin
        A mention is *ambiguous* when the chosen place's confidence exceeds the runner-up's by
        less than this (0 disables the test).
    min_confidence
        A mention is *low-confidence* when the chosen place's confidence is below this.
    fuzzy
        Whether approximate spellings (phonetic key, edit distance) are flagged.

    Examples
    --------
    >>> FlagRule().margin, FlagRule().min_confidence
    (0.02, 0.25)
    >>> FlagRule(margin=0.3).margin
    0.3
    """

    margin: float = 0.02
    min_confidence: float = 0.25
    fuzzy: bool = True

    def __post_init__(self) -> None:
        for name in ("margin", "min_confidence"):
            value = getattr(self, name)
            if not 0.0 <= value <= 1.0:
                raise ValueError(f"{name} must be between 0 and 1, not {value!r}")


def flags_for(
    pm: PlaceMention,
    *,
    gazetteer: Gazetteer | None = None,
    rule: FlagRule | None = None,
) -> tuple[Flag, ...]:
    """The reasons to review one mention (empty when it needs none).

    Parameters
    ----------
    pm
        A resolved (or unresolved) mention.
    gazetteer
        Used to find how the name matched (spelling key, edit distance); without it only the
        resolver's own ``fuzzy`` mark counts.
    rule
        The thresholds (default :class:`FlagRule`).

    Examples
    --------
    >>> flags_for(pm)                      # doctest: +SKIP
    (<Flag.AMBIGUOUS: 'ambiguous'>,)
    """
    resolution = pm.resolution
    if resolution.place is None:
        return (Flag.UNRESOLVED,)
    rule = rule or FlagRule()
    flags: list[Flag] = []
    runner_up = max((c.score for c in resolution.alternatives), default=0.0)
    if resolution.alternatives and resolution.confidence - runner_up < rule.margin:
        flags.append(Flag.AMBIGUOUS)
    if resolution.confidence < rule.min_confidence or resolution.ambiguous:  # ranker: below its threshold
        flags.append(Flag.LOW_CONFIDENCE)
    if rule.fuzzy:
        origin = match_origin(pm, gazetteer) if not resolution.fuzzy else MatchOrigin.FUZZY
        if origin in _UNSURE_ORIGINS:
            flags.append(Flag.FUZZY)
    return tuple(flags)


def is_flagged(pm: PlaceMention, *, gazetteer: Gazetteer | None = None, rule: FlagRule | None = None) -> bool:
    """Whether :func:`flags_for` finds any reason to review the mention.

    This is the rule ``geomap review`` and the calibration figures of ``geomap eval`` use.
    """
    return bool(flags_for(pm, gazetteer=gazetteer, rule=rule))


@dataclass(frozen=True)
class ReviewItem:
    """One mention on the review list.

    Attributes
    ----------
    document
        The document as geomap resolved it (before decisions).
    mention
        geomap's own answer for the mention.
    flags
        Why geomap's answer needs a look (may be empty for a decided mention).
    decision
        The decision that settled it, if any.
    """

    document: Document
    mention: PlaceMention
    flags: tuple[Flag, ...]
    decision: AppliedDecision | None = None

    @property
    def key(self) -> tuple[str, int]:
        """``(document id, mention start)``."""
        return (self.document.id, self.mention.mention.start)

    @property
    def decided(self) -> bool:
        """Whether a decision settled it."""
        return self.decision is not None

    @property
    def final(self) -> PlaceMention | None:
        """The mention as it ends up in the outputs (``None`` when dropped as not a place)."""
        return self.decision.after if self.decision is not None else self.mention

    @property
    def reasons(self) -> tuple[str, ...]:
        """The flags as words, plus ``"decided"``."""
        return tuple(f.value for f in self.flags) + (("decided",) if self.decided else ())


@dataclass(frozen=True)
class Review:
    """What ``geomap review`` found.

    Attributes
    ----------
    items
        Flagged or decided mentions, in document then text order.
    documents
        The documents with the decisions applied (what ``map``/``places`` would output).
    original
        The documents as geomap resolved them.
    applied
        What the decisions did (``stale`` lists those that matched nothing).
    rule
        The thresholds the mentions were flagged by.
    """

    items: tuple[ReviewItem, ...]
    documents: tuple[Document, ...]
    original: tuple[Document, ...]
    applied: Applied
    rule: FlagRule = field(default_factory=FlagRule)

    @property
    def total_mentions(self) -> int:
        """Mentions geomap found, over all documents."""
        return sum(len(d.mentions) for d in self.original)

    @property
    def open_items(self) -> tuple[ReviewItem, ...]:
        """Flagged mentions no decision settled yet."""
        return tuple(i for i in self.items if not i.decided)

    @property
    def stale(self) -> tuple[StaleDecision, ...]:
        """Decisions that matched nothing."""
        return self.applied.stale

    def counts(self) -> dict[str, tuple[int, int]]:
        """``reason -> (mentions, distinct names)`` over the open items, plus ``"decided"``."""
        out: dict[str, tuple[int, int]] = {}
        for reason in [f.value for f in Flag] + ["decided"]:
            chosen = [i for i in self.items
                      if (reason == "decided" and i.decided) or (reason != "decided" and not i.decided
                                                                 and reason in i.reasons)]
            names = {i.mention.mention.name.casefold() for i in chosen}
            out[reason] = (len(chosen), len(names))
        return out

    def worst(self, n: int = 10) -> list[ReviewItem]:
        """The ``n`` open items geomap was least sure of."""
        return sorted(self.open_items, key=lambda i: (i.mention.resolution.confidence, i.key))[:n]

    def proposals(self, scope: str = "everywhere", decisions: Decisions | None = None) -> list[Proposal]:
        """Entries for the decisions file: one per open name (at ``scope``), and a refresh of
        every entry that decided something.

        An open mention already covered by an undecided entry of ``decisions`` refreshes that
        entry instead of adding another.
        """
        if scope not in SCOPES:
            raise ValueError(f"scope must be one of {', '.join(SCOPES)}, not {scope!r}")
        pending = _PendingIndex(decisions)
        groups: dict[tuple, list[ReviewItem]] = {}
        names: dict[tuple, tuple[str, str | None, int | None]] = {}
        for item in self.items:
            pm = item.mention
            if item.decision is not None:
                d = item.decision.decision
                where = (d.name, d.document, d.offset)
            else:
                entry = pending.find(item.document.id, pm)
                if entry is not None:
                    where = (entry.name, entry.document, entry.offset)
                elif scope == "everywhere":
                    where = (pm.mention.name, None, None)
                elif scope == "document":
                    where = (pm.mention.name, item.document.id, None)
                else:
                    where = (pm.mention.name, item.document.id, pm.mention.start)
            key = Proposal(*where).key
            groups.setdefault(key, []).append(item)
            names.setdefault(key, where)
        return [_proposal(names[k], items) for k, items in groups.items()]


class _PendingIndex:
    def __init__(self, decisions: Decisions | None) -> None:
        self._norm = normalize_name
        self.entries = {d.key: d for d in (decisions.entries if decisions else ()) if d.pending}

    def find(self, doc_id: str, pm: PlaceMention):
        keys = [self._norm(t) for t in (pm.mention.surface, pm.mention.name)]
        for where in ((doc_id, pm.mention.start), (doc_id, None), (None, None)):
            for k in keys:
                entry = self.entries.get((k, *where))
                if entry is not None:
                    return entry
        return None


def _proposal(where: tuple[str, str | None, int | None], items: list[ReviewItem]) -> Proposal:
    best: dict[str, tuple[float, str]] = {}
    chosen: Counter[str] = Counter()
    for item in items:
        resolution = item.mention.resolution
        if resolution.place is not None:
            chosen[resolution.place.id] += 1
        for c in resolution.candidates:
            if c.place.id not in best or c.score > best[c.place.id][0]:
                best[c.place.id] = (c.score, c.place.describe())
    notes = tuple(
        CandidateNote(pid, desc, score, pid in chosen)
        for pid, (score, desc) in sorted(best.items(), key=lambda kv: (-kv[1][0], kv[0]))
    )
    seen = []
    for item in items:
        why = ", ".join(f.value for f in item.flags)
        if item.decision is not None:
            why = (why + "; " if why else "") + f"decided by {item.decision.decision.label}"
        seen.append(Sighting(item.document.id, item.mention.mention.start, item.mention.mention.surface, why))
    return Proposal(name=where[0], document=where[1], offset=where[2], candidates=notes, seen=tuple(seen),
                    geomap_choice=chosen.most_common(1)[0][0] if chosen else None)


def build_review(
    documents: Iterable[Document],
    *,
    gazetteer: Gazetteer | None = None,
    decisions: Decisions | None = None,
    rule: FlagRule | None = None,
) -> Review:
    """Flag the mentions to review and apply the decisions.

    Parameters
    ----------
    documents
        Documents as the pipeline resolved them.
    gazetteer
        For match origins, decided ids and the page's outlines.
    decisions
        A decisions file to apply (:func:`geomap.review.decisions.load_decisions`).
    rule
        The flagging thresholds (default :class:`FlagRule`).

    Examples
    --------
    >>> review = build_review(pipeline.parse_many(sources), gazetteer=pipeline.gazetteer)  # doctest: +SKIP
    >>> print(format_summary(review))                                                        # doctest: +SKIP
    """
    original = tuple(documents)
    rule = rule or FlagRule()
    applied = (apply_decisions(original, decisions, gazetteer) if decisions is not None
               else Applied(original))
    decided = applied.decided()
    items: list[ReviewItem] = []
    for doc in original:
        for pm in doc.mentions:
            flags = flags_for(pm, gazetteer=gazetteer, rule=rule)
            decision = decided.get((doc.id, pm.mention.start))
            if flags or decision is not None:
                items.append(ReviewItem(doc, pm, flags, decision))
    return Review(tuple(items), applied.documents, original, applied, rule)


# -- terminal summary -------------------------------------------------------------------------


def _answer(pm: PlaceMention | None) -> str:
    if pm is None:
        return "not a place"
    if pm.place is None:
        return "(unresolved)"
    return f"{pm.place.describe()} {pm.resolution.confidence:.2f}"


def format_summary(review: Review, *, worst: int = 10, width: int = 100) -> str:
    """A plain-text summary for a terminal: counts by reason, the worst cases, stale decisions.

    Examples
    --------
    >>> print(format_summary(review))        # doctest: +SKIP
    review: 3 of 12 mentions flagged (25%) in 1 document(s); 1 settled by decisions
    ...
    """
    total = review.total_mentions
    open_items = review.open_items
    decided = sum(1 for i in review.items if i.decided)
    share = f" ({len(open_items) / total:.0%})" if total else ""
    lines = [f"review: {len(open_items)} of {total} mentions flagged{share} in {len(review.original)} "
             f"document(s)" + (f"; {decided} settled by decisions" if decided else "")]
    counts = review.counts()
    if any(n for n, _ in counts.values()):
        lines += ["", f"  {'reason':<16}{'mentions':>9}{'names':>7}  meaning"]
        for reason, (n, names) in counts.items():
            if n:
                lines.append(f"  {reason:<16}{n:>9}{names:>7}  {FLAG_HELP[reason]}")
    cases = review.worst(worst)
    if cases:
        lines += ["", f"least certain ({len(cases)} of {len(open_items)})"]
        rows = [("where", "mention", "geomap's answer", "runner-up", "why")]
        for item in cases:
            alts = item.mention.resolution.alternatives
            runner = f"{alts[0].place.describe()} {alts[0].score:.2f}" if alts else "-"
            rows.append((f"{item.document.id}@{item.mention.mention.start}", item.mention.mention.surface,
                         _answer(item.mention), runner, ", ".join(item.reasons)))
        caps = (18, 18, 34, 30, 24)
        widths = [min(max(len(r[i]) for r in rows), caps[i]) for i in range(5)]
        for row in rows:
            cells = [_clip(cell, w).ljust(w) for cell, w in zip(row, widths)]
            lines.append(("  " + "  ".join(cells)).rstrip())
    if review.stale:
        lines += ["", f"stale decisions ({len(review.stale)})"]
        lines += [f"  {s.message}" for s in review.stale]
    if review.applied.elsewhere:
        lines += ["", f"{len(review.applied.elsewhere)} decision(s) concern documents not in this run"]
    return "\n".join(line[:width * 2] for line in lines)


def _clip(text: str, width: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: max(width - 1, 0)] + "…"
