"""The review: which mentions are flagged and why, the terminal summary, the review page's
markup (hostile article text escaped), and the calibration measure the flags are tuned on.

The browser behaviour of the page is in ``test_browser_review.py``.
"""

from __future__ import annotations

import html
import json
import re

import pytest

from gazetteer import Candidate, PlaceKind, Resolution, Toponym
from geomap.cli import main
from geomap.review.decisions import parse_decisions
from geomap.evaluation import (
    GoldDocument,
    GoldToponym,
    Predicted,
    calibration,
    kind_aware_calibration,
)
from geomap.model import Document, Mention, PlaceMention
from documents import pacific_document
from geomap.review.page import overview_bounds, review_html
from geomap.review.report import Flag, FlagRule, build_review, flags_for, format_summary, is_flagged

HOSTILE = ('<script>window.__pwned=1</script> "><img src=x onerror="window.__pwned=1"> '
           '</script><!-- `${alert(1)}` \u2028 &amp;')


def mention(name: str, start: int = 0, *, surface: str | None = None, hint: PlaceKind | None = None,
            sentence: tuple[int, int] = (0, 0)) -> Mention:
    surface = surface or name
    return Mention(start, start + len(surface), surface, name, hint=hint, sentence=sentence)


def resolved(gazetteer, name: str, scores: dict[str, float], *, start: int = 0, fuzzy: bool = False,
             surface: str | None = None, sentence: tuple[int, int] = (0, 0)) -> PlaceMention:
    """A mention resolved to the first id of ``scores`` (ids of the tiny gazetteer)."""
    candidates = tuple(Candidate(gazetteer.get(pid), score, (f"test score {score}",))
                       for pid, score in scores.items())
    best = candidates[0]
    resolution = Resolution(Toponym(name, position=start), best.place, best.score, candidates=candidates,
                            fuzzy=fuzzy)
    return PlaceMention(mention(name, start, surface=surface, sentence=sentence), resolution)


def unresolved(name: str, start: int = 0) -> PlaceMention:
    return PlaceMention(mention(name, start), Resolution.unresolved(Toponym(name, position=start)))


# -- the flagging rule --------------------------------------------------------------------------


def test_flags_follow_confidence_margin_origin_and_resolution(tiny_gazetteer):
    clear = resolved(tiny_gazetteer, "Kherson", {"t:kherson": 0.9, "t:kherson-oblast": 0.1})
    tie = resolved(tiny_gazetteer, "Kherson", {"t:kherson": 0.505, "t:kherson-oblast": 0.495})
    spread = resolved(tiny_gazetteer, "Paris", {"t:paris": 0.22, "t:paris-tx": 0.21, "t:kyiv": 0.20,
                                                 "t:kharkiv": 0.19, "t:mariupol": 0.18})
    fuzzy = resolved(tiny_gazetteer, "Kharkov", {"t:kharkiv": 1.0}, fuzzy=True)
    lonely = resolved(tiny_gazetteer, "Kyiv", {"t:kyiv": 0.2})  # no runner-up: not ambiguous
    assert flags_for(clear) == ()
    assert flags_for(tie) == (Flag.AMBIGUOUS,)
    assert flags_for(spread) == (Flag.AMBIGUOUS, Flag.LOW_CONFIDENCE)
    assert flags_for(fuzzy) == (Flag.FUZZY,)
    assert flags_for(lonely) == (Flag.LOW_CONFIDENCE,)
    assert flags_for(unresolved("Atlantis")) == (Flag.UNRESOLVED,)
    assert flags_for(fuzzy, rule=FlagRule(fuzzy=False)) == ()
    assert flags_for(clear, rule=FlagRule(margin=0.9)) == (Flag.AMBIGUOUS,)
    assert flags_for(clear, rule=FlagRule(min_confidence=0.95)) == (Flag.LOW_CONFIDENCE,)
    assert is_flagged(tie) and not is_flagged(clear)


def test_spelling_key_matches_are_flagged_fuzzy(tiny_gazetteer):
    """A name that matches only through the phonetic spelling key is fuzzy even when the
    resolver did not mark it (found through the gazetteer's own lookup)."""
    from gazetteer import MatchOrigin

    origins = {m.origin for m in tiny_gazetteer.lookup("Mariupool") if m.place.id == "t:mariupol"}
    assert origins == {MatchOrigin.SPELLING}
    pm = resolved(tiny_gazetteer, "Mariupool", {"t:mariupol": 1.0})
    assert flags_for(pm) == ()  # without the gazetteer only the resolver's mark counts
    assert flags_for(pm, gazetteer=tiny_gazetteer) == (Flag.FUZZY,)
    exact = resolved(tiny_gazetteer, "Mariupol", {"t:mariupol": 1.0})
    assert flags_for(exact, gazetteer=tiny_gazetteer) == ()
    # a listed transliteration variant ("Kharkov") is a known spelling, not a fuzzy one
    variant = resolved(tiny_gazetteer, "Kharkov", {"t:kharkiv": 1.0})
    assert flags_for(variant, gazetteer=tiny_gazetteer) == ()


