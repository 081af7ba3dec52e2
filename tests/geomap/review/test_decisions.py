"""Decisions files: reading and validating them, applying pins, suppressions and new places,
stale decisions, merging without losing the user's edits, and the CLI round trip of issue 6.

Unit tests build documents with the tiny gazetteer's resolver and no spaCy model; the CLI
tests (marked ``model``) run the real extractor on small articles written for these tests.
"""

from __future__ import annotations

import json
import logging
import re
from pathlib import Path

import pytest

from gazetteer import PlaceKind, Resolver, ResolverOptions, Toponym
from geomap.outputs import export
from geomap.cli import main
from geomap.review.decisions import (
    NOT_A_PLACE,
    NewPlace,
    apply_decisions,
    load_decisions,
    merge_decisions,
    parse_decisions,
)
from geomap.errors import DecisionError
from geomap.model import Document, Mention, PlaceMention
from geomap.review.report import FlagRule, build_review
from geomap.text import sentence_around, sentence_bounds

# -- helpers ------------------------------------------------------------------------------------


def make_document(gazetteer, doc_id: str, text: str, spans, *, options: ResolverOptions | None = None) -> Document:
    """A document whose mentions are the given ``(surface, name, hint)`` spans, found in text
    order and resolved by the gazetteer's resolver (no spaCy model)."""
    bounds = sentence_bounds(text)
    found = []
    for surface, name, hint in spans:
        for m in re.finditer(re.escape(surface), text):
            found.append(Mention(m.start(), m.end(), surface, name, hint=hint,
                                 sentence=sentence_around(bounds, m.start(), m.end())))
    found.sort(key=lambda m: m.start)
    toponyms = [Toponym(m.name, m.hint, m.start, m.container) for m in found]
    resolutions = Resolver(gazetteer, options).resolve_all(toponyms)
    return Document(doc_id, text, tuple(PlaceMention(m, r) for m, r in zip(found, resolutions)))


KHERSON = ("Kherson", "Kherson", None)
KHERSON_REGION = ("Kherson region", "Kherson", PlaceKind.ADMIN1)


@pytest.fixture()
def docs(tiny_gazetteer):
    one = make_document(tiny_gazetteer, "one", "Shells fell on Kherson at dawn. Later Kherson was quiet. "
                        "Aid left Kyiv for the south.", [KHERSON, ("Kyiv", "Kyiv", None)])
    two = make_document(tiny_gazetteer, "two", "Farmers near Kherson lost their harvest. "
                        "Paris sent money.", [KHERSON, ("Paris", "Paris", None)])
    return [one, two]


def ids(doc: Document, name: str) -> list[str | None]:
    return [pm.place.id if pm.place else None for pm in doc.mentions if pm.mention.name == name]


def other_candidate(pm: PlaceMention) -> str:
    """A candidate geomap did NOT choose, so that a pin to it visibly changes the answer."""
    return next(c.place.id for c in pm.resolution.candidates if c.place.id != pm.place.id)


# -- reading and validating ---------------------------------------------------------------------


def test_parse_scopes_choices_and_lines(tiny_gazetteer):
    text = """\
# my decisions
version: 1
decisions:
  - name: Kherson
    choice: t:kherson-oblast   # the region, not the city
  - name: Kherson
    document: report
    choice: t:kherson
  - name: Paris
    document: report
    offset: 120
    choice: not a place
  - name: Chornobaivka
    choice: {name: Chornobaivka, lat: 46.69, lon: 32.55, kind: city, country_code: ua}
  - name: Izium
    choice:
"""
    decisions = parse_decisions(text, source="dir/decisions.yaml", gazetteer=tiny_gazetteer)
    scopes = [(d.name, d.scope, d.line) for d in decisions.entries]
    assert scopes == [("Kherson", "everywhere", 5), ("Kherson", "document", 8), ("Paris", "mention", 12),
                      ("Chornobaivka", "everywhere", 14), ("Izium", "everywhere", 16)]
    choices = [d.choice for d in decisions.entries]
    assert choices[:3] == ["t:kherson-oblast", "t:kherson", NOT_A_PLACE]
    assert choices[3] == NewPlace("Chornobaivka", PlaceKind.CITY, 46.69, 32.55, "UA")
    assert choices[4] is None and decisions.entries[4].pending
    assert len(decisions.active) == 4
    assert decisions.entries[0].label == "decisions.yaml:5"


