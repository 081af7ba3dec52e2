"""The review page: check the places geomap was unsure of, and settle them with clicks.

``geomap review`` writes one self-contained HTML file (Leaflet inlined from ``geomap/assets``).
Every flagged or decided mention is a card with its excerpt, geomap's answer and the top
candidates with their scores and reasons; behind the "show every mention" switch, every other
mention has a card too. A map draws the selected mention's chosen place (filled marker, solid
outline) and its alternatives (hollow markers, dashed outlines); it opens on the places of the
listed mentions (:func:`overview_bounds`), across the antimeridian as the main map does.

Deciding by clicking
--------------------
Each card has a form: a candidate, "not a place", "undecided", or a place typed by name (the
names of every place the page carries are offered). A choice applies to every mention of the
name, to the name in that article, or to that mention only (the entry's scope in the decisions
file), and the map and every card it affects follow at once, by the same rule
:func:`geomap.review.decisions.apply_decisions` uses (the most specific decision wins; a name-wide
choice leaves alone a mention whose own qualifier says otherwise).

"Download decisions file" saves the decisions YAML: the file ``geomap review`` wrote next to the
page (:func:`geomap.review.decisions.merge_decisions`), with the ``choice:`` lines of the entries the
reviewer settled replaced and entries for new names appended; every other line, comments
included, is kept. The page carries the file's text and, for each entry, the lines of its
choice (:func:`decision_lines`), so it never parses YAML itself. ``geomap map --decisions``
reads the downloaded file as it reads a hand-edited one.

Safety: every text from an article or a gazetteer is escaped (:func:`geomap.outputs.markup.escape`)
in the HTML, and the data the script reads sits in a ``<script type="application/json">``
element with ``<``, ``>`` and ``&`` escaped; the script sets text with ``textContent`` only.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from importlib.resources import files
from typing import Any

from gazetteer import Gazetteer, Place
from gazetteer.model import REGION_KINDS
from gazetteer.normalize import normalize_name

from ..outputs.framing import Bounds, places_bounds, unwrap
from ..outputs.map import ATTRIBUTION, KIND_COLOURS, area_outline, outline_extent, turned
from ..outputs.markup import escape, script_json
from ..outputs.offline import inline_html
from .decisions import NOT_A_PLACE, NewPlace, merge_decisions, parse_decisions
from .report import FLAG_HELP, SCOPES, Flag, Review, ReviewItem

__all__ = ["review_html", "overview_bounds", "decision_lines", "DecisionLines", "entry_key"]

_LEAFLET_CSS = "https://cdn.jsdelivr.net/npm/leaflet@1.9.3/dist/leaflet.css"
_LEAFLET_JS = "https://cdn.jsdelivr.net/npm/leaflet@1.9.3/dist/leaflet.js"


def entry_key(name: str, document: str | None, offset: int | None) -> str:
    """The key of a decisions-file entry as the page uses it: JSON of
    ``[normalised name, document, offset]`` (:attr:`geomap.review.decisions.Decision.key`).

    Examples
    --------
    >>> entry_key("Kherson ", None, None)
    '["kherson",null,null]'
    """
    return json.dumps([normalize_name(name), document, offset], ensure_ascii=False, separators=(",", ":"))


@dataclass(frozen=True, slots=True)
class DecisionLines:
    """Where an entry's choice sits in the text of a decisions file (0-based line numbers).

    Attributes
    ----------
    key
        :func:`entry_key` of the entry.
    start, end
        The lines ``[start, end)`` holding ``choice:`` and its value; ``start == end`` when the
        entry has no ``choice`` (a new line is inserted at ``start``).
    indent
        The column of the entry's keys.
    choice
        The entry's choice: a place id, ``not-a-place``, a new place's id, or ``None``.
    """

    key: str
    start: int
    end: int
    indent: int
    choice: str | None


def decision_lines(text: str, *, gazetteer: Gazetteer | None = None) -> tuple[list[DecisionLines], dict[str, Any],
                                                                               list[Place]]:
    """The choice lines of every entry of a decisions file, and where new entries go.

    Returns
    -------
    entries
        One :class:`DecisionLines` per entry, in file order.
    tail
        ``{"at": line, "indent": column of "-", "empty": line of "decisions: []" or None}``:
        new entries are inserted at line ``at``; ``empty`` is the line to rewrite as
        ``decisions:`` when the list is an empty flow sequence (or a null).
    new_places
        The places the file's new-place choices stand for (so the page can draw them).

    Raises
    ------
    DecisionError
        The text is not a valid decisions file.
    """
    from ruamel.yaml import YAML

    decisions = parse_decisions(text, gazetteer=gazetteer)  # validates: the tree below is a decisions file
    tree = YAML(typ="rt").load(text)
    lines = text.split("\n")
    total = len(lines) - 1 if lines and lines[-1] == "" else len(lines)
    out: list[DecisionLines] = []
    new_places: list[Place] = []
    if tree is None:
        return out, {"at": total, "indent": 2, "empty": None, "missing": True}, new_places
    items = tree.get("decisions")
    keys = list(tree)
    following = [(_key_line(tree, k) - 1) for k in keys[keys.index("decisions") + 1:]] if "decisions" in tree else []
    end_of_list = min(following) if following else total
    if not items:
        line = _key_line(tree, "decisions") - 1 if "decisions" in tree else None
        return out, {"at": (line + 1) if line is not None else total, "indent": 2, "empty": line,
                     "missing": line is None}, new_places
    starts = [_item_line(items, i) - 1 for i in range(len(items))]
    for i, (item, decision) in enumerate(zip(items, decisions.entries)):
        item_end = starts[i + 1] if i + 1 < len(items) else end_of_list
        choice = decision.choice
        if isinstance(choice, NewPlace):
            place = choice.to_place()
            new_places.append(place)
            choice = place.id
        names = list(item)
        indent = item.lc.key(names[0])[1]
        if "choice" in item:
            start = _key_line(item, "choice") - 1
            later = [_key_line(item, k) - 1 for k in names[names.index("choice") + 1:]]
            end = min([x for x in later if x > start] or [item_end])
        else:
            start = end = _key_line(item, "name")  # the line after `name:`
        out.append(DecisionLines(entry_key(decision.name, decision.document, decision.offset), start, end, indent,
                                 choice))
    dash = max(0, out[0].indent - 2) if out else 2
    return out, {"at": end_of_list, "indent": dash, "empty": None, "missing": False}, new_places


def _key_line(mapping: Any, key: str) -> int:
    """The 1-based line of ``key`` in a ruamel mapping."""
    return mapping.lc.key(key)[0] + 1


def _item_line(seq: Any, index: int) -> int:
    """The 1-based line of item ``index`` of a ruamel sequence."""
    return seq.lc.item(index)[0] + 1


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


def _template(name: str) -> str:
    return (files("geomap") / "templates" / name).read_text(encoding="utf-8")


def overview_bounds(items: Iterable[ReviewItem], *, gazetteer: Gazetteer | None = None) -> Bounds | None:
    """The box the page opens on: around the chosen places (and their outlines) of the mentions
    listed at first, the flagged and the decided ones, as the overview draws them.

    The box is :func:`geomap.outputs.framing.places_bounds`, the main map's: places across the
    antimeridian (Fiji and Samoa) get a box that runs on beyond 180 degrees east, and the page
    then draws every place around its middle (:func:`review_html`).

    Returns
    -------
    Bounds or None
        ``None`` when no listed mention has a place.
    """
    chosen = [item.final.place for item in items
              if item.reasons and item.final is not None and item.final.place is not None]
    return places_bounds(chosen, extent=lambda place: outline_extent(area_outline(place, gazetteer)))


def _mention_keys(item: ReviewItem) -> dict[str, list[str]]:
    """The entry keys that can settle the item, by scope (surface first, then name), as
    :func:`geomap.review.decisions.apply_decisions` matches them."""
    mention = item.mention.mention
    names: list[str] = []
    for text in (mention.surface, mention.name):
        if normalize_name(text) and normalize_name(text) not in [normalize_name(n) for n in names]:
            names.append(text)
    doc = item.document.id
    return {"mention": [entry_key(n, doc, mention.start) for n in names],
            "document": [entry_key(n, doc, None) for n in names],
            "everywhere": [entry_key(n, None, None) for n in names]}


def review_html(
    review: Review,
    *,
    gazetteer: Gazetteer | None = None,
    tiles: str | None = "OpenStreetMap",
    title: str = "geomap review",
    max_candidates: int = 5,
    decisions_text: str | None = None,
    decisions_name: str = "decisions.yaml",
    scope: str = "everywhere",
    all_mentions: bool = True,
    serve_token: str | None = None,
    max_unflagged: int = 2000,
) -> str:
    """The review page: a self-contained HTML file (Leaflet inlined from ``geomap/assets``).

    Parameters
    ----------
    review
        From :func:`geomap.review.report.build_review`.
    gazetteer
        Source of region outlines (without it regions are drawn as markers only).
    tiles
        A folium tile layer name, or ``None`` for no base map (the page then needs no network).
    title
        The page's title.
    max_candidates
        Candidates listed (and offered) per mention.
    decisions_text
        The decisions file ``geomap review`` wrote (:func:`geomap.review.decisions.merge_decisions`):
        the download starts from it. ``None`` starts from an empty file.
    decisions_name
        The file name the download suggests.
    scope
        The scope a click applies to unless the card says otherwise (one of
        :data:`geomap.review.report.SCOPES`).
    all_mentions
        Also carry a card for every mention that is neither flagged nor decided (shown with the
        "show every mention" switch).
    max_unflagged
        At most this many unflagged mentions get a card (the first ones, in document order), so
        that a review of a large corpus stays a page a browser opens.
    serve_token
        For a page served by :class:`geomap.review.server.ReviewServer`: its token; the page
        then also has a "Save" button that writes the decisions file through the server.
    """
    if scope not in SCOPES:
        raise ValueError(f"scope must be one of {', '.join(SCOPES)}, not {scope!r}")
    if decisions_text is None:
        decisions_text = merge_decisions(None, []).text
    entries, tail, new_places = decision_lines(decisions_text)
    places: dict[str, dict] = {}
    outlines: dict[str, Any] = {}

    def place_ref(place: Place | None) -> str | None:
        if place is None:
            return None
        if place.id not in places:
            shape = area_outline(place, gazetteer)
            if shape is not None:
                outlines[place.id] = shape
            places[place.id] = {
                "name": place.name, "kind": place.kind.value, "lat": place.lat, "lon": place.lon,
                "desc": place.describe(), "colour": KIND_COLOURS.get(place.kind, "#000000"),
                "geometry": None,
            }
        return place.id

    for place in new_places:
        place_ref(place)
    applied: dict[str, str] = {}  # the decisions applied to the review (also when no file text is given)
    for a in review.applied.applied:
        d = a.decision
        applied[entry_key(d.name, d.document, d.offset)] = (
            NOT_A_PLACE if a.after is None else place_ref(a.after.place) or NOT_A_PLACE)
    items = list(review.items)
    left_out = 0
    if all_mentions:
        listed = {i.key for i in items}
        extra = [ReviewItem(doc, pm, ()) for doc in review.original for pm in doc.mentions
                 if (doc.id, pm.mention.start) not in listed]
        left_out = max(0, len(extra) - max_unflagged)
        extra = extra[:max_unflagged]
        order = {doc.id: n for n, doc in enumerate(review.original)}
        items = sorted(items + extra, key=lambda i: (order.get(i.document.id, 0), i.mention.mention.start))
    cards: list[str] = []
    map_items: list[dict] = []
    doc_ids: list[str] = []
    for index, item in enumerate(items):
        if item.document.id not in doc_ids:
            doc_ids.append(item.document.id)
        final = item.final
        chosen_place = final.place if final is not None else None
        resolution = item.mention.resolution
        offered = [c.place for c in resolution.candidates[:max_candidates]]
        alternatives = [p for p in offered if chosen_place is None or p.id != chosen_place.id]
        if item.decision is not None and item.mention.place is not None and item.mention.place not in alternatives \
                and (chosen_place is None or item.mention.place.id != chosen_place.id):
            alternatives.insert(0, item.mention.place)
        mention = item.mention.mention
        map_items.append({
            "chosen": place_ref(chosen_place),
            "alternatives": [place_ref(p) for p in alternatives],
            "label": mention.surface,
            "name": mention.name,
            "doc": item.document.id,
            "offset": mention.start,
            "hint": mention.hint.value if mention.hint is not None else None,
            "geomap": place_ref(item.mention.place),
            "offered": [place_ref(p) for p in offered],
            "keys": _mention_keys(item),
            "flagged": bool(item.flags) or item.decided,
        })
        cards.append(_card(index, item, max_candidates, escape, scope))

    # Across the antimeridian every place and outline is drawn within half a turn of the first
    # view's middle, as on the main map (Apia, -172, at 188 beside Fiji); other pages keep theirs.
    view = overview_bounds(items, gazetteer=gazetteer)
    centre = (view.west + view.east) / 2.0 if view is not None and view.crosses_antimeridian else None
    if centre is not None:
        for record in places.values():
            record["lon"] = round(unwrap(record["lon"], centre), 5)
    if outlines:
        from shapely.geometry import mapping

        for pid, shape in outlines.items():
            places[pid]["geometry"] = mapping(turned(shape, centre))

    flags = [f.value for f in Flag] + ["decided"]
    counts = review.counts()
    data = {
        "places": places, "items": map_items, "tiles": _tile_layer(tiles), "attribution": ATTRIBUTION,
        "view": view.leaflet() if view is not None else None, "across": centre is not None,
        "decisions": {"text": decisions_text, "name": decisions_name, "tail": tail, "applied": applied,
                      "entries": [{"key": e.key, "start": e.start, "end": e.end, "indent": e.indent,
                                   "choice": e.choice} for e in entries]},
        "areas": sorted(k.value for k in REGION_KINDS), "notAPlace": NOT_A_PLACE,
        "serve": {"token": serve_token} if serve_token else None,
    }
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
    names = sorted({(p["desc"], pid) for pid, p in places.items()})
    datalist = "".join(f'<option value="{escape(desc)}"></option>' for desc, _ in names)
    unflagged = sum(1 for i in items if not i.flags and not i.decided)
    more = f" (the first {unflagged}; {left_out} more not listed)" if left_out else ""
    page = _PAGE.format(
        title=escape(title),
        leaflet_css=_LEAFLET_CSS,
        leaflet_js=_LEAFLET_JS,
        summary=escape(f"{len(review.open_items)} of {total} mentions flagged{share} in "
                       f"{len(review.original)} document(s); {counts['decided'][0]} decided"),
        doc_options=doc_options,
        flag_boxes=flag_boxes,
        show_all=(f'<label title="every mention, flagged or not"><input type="checkbox" id="show-all"> show every '
                  f'mention <span class="count">{unflagged}</span> more{more}</label>') if all_mentions else "",
        stale=stale,
        cards="\n".join(cards) or '<p class="empty">No mentions: nothing to review.</p>',
        empty=('<p class="empty" id="nothing-flagged">Nothing to review: geomap was sure of every place. '
               'Switch on "show every mention" to settle one anyway.</p>') if not review.items else "",
        legend=legend,
        datalist=datalist,
        download=escape(decisions_name),
        data=script_json(data),
        script=_template("review.js"),
        css=_template("review.css"),
    )
    return inline_html(page)


def _card(index: int, item: ReviewItem, max_candidates: int, escape, scope: str) -> str:
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
    reasons = " ".join(item.reasons) or "unflagged"
    return (
        f'<article class="item" id="item-{index}" data-index="{index}" data-doc="{escape(item.document.id)}" '
        f'data-reasons="{reasons}" data-flagged="{int(bool(item.reasons))}" tabindex="0">'
        f'<header><span class="where">{escape(item.document.id)}@{mention.start}{title}</span> '
        f'<b class="surface">{escape(mention.surface)}</b> {badges}</header>'
        f'<p class="excerpt">{escape(excerpt.before)}<mark>{escape(excerpt.match)}</mark>{escape(excerpt.after)}</p>'
        f'<div class="answer">{answer}</div>{decided}{table}'
        f'{_form(index, item, max_candidates, escape, scope)}</article>'
    )


def _form(index: int, item: ReviewItem, max_candidates: int, escape, scope: str) -> str:
    """The controls that settle the mention (wired up by review.js)."""
    mention = item.mention.mention
    name = escape(mention.name)
    options = []
    for n, c in enumerate(item.mention.resolution.candidates[:max_candidates]):
        options.append(f'<label><input type="radio" name="choice-{index}" value="{escape(c.place.id)}"> '
                       f'{escape(c.place.describe())}</label>')
    options.append(f'<label><input type="radio" name="choice-{index}" value="{NOT_A_PLACE}"> not a place</label>')
    options.append(f'<label><input type="radio" name="choice-{index}" value=""> undecided</label>')
    scopes = {"everywhere": f"every “{name}”", "document": f"“{name}” in {escape(item.document.id)}",
              "mention": "this mention only"}
    scope_options = "".join(f'<option value="{s}"{" selected" if s == scope else ""}>{text}</option>'
                            for s, text in scopes.items())
    return (
        f'<fieldset class="decide" data-index="{index}"><legend>Decide “{escape(mention.surface)}”</legend>'
        f'<div class="choices">{"".join(options)}</div>'
        f'<label class="other">or a place by name <input type="text" class="decide-other" list="place-names" '
        f'autocomplete="off" placeholder="type a name"></label> '
        f'<label class="scope">applies to <select class="decide-scope">{scope_options}</select></label>'
        f'<div class="decide-status" role="status" aria-live="polite"></div></fieldset>'
    )


def _kind_where(place: Place) -> str:
    where = ", ".join(x for x in (place.kind.value, place.country_code,
                                  place.admin1 if place.admin1 != place.name else None) if x)
    return f"({where})"


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
<div class="summary">{summary}; showing <span id="shown">0</span>
<button type="button" id="download" title="save the decisions YAML to use with --decisions">Download decisions
file <span class="count" id="decision-count">0</span></button> <span class="hint">as {download}</span>
<button type="button" id="save" hidden title="write the decisions file through geomap review --serve">Save
{download}</button> <span id="save-status" role="status" aria-live="polite"></span></div>
<div class="filters">
<label>document <select id="filter-doc"><option value="">all documents</option>{doc_options}</select></label>
{flag_boxes}
{show_all}
</div>
<div class="legend">{legend} <span class="legend-kind"><span class="alt"></span> alternative (dashed)</span>
Click a mention to draw its places; pick the right one (or "not a place") and download the decisions file.</div>
</header>
<main>
<section id="list" aria-label="mentions">
{stale}
{empty}
{cards}
</section>
<div id="map"></div>
</main>
<datalist id="place-names">{datalist}</datalist>
<script type="application/json" id="review-data">{data}</script>
<script>{script}</script>
</body>
</html>
"""