@pytest.mark.parametrize("bad", [{"margin": -0.1}, {"min_confidence": 1.5}])
def test_flag_rule_thresholds_are_fractions(bad):
    with pytest.raises(ValueError, match="between 0 and 1"):
        FlagRule(**bad)


# -- building the review and its summary --------------------------------------------------------


@pytest.fixture()
def documents(tiny_gazetteer):
    text_a = "Kherson was shelled. Kyiv sent aid. Atlantis was mentioned. Kherson again."
    a = Document("a", text_a, (
        resolved(tiny_gazetteer, "Kherson", {"t:kherson": 0.505, "t:kherson-oblast": 0.495}, start=0),
        resolved(tiny_gazetteer, "Kyiv", {"t:kyiv": 1.0}, start=21),
        unresolved("Atlantis", 36),
        resolved(tiny_gazetteer, "Kherson", {"t:kherson": 0.505, "t:kherson-oblast": 0.495}, start=60),
    ))
    text_b = "Paris, maybe. Kharkov too."
    b = Document("b", text_b, (
        resolved(tiny_gazetteer, "Paris", {"t:paris": 0.24, "t:paris-tx": 0.2, "t:kyiv": 0.19, "t:kharkiv": 0.19,
                                           "t:mariupol": 0.18}, start=0),
        resolved(tiny_gazetteer, "Kharkov", {"t:kharkiv": 1.0}, start=14, fuzzy=True),
    ))
    return [a, b]


def test_build_review_lists_flagged_mentions_with_reasons(documents, tiny_gazetteer):
    review = build_review(documents, gazetteer=tiny_gazetteer)
    listed = [(i.document.id, i.mention.mention.start, i.reasons) for i in review.items]
    assert listed == [("a", 0, ("ambiguous",)), ("a", 36, ("unresolved",)), ("a", 60, ("ambiguous",)),
                      ("b", 0, ("low-confidence",)), ("b", 14, ("fuzzy",))]
    assert review.total_mentions == 6
    assert review.counts()["ambiguous"] == (2, 1)  # 2 mentions, 1 distinct name
    assert review.counts()["low-confidence"] == (1, 1)
    assert review.counts()["decided"] == (0, 0)
    assert [i.mention.mention.name for i in review.worst(2)] == ["Atlantis", "Paris"]
    assert review.documents == tuple(documents)


def test_summary_has_counts_worst_cases_and_decisions(documents, tiny_gazetteer):
    decisions = parse_decisions("decisions:\n  - name: Atlantis\n    choice: not-a-place\n"
                                "  - name: Odesa\n    choice: t:kyiv\n", source="d.yaml", gazetteer=tiny_gazetteer)
    review = build_review(documents, gazetteer=tiny_gazetteer, decisions=decisions)
    text = format_summary(review)
    lines = text.splitlines()
    assert lines[0] == "review: 4 of 6 mentions flagged (67%) in 2 document(s); 1 settled by decisions"
    table = {line.split()[0]: line.split()[1:3] for line in lines[2:8] if line.strip()}
    assert table["ambiguous"] == ["2", "1"] and table["low-confidence"] == ["1", "1"]
    assert table["fuzzy"] == ["1", "1"] and table["decided"] == ["1", "1"]
    assert "unresolved" not in table  # settled
    assert "least certain (4 of 4)" in text
    assert re.search(r"b@0 +Paris +Paris \(city, FR\) 0\.24 +Paris \(city, US, Texas\) 0\.20", text)
    assert "stale decisions (1)" in text and "d.yaml:5: stale decision for 'Odesa'" in text
    assert [pm.mention.name for pm in review.documents[0].mentions] == ["Kherson", "Kyiv", "Kherson"]