@pytest.mark.parametrize(
    ("body", "line", "needle"),
    [
        ("  - name: Kherson\n    choice: t:atlantis\n", 4, "unknown place id 't:atlantis'"),
        ("  - name: Kherson\n    choice: Kherson city\n", 4, "is not a place id"),
        ("  - choice: t:kherson\n", 3, "needs `name:`"),
        ("  - name: Kherson\n    offset: 12\n    choice: t:kherson\n", 4, "`offset` needs `document`"),
        ("  - name: Kherson\n    choise: t:kherson\n", 4, "unknown key 'choise'"),
        ("  - name: X\n    choice: {lat: 95, lon: 10, kind: city}\n", 4, "lat 95 is out of range"),
        ("  - name: X\n    choice: {lat: 45, lon: 10, kind: village}\n", 4, "needs `kind`"),
        ("  - name: X\n    choice: {lat: 45, kind: city}\n", 4, "needs `lon`"),
        ("  - name: Kherson\n    choice: t:kherson\n  - name: kherson\n    choice: t:kherson-oblast\n", 6,
         "decided twice (also at line 4)"),
        ("  - name: Kherson\n   choice: t:kherson\n", 4, "not valid YAML"),
    ],
)
def test_invalid_entries_name_the_file_and_line(tmp_path, tiny_gazetteer, body, line, needle):
    path = tmp_path / "decisions.yaml"
    path.write_text("version: 1\ndecisions:\n" + body, encoding="utf-8")
    with pytest.raises(DecisionError) as info:
        load_decisions(path, gazetteer=tiny_gazetteer)
    message = str(info.value)
    assert "\n" not in message
    assert message.startswith(f"{path}:{line}: "), message
    assert needle in message


def test_missing_file_and_wrong_top_level(tmp_path):
    with pytest.raises(DecisionError, match="does not exist: run `geomap review"):
        load_decisions(tmp_path / "nope.yaml")
    with pytest.raises(DecisionError, match=r"x.yaml:1: expected a mapping"):
        parse_decisions("- a\n- b\n", source="x.yaml")
    with pytest.raises(DecisionError, match=r"x.yaml:2: unknown key 'choices'"):
        parse_decisions("version: 1\nchoices: []\n", source="x.yaml")
    with pytest.raises(DecisionError, match="unsupported version 2"):
        parse_decisions("version: 2\ndecisions: []\n", source="x.yaml")
    assert len(parse_decisions("", source="x.yaml")) == 0


# -- applying -----------------------------------------------------------------------------------


def test_pin_everywhere_changes_every_mention_in_every_document(docs, tiny_gazetteer):
    first = docs[0].mentions[0]
    target = other_candidate(first)
    decisions = parse_decisions(f"decisions:\n  - name: Kherson\n    choice: {target}\n", source="d.yaml")
    applied = apply_decisions(docs, decisions, tiny_gazetteer)
    assert ids(applied.documents[0], "Kherson") == [target, target]
    assert ids(applied.documents[1], "Kherson") == [target]
    assert ids(applied.documents[0], "Kyiv") == ids(docs[0], "Kyiv")  # other names untouched
    pinned = applied.documents[0].mentions[0].resolution
    assert pinned.confidence == 1.0 and not pinned.ambiguous
    assert pinned.candidates[0].reasons == ("pinned by d.yaml:3",)
    assert {c.place.id for c in pinned.candidates} == {c.place.id for c in first.resolution.candidates}
    assert len(applied.applied) == 3 and not applied.stale


