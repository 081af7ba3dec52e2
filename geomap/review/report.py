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

import json
import logging
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import Enum

from gazetteer import Gazetteer, MatchOrigin, Place, PlaceKind
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
from ..outputs.map import ATTRIBUTION, KIND_COLOURS
from ..outputs.markup import escape
from ..outputs.offline import inline_html

__all__ = [
    "Flag",
    "FlagRule",
    "ReviewItem",
    "Review",
    "build_review",
    "flags_for",
    "is_flagged",
    "match_origin",
    "review_html",
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
    if resolution.confidence < rule.min_confidence:
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


# -- the review page --------------------------------------------------------------------------

_LEAFLET_CSS = "https://cdn.jsdelivr.net/npm/leaflet@1.9.3/dist/leaflet.css"
_LEAFLET_JS = "https://cdn.jsdelivr.net/npm/leaflet@1.9.3/dist/leaflet.js"
_AREA_KINDS = (PlaceKind.ADMIN1, PlaceKind.ADMIN2, PlaceKind.REGION)


def _json_for_script(data) -> str:
    """JSON safe inside a ``<script type="application/json">`` element."""
    return (json.dumps(data, ensure_ascii=False, separators=(",", ":"))
            .replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
            .replace("\u2028", "\\u2028").replace("\u2029", "\\u2029"))


def _tile_layer(tiles: str | None) -> dict | None:
    if not tiles:
        return None
    import folium

    layer = folium.TileLayer(tiles)
    options = {k: v for k, v in layer.options.items()
               if k in ("attribution", "max_zoom", "min_zoom", "subdomains") and v is not None}
    return {"url": layer.tiles, "options": {_camel(k): v for k, v in options.items()}}


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(p.title() for p in rest)


def review_html(
    review: Review,
    *,
    gazetteer: Gazetteer | None = None,
    tiles: str | None = "OpenStreetMap",
    title: str = "geomap review",
    max_candidates: int = 5,
) -> str:
    """The review page: a self-contained HTML file (Leaflet inlined from ``geomap/assets``).

    Every flagged or decided mention is a card with its excerpt, geomap's answer and the top
    candidates with their scores and reasons; a map draws the selected mention's chosen
    place (filled marker, solid outline) and its alternatives (hollow markers, dashed
    outlines); filters select by document and by reason. All article text is escaped.

    Parameters
    ----------
    review
        From :func:`build_review`.
    gazetteer
        Source of region outlines (without it regions are drawn as markers only).
    tiles
        A folium tile layer name, or ``None`` for no base map (the page then needs no network).
    """
    places: dict[str, dict] = {}

    def place_ref(place: Place | None) -> str | None:
        if place is None:
            return None
        if place.id not in places:
            geometry = None
            if gazetteer is not None and place.has_geometry and place.kind in _AREA_KINDS:
                shape = gazetteer.geometry(place.id)
                if shape is not None:
                    from shapely.geometry import mapping

                    geometry = mapping(shape)
            places[place.id] = {
                "name": place.name, "kind": place.kind.value, "lat": place.lat, "lon": place.lon,
                "desc": place.describe(), "colour": KIND_COLOURS.get(place.kind, "#000000"),
                "geometry": geometry,
            }
        return place.id

    cards: list[str] = []
    map_items: list[dict] = []
    doc_ids: list[str] = []
    for index, item in enumerate(review.items):
        if item.document.id not in doc_ids:
            doc_ids.append(item.document.id)
        final = item.final
        chosen_place = final.place if final is not None else None
        resolution = item.mention.resolution
        alternatives = [c.place for c in resolution.candidates[:max_candidates]
                        if chosen_place is None or c.place.id != chosen_place.id]
        if item.decision is not None and item.mention.place is not None and item.mention.place not in alternatives \
                and (chosen_place is None or item.mention.place.id != chosen_place.id):
            alternatives.insert(0, item.mention.place)
        map_items.append({
            "chosen": place_ref(chosen_place),
            "alternatives": [place_ref(p) for p in alternatives],
            "label": item.mention.mention.surface,
        })
        cards.append(_card(index, item, max_candidates, escape))

    flags = [f.value for f in Flag] + ["decided"]
    counts = review.counts()
    data = {"places": places, "items": map_items, "tiles": _tile_layer(tiles), "attribution": ATTRIBUTION}
    doc_options = "".join(f'<option value="{escape(d)}">{escape(d)}</option>' for d in doc_ids)
    flag_boxes = "".join(
        f'<label title="{escape(FLAG_HELP[f])}"><input type="checkbox" class="filter-flag" value="{f}" checked> '
        f'<span class="flag flag-{f}">{f}</span> <span class="count">{counts[f][0]}</span></label>'
        for f in flags
    )
    stale = ""
    if review.stale:
        stale = ('<section class="stale" id="stale"><h2>Stale decisions</h2><ul>'
                 + "".join(f"<li>{escape(s.message)}</li>" for s in review.stale) + "</ul></section>")
    total = review.total_mentions
    share = f" ({len(review.open_items) / total:.0%})" if total else ""
    legend = "".join(
        f'<span class="legend-kind"><i style="background:{colour}"></i>{escape(kind.value)}</span>'
        for kind, colour in KIND_COLOURS.items()
    )
    page = _PAGE.format(
        title=escape(title),
        leaflet_css=_LEAFLET_CSS,
        leaflet_js=_LEAFLET_JS,
        summary=escape(f"{len(review.open_items)} of {total} mentions flagged{share} in "
                       f"{len(review.original)} document(s); {counts['decided'][0]} decided"),
        doc_options=doc_options,
        flag_boxes=flag_boxes,
        stale=stale,
        cards="\n".join(cards) or '<p class="empty">Nothing to review: geomap was sure of every place.</p>',
        legend=legend,
        data=_json_for_script(data),
        script=_SCRIPT,
        css=_CSS,
    )
    return inline_html(page)


def _card(index: int, item: ReviewItem, max_candidates: int, escape) -> str:
    pm = item.mention
    mention = pm.mention
    excerpt = item.document.excerpt(mention)
    resolution = pm.resolution
    badges = "".join(f'<span class="flag flag-{r}">{r}</span>' for r in item.reasons)
    if pm.place is None:
        answer = "geomap found no place"
    else:
        answer = (f'geomap chose <b>{escape(pm.place.name)}</b> {escape(_kind_where(pm.place))} '
                  f'<code>{escape(pm.place.id)}</code> · confidence {resolution.confidence:.2f}')
    decided = ""
    if item.decision is not None:
        d = item.decision.decision
        if item.decision.after is None:
            what = "not a place: dropped"
        else:
            place = item.decision.after.place
            what = f"{escape(place.describe())} <code>{escape(place.id)}</code>" if place else "?"
        decided = f'<div class="decided">decided by {escape(d.label)} ({escape(d.scope)}): {what}</div>'
    rows = []
    chosen_id = pm.place.id if pm.place else None
    for c in resolution.candidates[:max_candidates]:
        reasons = "".join(f"<li>{escape(r)}</li>" for r in c.reasons)
        cls = ' class="chosen"' if c.place.id == chosen_id else ""
        rows.append(f'<tr{cls}><td><code>{escape(c.place.id)}</code></td><td>{escape(c.place.describe())}'
                    f'{" · fuzzy" if c.fuzzy else ""}</td><td class="score">{c.score:.2f}</td>'
                    f'<td><ul class="why">{reasons}</ul></td></tr>')
    more = len(resolution.candidates) - max_candidates
    table = ('<table class="candidates"><thead><tr><th>id</th><th>place</th><th>score</th><th>why</th></tr>'
             '</thead><tbody>' + "".join(rows) + "</tbody></table>") if rows else ""
    if more > 0:
        table += f'<div class="more">… {more} more candidates</div>'
    title = f" · {escape(item.document.title)}" if item.document.title else ""
    return (
        f'<article class="item" id="item-{index}" data-index="{index}" data-doc="{escape(item.document.id)}" '
        f'data-reasons="{" ".join(item.reasons)}" tabindex="0">'
        f'<header><span class="where">{escape(item.document.id)}@{mention.start}{title}</span> '
        f'<b class="surface">{escape(mention.surface)}</b> {badges}</header>'
        f'<p class="excerpt">{escape(excerpt.before)}<mark>{escape(excerpt.match)}</mark>{escape(excerpt.after)}</p>'
        f'<div class="answer">{answer}</div>{decided}{table}</article>'
    )


def _kind_where(place: Place) -> str:
    where = ", ".join(x for x in (place.kind.value, place.country_code,
                                  place.admin1 if place.admin1 != place.name else None) if x)
    return f"({where})"


_CSS = """
* { box-sizing: border-box; }
html, body { margin: 0; height: 100%; font: 14px/1.4 system-ui, sans-serif; color: #222; }
body { display: flex; flex-direction: column; }
body > header { padding: 8px 14px; border-bottom: 1px solid #ccc; background: #f7f7f7; }
body > header h1 { font-size: 17px; margin: 0 0 4px; }
.filters { display: flex; flex-wrap: wrap; gap: 10px; align-items: center; }
.filters label { white-space: nowrap; cursor: pointer; }
main { flex: 1; display: flex; min-height: 0; }
#list { width: 46%; min-width: 320px; overflow: auto; padding: 8px 12px; border-right: 1px solid #ccc; }
#map { flex: 1; min-height: 300px; }
.item { border: 1px solid #ddd; border-radius: 6px; padding: 8px 10px; margin: 0 0 10px; cursor: pointer; }
.item.selected { border-color: #0072B2; box-shadow: 0 0 0 2px #0072B2 inset; }
.item[hidden] { display: none; }
.item header { margin-bottom: 4px; }
.where { color: #555; font-size: 12px; }
.surface { font-size: 15px; }
.excerpt { margin: 4px 0; }
mark { background: #ffe38a; }
.flag { display: inline-block; font-size: 11px; padding: 0 6px; border-radius: 8px; background: #eee; }
.flag-unresolved { background: #f4c7c3; } .flag-ambiguous { background: #fde2b3; }
.flag-low-confidence { background: #fff3b0; } .flag-fuzzy { background: #d7e3fc; }
.flag-decided { background: #c8ecd3; }
.decided { color: #1b6b35; margin: 3px 0; }
table.candidates { border-collapse: collapse; width: 100%; margin-top: 4px; font-size: 12.5px; }
table.candidates th, table.candidates td { border-top: 1px solid #eee; padding: 2px 4px; text-align: left;
  vertical-align: top; }
table.candidates tr.chosen td { background: #f1f7fd; font-weight: 600; }
ul.why { margin: 0; padding-left: 14px; font-weight: normal; color: #444; }
.score { text-align: right; }
.stale { background: #fff4e5; border: 1px solid #f0b35b; padding: 4px 10px; margin: 0 0 10px; border-radius: 6px; }
.stale h2 { font-size: 14px; margin: 2px 0; }
.legend { font-size: 12px; color: #444; margin-top: 4px; }
.legend-kind { margin-right: 8px; white-space: nowrap; }
.legend-kind i { display: inline-block; width: 10px; height: 10px; border-radius: 50%; margin-right: 3px; }
.legend .alt { display: inline-block; width: 10px; height: 10px; border: 2px dashed #555; border-radius: 50%; }
.empty { color: #555; }
"""

_SCRIPT = r"""
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("review-data").textContent);
  var map = L.map("map", {preferCanvas: false, worldCopyJump: true}).setView([30, 10], 2);
  map.attributionControl.addAttribution(data.attribution);
  if (data.tiles) { L.tileLayer(data.tiles.url, data.tiles.options).addTo(map); }
  var cards = Array.prototype.slice.call(document.querySelectorAll("article.item"));
  var overview = L.featureGroup().addTo(map);
  var focus = L.featureGroup().addTo(map);
  var selected = null;

  function tip(text) { var el = document.createElement("span"); el.textContent = text; return el; }

  function draw(pid, role, group, label) {
    var p = data.places[pid];
    if (!p) { return; }
    var chosen = role === "chosen";
    var name = p.desc + (chosen ? " (chosen)" : " (alternative)") + (label ? " for \u201c" + label + "\u201d" : "");
    if (p.geometry) {
      L.geoJSON(p.geometry, {style: {color: chosen ? p.colour : "#555", weight: chosen ? 2.5 : 2,
        dashArray: chosen ? null : "6 5", fillColor: p.colour, fillOpacity: chosen ? 0.12 : 0.0,
        className: "geomap-area geomap-" + role}}).bindTooltip(tip(name)).addTo(group);
    }
    L.circleMarker([p.lat, p.lon], {radius: chosen ? 8 : 6, color: chosen ? "#fff" : p.colour,
      weight: chosen ? 1.5 : 2.5, dashArray: chosen ? null : "3 3", fill: chosen, fillColor: p.colour,
      fillOpacity: chosen ? 0.95 : 0.0, className: "geomap-point geomap-" + role})
      .bindTooltip(tip(name)).addTo(group);
  }

  function visible() { return cards.filter(function (c) { return !c.hidden; }); }

  function drawOverview() {
    overview.clearLayers();
    var seen = {};
    visible().forEach(function (card) {
      var it = data.items[+card.dataset.index];
      if (it.chosen && !seen[it.chosen]) { seen[it.chosen] = true; draw(it.chosen, "chosen", overview, it.label); }
    });
  }

  function fit(group) {
    var b = group.getBounds();
    if (b.isValid()) { map.fitBounds(b, {padding: [30, 30], maxZoom: 9}); }
  }

  function select(index) {
    cards.forEach(function (c) { c.classList.toggle("selected", +c.dataset.index === index); });
    selected = index;
    focus.clearLayers();
    var it = data.items[index];
    if (!it) { return; }
    it.alternatives.forEach(function (pid) { if (pid) { draw(pid, "alternative", focus, it.label); } });
    if (it.chosen) { draw(it.chosen, "chosen", focus, it.label); }
    if (focus.getLayers().length) { fit(focus); }
    document.body.dataset.selected = String(index);
  }

  function applyFilters() {
    var doc = document.getElementById("filter-doc").value;
    var wanted = {};
    document.querySelectorAll("input.filter-flag").forEach(function (b) { wanted[b.value] = b.checked; });
    var shown = 0;
    cards.forEach(function (card) {
      var reasons = card.dataset.reasons.split(" ");
      var ok = (doc === "" || card.dataset.doc === doc) && reasons.some(function (r) { return wanted[r]; });
      card.hidden = !ok;
      if (ok) { shown += 1; }
    });
    document.getElementById("shown").textContent = String(shown);
    if (selected !== null && cards[selected] && cards[selected].hidden) { selected = null; focus.clearLayers();
      cards.forEach(function (c) { c.classList.remove("selected"); }); }
    drawOverview();
    if (selected === null) { fit(overview); }
  }

  cards.forEach(function (card) {
    card.addEventListener("click", function () { select(+card.dataset.index); });
    card.addEventListener("keydown", function (e) { if (e.key === "Enter") { select(+card.dataset.index); } });
  });
  document.getElementById("filter-doc").addEventListener("change", applyFilters);
  document.querySelectorAll("input.filter-flag").forEach(function (b) { b.addEventListener("change", applyFilters); });
  applyFilters();
  window.geomapReview = {map: map, select: select, applyFilters: applyFilters, overview: overview, focus: focus};
  document.body.dataset.ready = "1";
})();
"""

_PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<link rel="stylesheet" href="{leaflet_css}">
<script src="{leaflet_js}"></script>
<style>{css}</style>
</head>
<body>
<header>
<h1>{title}</h1>
<div class="summary">{summary}; showing <span id="shown">0</span></div>
<div class="filters">
<label>document <select id="filter-doc"><option value="">all documents</option>{doc_options}</select></label>
{flag_boxes}
</div>
<div class="legend">{legend} <span class="legend-kind"><span class="alt"></span> alternative (dashed)</span>
Click a mention to draw its chosen place and alternatives. Settle it in the decisions file.</div>
</header>
<main>
<section id="list">
{stale}
{cards}
</section>
<div id="map"></div>
</main>
<script type="application/json" id="review-data">{data}</script>
<script>{script}</script>
</body>
</html>
"""