def test_review_page_escapes_hostile_text(tiny_gazetteer):
    text = f"{HOSTILE} Kherson burned. {HOSTILE}"
    start = text.index("Kherson")
    doc = Document("<b>doc</b>\"'", text, (
        resolved(tiny_gazetteer, "Kherson", {"t:kherson": 0.5, "t:kherson-oblast": 0.5}, start=start,
                 sentence=(0, len(text))),
    ), title=HOSTILE)
    review = build_review([doc], gazetteer=tiny_gazetteer)
    page = review_html(review, gazetteer=tiny_gazetteer, tiles=None, title=HOSTILE)
    assert "<script>window.__pwned" not in page
    assert "<img src=x" not in page
    assert "onerror=\"window" not in page
    assert "<b>doc</b>" not in page
    assert "&lt;script&gt;window.__pwned=1&lt;/script&gt;" in page
    # the embedded data cannot close its <script> element
    [data] = re.findall(r'<script type="application/json" id="review-data">(.*?)</script>', page, re.S)
    assert "<" not in data and json.loads(data)["items"][0]["label"] == "Kherson"
    # exactly the page's own scripts: Leaflet and its icon fix (inlined), the data, the page script
    assert re.findall(r"<script\b[^>]*>", page) == [
        '<script data-geomap-asset="leaflet/leaflet.js">', '<script data-geomap-asset="leaflet-default-icon">',
        '<script type="application/json" id="review-data">', "<script>"]
    # the excerpt keeps the text around the mention, escaped
    [excerpt] = re.findall(r'<p class="excerpt">(.*?)</p>', page, re.S)
    assert "<" not in excerpt.replace("<mark>", "").replace("</mark>", "")
    assert html.unescape(excerpt.replace("<mark>", "").replace("</mark>", "")) == text


def test_review_page_lists_candidates_regions_and_filters(documents, tiny_gazetteer):
    review = build_review(documents, gazetteer=tiny_gazetteer)
    everything = review_html(review, gazetteer=tiny_gazetteer, tiles=None)
    # by default every other mention has a card too, shown by the "show every mention" switch
    assert 'id="show-all"' in everything
    unflagged = len(re.findall(r'data-reasons="unflagged" data-flagged="0"', everything))
    assert unflagged >= 1
    capped = review_html(review, gazetteer=tiny_gazetteer, tiles=None, max_unflagged=unflagged - 1)
    assert len(re.findall(r'data-reasons="unflagged"', capped)) == unflagged - 1
    assert f"(the first {unflagged - 1}; 1 more not listed)" in capped
    page = review_html(review, gazetteer=tiny_gazetteer, tiles=None, all_mentions=False)
    assert '<input type="checkbox" id="show-all">' not in page and 'data-reasons="unflagged"' not in page
    [data] = re.findall(r'<script type="application/json" id="review-data">(.*?)</script>', page, re.S)
    data = json.loads(data)
    first = data["items"][0]
    assert first["chosen"] == "t:kherson" and first["alternatives"] == ["t:kherson-oblast"]
    assert data["places"]["t:kherson-oblast"]["geometry"]["type"] == "Polygon"  # drawn as an outline
    assert data["places"]["t:kherson"]["geometry"] is None
    assert data["items"][1]["chosen"] is None  # unresolved
    # the page opens on the box around the listed places as they are (Kherson's oblast outline
    # included); nothing crosses the antimeridian, so no longitude moves
    kherson = tiny_gazetteer.get("t:kherson")
    assert data["across"] is False and data["places"]["t:kherson"]["lon"] == kherson.lon
    assert data["view"] == overview_bounds(review.items, gazetteer=tiny_gazetteer).leaflet()
    assert re.findall(r'data-doc="(\w+)"', page) == ["a", "a", "a", "b", "b"]
    assert '<option value="a">a</option><option value="b">b</option>' in page
    for flag in ("unresolved", "ambiguous", "low-confidence", "fuzzy", "decided"):
        assert f'class="filter-flag" value="{flag}"' in page
    assert "Kherson Oblast (admin1, UA)" in page and "test score 0.49" in page
    # Leaflet is inlined and there are no tiles: no element loads anything from elsewhere
    assert not re.search(r'<(script|link|img)\b[^>]*(src|href)=', page)


def test_review_page_across_the_antimeridian_opens_on_its_places_drawn_side_by_side():
    review = build_review([pacific_document()])
    box = overview_bounds(review.items)
    # Suva (178.44 E) to Apia (171.77 W): ten degrees across 180, not the 350 between them westward
    assert box.crosses_antimeridian and (box.west, box.east) == (pytest.approx(178.44), pytest.approx(188.23))
    [data] = re.findall(r'<script type="application/json" id="review-data">(.*?)</script>',
                        review_html(review, tiles=None), re.S)
    data = json.loads(data)
    assert data["view"] == [[-18.14, 178.44], [-13.83, 188.23]] and data["across"] is True
    lons = {pid: p["lon"] for pid, p in data["places"].items()}
    # every place drawn within half a turn of the box's middle: Apia beside Fiji, the Colombian
    # namesake (an alternative, off the first view) one world further east
    assert lons == {"t:suva": 178.44, "t:apia": 188.23, "t:apia-co": 284.03}