def test_pin_within_one_document(docs, tiny_gazetteer):
    target = other_candidate(docs[1].mentions[0])
    decisions = parse_decisions(f"decisions:\n  - name: Kherson\n    document: two\n    choice: {target}\n")
    applied = apply_decisions(docs, decisions, tiny_gazetteer)
    assert ids(applied.documents[1], "Kherson") == [target]
    assert ids(applied.documents[0], "Kherson") == ids(docs[0], "Kherson")
    assert applied.documents[0] is docs[0]


def test_pin_one_mention_and_most_specific_wins(docs, tiny_gazetteer):
    chosen = docs[0].mentions[0].place.id
    target = other_candidate(docs[0].mentions[0])
    second = docs[0].mentions[1].mention.start
    text = (f"decisions:\n  - name: Kherson\n    choice: {target}\n"
            f"  - name: Kherson\n    document: one\n    offset: {second}\n    choice: {chosen}\n")
    applied = apply_decisions(docs, parse_decisions(text), tiny_gazetteer)
    assert ids(applied.documents[0], "Kherson") == [target, chosen]
    assert ids(applied.documents[1], "Kherson") == [target]
    by_mention = applied.decided()[("one", second)]
    assert by_mention.decision.scope == "mention"
    assert not applied.stale


def test_name_matches_the_whole_surface_too(tiny_gazetteer):
    doc = make_document(tiny_gazetteer, "r", "Fighting in the Kherson region went on.", [KHERSON_REGION])
    decisions = parse_decisions("decisions:\n  - name: kherson REGION\n    choice: not-a-place\n")
    applied = apply_decisions([doc], decisions, tiny_gazetteer)
    assert applied.documents[0].mentions == ()


def test_not_a_place_is_dropped_from_every_output(docs, tiny_gazetteer):
    decisions = parse_decisions("decisions:\n  - name: Paris\n    choice: not-a-place\n")
    applied = apply_decisions(docs, decisions, tiny_gazetteer)
    two = applied.documents[1]
    assert [pm.mention.name for pm in two.mentions] == ["Kherson"]
    assert [a.after for a in applied.applied] == [None]
    record = json.loads(export.to_jsonl_line(two))
    assert [p["surface"] for p in record["places"]] == ["Kherson"]
    geojson = json.loads(export.to_geojson(applied.documents, gazetteer=tiny_gazetteer))
    assert "Paris" not in {f["properties"]["name"] for f in geojson["features"]}
    assert "Paris" in {f["properties"]["name"] for f in json.loads(export.to_geojson(docs))["features"]}


def test_place_not_in_the_gazetteer_gets_coordinates_and_kind(docs, tiny_gazetteer):
    text = ("decisions:\n  - name: Kyiv\n    choice: {name: Kyiv bunker 7, lat: 50.41, lon: 30.62, "
            "kind: other, country_code: UA}\n")
    applied = apply_decisions(docs, parse_decisions(text), tiny_gazetteer)
    [pm] = [pm for pm in applied.documents[0].mentions if pm.mention.name == "Kyiv"]
    assert pm.place.id.startswith("user:kyiv-bunker-7@")
    assert (pm.place.name, pm.place.kind, pm.place.lat, pm.place.lon) == ("Kyiv bunker 7", PlaceKind.OTHER, 50.41, 30.62)
    record = json.loads(export.to_jsonl_line(applied.documents[0]))
    [kyiv] = [p for p in record["places"] if p["surface"] == "Kyiv"]
    assert (kyiv["kind"], kyiv["lat"], kyiv["lon"], kyiv["country_code"]) == ("other", 50.41, 30.62, "UA")
    geojson = json.loads(export.to_geojson(applied.documents, gazetteer=tiny_gazetteer))
    [feature] = [f for f in geojson["features"] if f["properties"]["name"] == "Kyiv bunker 7"]
    assert feature["geometry"] == {"type": "Point", "coordinates": [30.62, 50.41]}
    assert feature["properties"]["kind"] == "other"


def test_a_qualifier_that_contradicts_a_name_pin_wins(tiny_gazetteer):
    doc = make_document(tiny_gazetteer, "q", "Troops entered the city of Kherson. The Kherson region was calm.",
                        [("city of Kherson", "Kherson", PlaceKind.CITY), KHERSON_REGION])
    decisions = parse_decisions("decisions:\n  - name: Kherson\n    choice: t:kherson-oblast\n")
    applied = apply_decisions([doc], decisions, tiny_gazetteer)
    kinds = [pm.place.kind for pm in applied.documents[0].mentions]
    assert kinds == [PlaceKind.CITY, PlaceKind.ADMIN1]
    assert len(applied.applied) == 1 and not applied.stale


def test_stale_decisions_are_reported_and_logged(docs, tiny_gazetteer, caplog):
    second = docs[0].mentions[1].mention.start
    text = ("decisions:\n"
            "  - name: Odesa\n    choice: t:kyiv\n"                                        # line 3
            "  - name: Paris\n    document: one\n    choice: not-a-place\n"               # line 6
            f"  - name: Kherson\n    document: one\n    offset: {second + 1}\n    choice: t:kherson\n"  # line 10
            "  - name: Kherson\n    document: elsewhere\n    choice: t:kherson\n"         # line 13
            "  - name: Izium\n    choice:\n")                                             # undecided
    with caplog.at_level(logging.WARNING, logger="geomap.review.decisions"):
        applied = apply_decisions(docs, parse_decisions(text, source="d.yaml"), tiny_gazetteer)
    messages = [s.message for s in applied.stale]
    assert messages == [
        "d.yaml:3: stale decision for 'Odesa': the name occurs in none of the 2 document(s)",
        "d.yaml:6: stale decision for 'Paris' in one: the name no longer occurs in one",
        f"d.yaml:10: stale decision for 'Kherson' at one@{second + 1}: no mention starts at offset "
        f"{second + 1} any more; the name now occurs at offset(s) {docs[0].mentions[0].mention.start}, "
        f"{second}: update `offset`",
    ]
    assert [d.line for d in applied.elsewhere] == [13]
    assert [r.getMessage() for r in caplog.records] == messages
    assert applied.documents == tuple(docs) and not applied.applied


def test_a_pin_contradicted_everywhere_is_stale(tiny_gazetteer):
    doc = make_document(tiny_gazetteer, "q", "Troops entered the city of Kherson.",
                        [("city of Kherson", "Kherson", PlaceKind.CITY)])
    applied = apply_decisions([doc], parse_decisions("decisions:\n  - name: Kherson\n    choice: t:kherson-oblast\n"),
                              tiny_gazetteer)
    [stale] = applied.stale
    assert "qualifier contradicts the choice" in stale.message


# -- merging ------------------------------------------------------------------------------------