# -- calibration ----------------------------------------------------------------------------------


def test_kind_aware_calibration_counts_wrong_kinds():
    doc = GoldDocument("d", "Kherson and Paris and Kyiv", (
        GoldToponym(0, 7, "Kherson", 46.64, 32.61, "city"),
        GoldToponym(12, 17, "Paris", 48.85, 2.35, "city"),
        GoldToponym(22, 26, "Kyiv", 50.45, 30.52),
    ))
    predicted = {"d": [
        Predicted(0, 7, "Kherson", 46.70, 33.58, "admin1", flagged=True),   # right place, wrong kind
        Predicted(12, 17, "Paris", 33.66, -95.56, "city", flagged=False),   # wrong place
        Predicted(22, 26, "Kyiv", 50.45, 30.52, "city", flagged=False),     # right
        Predicted(27, 30, "Nowhere", None, None, None, flagged=True),       # matches no gold
    ]}
    kinds = kind_aware_calibration([doc], predicted)
    plain = calibration([doc], predicted)
    assert (kinds.predictions, kinds.flagged, kinds.flagged_share) == (4, 2, 0.5)
    assert (kinds.flagged_pairs, kinds.flagged_wrong, kinds.unflagged_pairs, kinds.unflagged_wrong) == (1, 1, 2, 1)
    assert kinds.error_ratio == 2.0
    assert (plain.flagged_wrong, plain.unflagged_wrong) == (0, 1)  # distance only: the oblast is "right"


# -- the command ----------------------------------------------------------------------------------


def run(capsys, *argv):
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.model
def test_review_command_prints_a_summary_and_writes_both_files(capsys, tmp_path, tiny_gazetteer_path):
    article = tmp_path / "hostile.txt"
    article.write_text(f"Shelling near Kherson\n\nArtillery hit Kherson overnight. {HOSTILE}\n"
                       "Officials in Kharkiv said Paris had called.\n", encoding="utf-8")
    page, decisions = tmp_path / "out" / "r.html", tmp_path / "out" / "d.yaml"
    code, out, err = run(capsys, "review", article, "--gazetteer", tiny_gazetteer_path, "-o", page,
                         "--decisions", decisions, "--tiles", "none", "--margin", "1")
    assert code == 0, err
    lines = out.splitlines()
    assert re.fullmatch(r"review: \d+ of \d+ mentions flagged \(\d+%\) in 1 document\(s\)", lines[0])
    assert any(line.split()[:1] == ["ambiguous"] for line in lines)
    assert any("least certain" in line for line in lines)
    assert lines[-2:] == [str(page), str(decisions)]
    text = page.read_text("utf-8")
    assert "<script>window.__pwned" not in text and "&lt;script&gt;window.__pwned" in text
    assert "- name: Kherson" in decisions.read_text("utf-8")
    assert "name(s) added" in err

    # --scope mention: new entries name the document and the offset
    scoped = tmp_path / "out" / "scoped.yaml"
    code, out, err = run(capsys, "review", article, "--gazetteer", tiny_gazetteer_path, "-o", page,
                         "--decisions", scoped, "--tiles", "none", "--margin", "1", "--scope", "mention")
    assert code == 0, err
    entries = parse_decisions(scoped.read_text("utf-8")).entries
    assert entries and all(e.scope == "mention" and e.document == "hostile" for e in entries)

    # the default, calibrated thresholds
    code, out, err = run(capsys, "review", article, "--gazetteer", tiny_gazetteer_path, "--tiles", "none",
                         "-o", tmp_path / "out" / "default.html", "--decisions", tmp_path / "out" / "default.yaml")
    assert code == 0, err
    assert out.splitlines()[0].startswith("review: ")


def test_review_of_a_missing_input_is_a_one_line_error(capsys, tmp_path, tiny_gazetteer_path):
    code, out, err = run(capsys, "review", tmp_path / "nope.txt", "--gazetteer", tiny_gazetteer_path,
                         "-o", tmp_path / "r.html")
    assert code == 2 and len(err.splitlines()) == 1 and "does not exist" in err
    assert not (tmp_path / "r.html").exists()