def test_review_writes_a_commented_file_and_merging_keeps_the_users_edits(docs, tiny_gazetteer):
    rule = FlagRule(margin=1.0)  # every name with a runner-up
    review = build_review(docs, gazetteer=tiny_gazetteer, rule=rule)
    first = merge_decisions(None, review.proposals(), source="d.yaml")
    assert first.text.startswith("# geomap review decisions")
    assert "choice: not-a-place" in first.text  # the how-to comments
    decisions = parse_decisions(first.text, gazetteer=tiny_gazetteer)
    assert [d.name for d in decisions.entries] == ["Kherson", "Paris"] and not decisions.active
    assert "t:kherson-oblast: Kherson Oblast (admin1, UA)" in first.text
    assert "one@" in first.text and "two@" in first.text

    chosen = docs[0].mentions[0].place.id
    target = other_candidate(docs[0].mentions[0])
    edited = re.sub(r"(- name: Kherson\n    choice:)[^\n]*", rf"\1 {target}  # I checked the map\n    note: ask the desk",
                    first.text, count=1)
    edited = edited.replace("decisions:\n", "decisions:\n  # Kherson is the oblast in these reports\n", 1)
    edited += "  - name: Kyiv\n    choice: t:kyiv  # kept though nothing flags it\n"
    applied = parse_decisions(edited, source="d.yaml", gazetteer=tiny_gazetteer)
    review = build_review(docs, gazetteer=tiny_gazetteer, decisions=applied, rule=rule)
    assert {i.mention.mention.name for i in review.items if i.decided} == {"Kherson", "Kyiv"}
    second = merge_decisions(edited, review.proposals(decisions=applied), source="d.yaml")
    assert f"choice: {target}  # I checked the map" in second.text
    assert "note: ask the desk" in second.text
    assert "# Kherson is the oblast in these reports" in second.text
    assert "choice: t:kyiv  # kept though nothing flags it" in second.text
    assert "decided by d.yaml:" in second.text  # the `seen` list says what settled each mention
    assert second.added == 0
    again = parse_decisions(second.text, gazetteer=tiny_gazetteer)
    assert [(d.name, d.choice) for d in again.entries] == [("Kherson", target), ("Paris", None), ("Kyiv", "t:kyiv")]
    assert chosen != target
    # merging the same review again changes nothing
    assert merge_decisions(second.text, review.proposals(decisions=again)).text == second.text


def test_names_and_ids_that_look_like_yaml_survive_the_round_trip():
    from geomap.review.decisions import CandidateNote, Proposal, Sighting

    name, doc = 'Kherson: "#1" - [x] {y} & *z', "doc: #2 'q'"
    proposal = Proposal(name=name, document=doc, candidates=(CandidateNote("t:kherson", "city # not a comment", 0.5),),
                        seen=(Sighting(doc, 5, "Kherson\n: x", "ambiguous"),))
    merged = merge_decisions(None, [proposal])
    [entry] = parse_decisions(merged.text).entries
    assert (entry.name, entry.document, entry.choice) == (name, doc, None)
    assert "city # not a comment · 0.50" in merged.text
    again = merge_decisions(merged.text, [proposal])
    assert again.text == merged.text and (again.added, again.refreshed) == (0, 1)


def test_a_byte_order_mark_is_accepted(tmp_path):
    path = tmp_path / "d.yaml"
    path.write_bytes("\ufeffdecisions:\n  - name: Kyiv\n    choice: not-a-place\n".encode("utf-8"))
    assert load_decisions(path).entries[0].choice == NOT_A_PLACE


def test_merge_refuses_an_invalid_file():
    with pytest.raises(DecisionError, match=r"d.yaml:2: unknown key"):
        merge_decisions("decisions:\n  - nmae: Kherson\n", [], source="d.yaml")


def test_proposals_at_document_and_mention_scope(docs, tiny_gazetteer):
    review = build_review(docs, gazetteer=tiny_gazetteer, rule=FlagRule(margin=1.0))
    by_doc = {(p.name, p.document, p.offset) for p in review.proposals("document")}
    assert ("Kherson", "one", None) in by_doc and ("Kherson", "two", None) in by_doc
    by_mention = {(p.name, p.document, p.offset) for p in review.proposals("mention")}
    starts = [pm.mention.start for pm in docs[0].mentions if pm.mention.name == "Kherson"]
    assert {("Kherson", "one", s) for s in starts} <= by_mention
    with pytest.raises(ValueError, match="scope must be one of"):
        review.proposals("planet")


# -- the command line ---------------------------------------------------------------------------


def run(capsys, *argv):
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


ARTICLE = ("Shelling around Kherson\n\n"
           "Artillery struck Kherson overnight, officials said. Residents of Nova Kakhovka reported "
           "explosions near the dam. Aid convoys from Kyiv reached Kherson by noon.\n")


@pytest.fixture()
def article(tmp_path) -> Path:
    path = tmp_path / "kherson.txt"
    path.write_text(ARTICLE, encoding="utf-8")
    return path


def _kherson_places(jsonl: str) -> set[tuple[str, str]]:
    [record] = [json.loads(line) for line in jsonl.splitlines()]
    return {(p["place_id"], p["kind"]) for p in record["places"] if p["surface"] == "Kherson"}


def _set_choice(path: Path, name: str, choice: str, comment: str) -> None:
    text = path.read_text("utf-8")
    new, count = re.subn(rf"(- name: {name}\n    choice:)[^\n]*", rf"\1 {choice}  # {comment}", text, count=1)
    assert count == 1, text
    path.write_text(new, encoding="utf-8")


@pytest.mark.model
def test_round_trip_flip_kherson_from_city_to_oblast(capsys, tmp_path, article, tiny_gazetteer_path):
    gaz = ["--gazetteer", tiny_gazetteer_path]
    page, decisions = tmp_path / "review.html", tmp_path / "decisions.yaml"
    # 1. review: Kherson (city or oblast?) is listed with both candidates
    code, out, err = run(capsys, "review", article, *gaz, "-o", page, "--decisions", decisions, "--tiles", "none",
                         "--margin", "1")
    assert code == 0, err
    assert "Kherson" in out and str(page) in out and str(decisions) in out
    assert "Kherson" in page.read_text("utf-8")
    text = decisions.read_text("utf-8")
    assert "t:kherson:" in text and "t:kherson-oblast:" in text

    def outputs():
        code, jsonl, err = run(capsys, "places", article, *gaz, "--format", "jsonl", "--decisions", decisions)
        assert code == 0, err
        code, geojson, err = run(capsys, "places", article, *gaz, "--format", "geojson", "--decisions", decisions)
        assert code == 0, err
        html_path = tmp_path / "map.html"
        code, _, err = run(capsys, "map", article, *gaz, "--tiles", "none", "-o", html_path, "--decisions", decisions)
        assert code == 0, err
        features = {f["properties"]["id"]: f for f in json.loads(geojson)["features"]}
        return _kherson_places(jsonl), features, html_path.read_text("utf-8")

    # 2. decide: the city
    _set_choice(decisions, "Kherson", "t:kherson", "the city, checked")
    places, features, html = outputs()
    assert places == {("t:kherson", "city")}
    assert "t:kherson" in features and "t:kherson-oblast" not in features
    assert features["t:kherson"]["geometry"]["type"] == "Point"
    assert "32.6169" in html and "35.3" not in html  # the city's point, not the oblast's outline

    # 3. flip it: the oblast; the map, the JSONL and the GeoJSON all follow
    _set_choice(decisions, "Kherson", "t:kherson-oblast", "no: the oblast")
    places, features, html = outputs()
    assert places == {("t:kherson-oblast", "admin1")}
    assert "t:kherson-oblast" in features and "t:kherson" not in features
    assert features["t:kherson-oblast"]["geometry"]["type"] == "Polygon"
    assert "35.3" in html and "32.6169" not in html

    # 4. review again: the edit and its comment are kept, the mentions are listed as decided
    code, out, err = run(capsys, "review", article, *gaz, "-o", page, "--decisions", decisions, "--tiles", "none",
                         "--margin", "1")
    assert code == 0, err
    kept = decisions.read_text("utf-8")
    assert "choice: t:kherson-oblast  # no: the oblast" in kept
    assert kept.count("- name: Kherson\n") == 1
    assert "decided" in out


@pytest.mark.model
def test_unknown_id_is_a_one_line_error_naming_the_line(capsys, tmp_path, article, tiny_gazetteer_path):
    decisions = tmp_path / "decisions.yaml"
    decisions.write_text("version: 1\ndecisions:\n  - name: Kherson\n    choice: t:atlantis\n", encoding="utf-8")
    before = decisions.read_bytes()
    out_path = tmp_path / "map.html"
    for argv in (["map", "-o", out_path, "--tiles", "none"], ["places", "--format", "jsonl"],
                 ["review", "-o", tmp_path / "r.html", "--tiles", "none"]):
        code, out, err = run(capsys, argv[0], article, "--gazetteer", tiny_gazetteer_path, "--decisions", decisions,
                             *argv[1:])
        assert code == 2
        lines = [line for line in err.splitlines() if line.strip()]
        assert lines == [f"geomap: error: {decisions}:4: unknown place id 't:atlantis': use an id listed under "
                         "`candidates` (or from `geomap gazetteer lookup Kherson`), not-a-place, or a new place "
                         "{name, lat, lon, kind}"], err
        assert out == ""
    assert not out_path.exists() and not (tmp_path / "r.html").exists()
    assert decisions.read_bytes() == before


@pytest.mark.model
def test_stale_decisions_are_in_the_cli_output_once(capsys, tmp_path, article, tiny_gazetteer_path):
    decisions = tmp_path / "decisions.yaml"
    decisions.write_text("version: 1\ndecisions:\n  - name: Odesa\n    choice: t:kyiv\n", encoding="utf-8")
    warning = (f"geomap: warning: decisions.yaml:4: stale decision for 'Odesa': the name occurs in none of the "
               "1 document(s)")
    code, out, err = run(capsys, "places", article, "--gazetteer", tiny_gazetteer_path, "--decisions", decisions)
    assert code == 0
    assert err.splitlines().count(warning) == 1, err
    assert "stale decision" not in out
    code, out, err = run(capsys, "review", article, "--gazetteer", tiny_gazetteer_path, "--decisions", decisions,
                         "-o", tmp_path / "r.html", "--tiles", "none")
    assert code == 0
    assert err.splitlines().count(warning) == 1, err
    assert [line for line in err.splitlines() if "stale" in line] == [warning]
    assert "stale decisions (1)" in out
    assert "decisions.yaml:4: stale decision for 'Odesa'" in out
    assert "stale decision for &#x27;Odesa&#x27;" in (tmp_path / "r.html").read_text("utf-8")


@pytest.mark.model
def test_review_never_overwrites_an_invalid_decisions_file(capsys, tmp_path, article, tiny_gazetteer_path):
    decisions = tmp_path / "decisions.yaml"
    decisions.write_text("version: 1\ndecisions:\n  - name: Kherson\n    choice: [t:kherson\n", encoding="utf-8")
    before = decisions.read_bytes()
    code, out, err = run(capsys, "review", article, "--gazetteer", tiny_gazetteer_path, "--decisions", decisions,
                         "-o", tmp_path / "r.html", "--tiles", "none")
    assert code == 2
    [line] = err.splitlines()
    assert line.startswith(f"geomap: error: {decisions}:") and "not valid YAML" in line
    assert decisions.read_bytes() == before and not (tmp_path / "r.html").exists()


def test_review_page_and_decisions_file_must_differ(capsys, tmp_path, article, tiny_gazetteer_path):
    same = tmp_path / "same.out"
    code, out, err = run(capsys, "review", article, "--gazetteer", tiny_gazetteer_path, "-o", same, "--decisions", same)
    assert code == 2 and "both" in err and len(err.splitlines()) == 1
    assert not same.exists()


# -- bias options -------------------------------------------------------------------------------


BIAS_ARTICLE = "Officials in Izium approved the plan on Monday, and Paris sent money.\n"


@pytest.mark.model
@pytest.mark.parametrize(
    ("options", "expected"),
    [
        ([], ["t:izium-far", "t:paris"]),
        (["--prefer-country", "ua"], ["t:izium", "t:paris"]),
        (["--bbox=22,44,41,53"], ["t:izium", "t:paris"]),
        (["--bbox=-107,25,-93,37"], ["t:izium-far", "t:paris-tx"]),
    ],
)
def test_bias_options_change_the_resolution(capsys, tmp_path, tiny_gazetteer_path, options, expected):
    path = tmp_path / "bias.txt"
    path.write_text(BIAS_ARTICLE, encoding="utf-8")
    code, out, err = run(capsys, "places", path, "--gazetteer", tiny_gazetteer_path, "--format", "jsonl", *options)
    assert code == 0, err
    [record] = [json.loads(line) for line in out.splitlines()]
    assert [p["place_id"] for p in record["places"]] == expected


def test_bias_options_in_the_resolver(tiny_gazetteer):
    plain = Resolver(tiny_gazetteer).resolve(Toponym("Paris"))
    assert plain.place.id == "t:paris"
    texas = Resolver(tiny_gazetteer, ResolverOptions(bbox=(-107, 25, -93, 37))).resolve(Toponym("Paris"))
    assert texas.place.id == "t:paris-tx"
    assert any("outside the bounding box" in r for c in texas.candidates for r in c.reasons)
    assert Resolver(tiny_gazetteer).resolve(Toponym("Izium")).place.id == "t:izium-far"
    ua = Resolver(tiny_gazetteer, ResolverOptions(prefer_country="UA")).resolve(Toponym("Izium"))
    assert ua.place.id == "t:izium"
    assert any("preferred country" in r for r in ua.candidates[0].reasons)


@pytest.mark.parametrize(
    ("argv", "needle"),
    [
        (["--prefer-country", "Ukraine"], "--prefer-country 'Ukraine' must be an ISO 3166 alpha-2 code"),
        (["--bbox", "22,44,41"], "must be W,S,E,N"),
        (["--bbox", "22,54,41,44"], "out of range"),
        (["--margin", "2"], "must be a number between 0 and 1"),
    ],
)
def test_bad_bias_options_are_one_line_usage_errors(capsys, tmp_path, argv, needle):
    command = "review" if argv[0] == "--margin" else "places"
    with pytest.raises(SystemExit) as info:
        main([command, str(tmp_path / "a.txt"), *argv])
    assert info.value.code == 2
    err = capsys.readouterr().err
    assert len(err.splitlines()) == 1 and needle in err


@pytest.mark.model
@pytest.mark.gazetteer
def test_round_trip_with_the_embedded_gazetteer(capsys, tmp_path, real_gazetteer):
    """The same round trip with the real gazetteer: the file lists GeoNames ids with short
    descriptions, and pinning the oblast instead of geomap's choice changes the outputs."""
    article = tmp_path / "flood.txt"
    article.write_text("Flooding in Kherson\n\nWater reached Kherson on Wednesday. Volunteers from Odesa and "
                       "Mykolaiv brought boats to Kherson.\n", encoding="utf-8")
    decisions = tmp_path / "decisions.yaml"
    code, out, err = run(capsys, "review", article, "-o", tmp_path / "r.html", "--decisions", decisions,
                         "--tiles", "none", "--margin", "1")
    assert code == 0, err
    text = decisions.read_text("utf-8")
    city = re.search(r"\n      (gn:\d+): Kherson \(city, UA", text)
    oblast = re.search(r"\n      (gn:\d+): Kherson Oblast \(admin1, UA", text)
    assert city and oblast, text
    code, jsonl, err = run(capsys, "places", article, "--format", "jsonl")
    before = _kherson_places(jsonl)
    target, kind = (oblast.group(1), "admin1") if before == {(city.group(1), "city")} else (city.group(1), "city")
    _set_choice(decisions, "Kherson", target, "checked")
    code, jsonl, err = run(capsys, "places", article, "--format", "jsonl", "--decisions", decisions)
    assert code == 0, err
    assert _kherson_places(jsonl) == {(target, kind)} != before
    code, geojson, err = run(capsys, "places", article, "--format", "geojson", "--decisions", decisions)
    assert target in {f["properties"]["id"] for f in json.loads(geojson)["features"]}
