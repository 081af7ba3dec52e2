"""Deciding on the review page writes the decisions file ``--decisions`` reads, keeping the
user's file as it was around the lines it changes (tiny gazetteer, no model; marked ``browser``)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from documents import picked_document
from geomap.review.decisions import apply_decisions, parse_decisions
from geomap.model import Document
from geomap.review import build_review, review_html
from geomap.review.page import decision_lines, entry_key

#: A hand-edited decisions file: comments, a pending entry, a block-style new place over several
#: lines, an entry without `choice`, a trailing comment.
HAND_EDITED = """\
# my own notes: keep me
version: 1
decisions:
  # Kherson is tricky
  - name: Kherson
    choice:   # undecided: geomap chose t:kherson
    candidates:
      t:kherson: Kherson (city, UA) · 0.50
  - name: Paris
    document: two
    choice:
      name: Paris
      lat: 48.85
      lon: 2.35
      kind: city
    note: a new place written over several lines
  - name: Izium
    note: no choice yet
# the end
"""


@pytest.fixture(scope="module")
def docs(tiny_gazetteer) -> list[Document]:
    one = picked_document(tiny_gazetteer, "one", "Shells fell on Kherson. Izium was quiet.", [
        ("Kherson", {"t:kherson": 0.5, "t:kherson-oblast": 0.5}), ("Izium", {"t:izium-far": 0.6, "t:izium": 0.4})])
    two = picked_document(tiny_gazetteer, "two", "Paris might be any Paris. Mariupool is misspelt. Kherson again.", [
        ("Paris", {"t:paris": 0.6, "t:paris-tx": 0.4}), ("Mariupool", {"t:mariupol": 1.0}),
        ("Kherson", {"t:kherson": 0.9, "t:kherson-oblast": 0.1})])
    return [one, two]


def test_decision_lines_find_each_choice_and_the_end_of_the_list():
    entries, tail, new_places = decision_lines(HAND_EDITED)
    lines = HAND_EDITED.split("\n")
    kherson, paris, izium = entries
    assert kherson.key == entry_key("Kherson", None, None) and kherson.choice is None
    assert lines[kherson.start].strip().startswith("choice:") and kherson.end == kherson.start + 1
    assert kherson.indent == 4
    assert [line.strip() for line in lines[paris.start:paris.end]] == [
        "choice:", "name: Paris", "lat: 48.85", "lon: 2.35", "kind: city"]
    assert paris.choice == new_places[0].id and paris.key == entry_key("Paris", "two", None)
    assert izium.start == izium.end and lines[izium.start - 1].strip() == "- name: Izium"
    assert tail["at"] == len(lines) - 1 and tail["indent"] == 2 and tail["empty"] is None
    empty_entries, empty_tail, _ = decision_lines("# hi\nversion: 1\ndecisions: []\n")
    assert empty_entries == [] and empty_tail["empty"] == 2 and empty_tail["at"] == 3


@pytest.fixture()
def page(browser, tmp_path, docs, tiny_gazetteer) -> Iterator:
    decisions = parse_decisions(HAND_EDITED, source="d.yaml", gazetteer=tiny_gazetteer)
    review = build_review(docs, gazetteer=tiny_gazetteer, decisions=decisions)
    path = tmp_path / "review.html"
    path.write_text(review_html(review, gazetteer=tiny_gazetteer, tiles=None, decisions_text=HAND_EDITED,
                                decisions_name="d.yaml"), "utf-8")
    context = browser.new_context()
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(path.as_uri())
    page.wait_for_function("document.body.dataset.ready === '1'")
    yield page
    assert errors == []
    context.close()


def _index(page, doc: str, surface: str) -> int:
    return page.evaluate("""([doc, surface]) => +Array.from(document.querySelectorAll('article.item'))
      .find(c => c.dataset.doc === doc && c.querySelector('.surface').textContent === surface).dataset.index""",
                         [doc, surface])


@pytest.mark.browser
def test_page_rewrites_only_the_choices_it_settles_and_the_file_applies(page, docs, tiny_gazetteer):
    # without a click the download is the file as it was
    assert page.evaluate("window.geomapReview.decisionsText()") == HAND_EDITED
    choose = "([i, choice, scope]) => window.geomapReview.choose(i, choice, scope)"
    page.evaluate(choose, [_index(page, "one", "Kherson"), "t:kherson-oblast", "everywhere"])
    page.evaluate(choose, [_index(page, "two", "Paris"), "t:paris", "document"])
    page.evaluate(choose, [_index(page, "one", "Izium"), "t:izium", "everywhere"])
    page.evaluate(choose, [_index(page, "two", "Mariupool"), "not-a-place", "mention"])
    # a name-wide choice shows on every card it settles
    assert page.evaluate(f"window.geomapReview.effective({_index(page, 'two', 'Kherson')}).choice") \
        == "t:kherson-oblast"
    text = page.evaluate("window.geomapReview.decisionsText()")
    for kept in ("# my own notes: keep me", "# Kherson is tricky", "note: a new place written over several lines",
                 "note: no choice yet", "# the end", "t:kherson: Kherson (city, UA) · 0.50"):
        assert kept in text
    decisions = parse_decisions(text, source="downloaded.yaml", gazetteer=tiny_gazetteer)
    assert {(d.name, d.document, d.offset, d.choice) for d in decisions.entries} == {
        ("Kherson", None, None, "t:kherson-oblast"), ("Paris", "two", None, "t:paris"),
        ("Izium", None, None, "t:izium"), ("Mariupool", "two", docs[1].text.index("Mariupool"), "not-a-place")}
    applied = apply_decisions(docs, decisions, tiny_gazetteer)
    answers = {(d.id, pm.mention.surface): pm.place.id for d in applied.documents for pm in d.mentions}
    assert answers == {("one", "Kherson"): "t:kherson-oblast", ("one", "Izium"): "t:izium",
                       ("two", "Paris"): "t:paris", ("two", "Kherson"): "t:kherson-oblast"}

    # "undecided" takes a choice back: the entry's choice line is emptied again
    page.evaluate(choose, [_index(page, "one", "Izium"), "", "everywhere"])
    again = parse_decisions(page.evaluate("window.geomapReview.decisionsText()"), gazetteer=tiny_gazetteer)
    assert [d.choice for d in again.entries if d.name == "Izium"] == [None]


@pytest.mark.browser
def test_an_empty_file_gets_its_first_entries(browser, tmp_path, docs, tiny_gazetteer):
    review = build_review(docs, gazetteer=tiny_gazetteer)
    path = tmp_path / "review.html"
    path.write_text(review_html(review, gazetteer=tiny_gazetteer, tiles=None), "utf-8")
    context = browser.new_context()
    page = context.new_page()
    page.goto(path.as_uri())
    page.wait_for_function("document.body.dataset.ready === '1'")
    assert "decisions: []" in page.evaluate("window.geomapReview.decisionsText()")
    page.evaluate("([i]) => window.geomapReview.choose(i, 't:paris-tx', 'mention')", [_index(page, "two", "Paris")])
    decisions = parse_decisions(page.evaluate("window.geomapReview.decisionsText()"), gazetteer=tiny_gazetteer)
    assert [(d.name, d.document, d.offset, d.choice) for d in decisions.entries] == [
        ("Paris", "two", docs[1].text.index("Paris"), "t:paris-tx")]
    context.close()


@pytest.mark.browser
def test_a_choice_the_mentions_own_qualifier_contradicts_is_written_for_that_mention(browser, tmp_path,
                                                                                      tiny_gazetteer):
    from dataclasses import replace

    from gazetteer import PlaceKind

    doc = picked_document(tiny_gazetteer, "three", "Shells fell on the city of Kherson.",
                    [("Kherson", {"t:kherson": 0.6, "t:kherson-oblast": 0.4})])
    pm = doc.mentions[0]
    doc = replace(doc, mentions=(replace(pm, mention=replace(pm.mention, hint=PlaceKind.CITY)),))
    path = tmp_path / "review.html"
    path.write_text(review_html(build_review([doc], gazetteer=tiny_gazetteer), gazetteer=tiny_gazetteer,
                                tiles=None), "utf-8")
    context = browser.new_context()
    page = context.new_page()
    page.goto(path.as_uri())
    page.wait_for_function("document.body.dataset.ready === '1'")
    page.check("#show-all")
    page.click("#item-0 input[value='t:kherson-oblast']")
    assert page.input_value("#item-0 .decide-scope") == "mention"
    assert page.evaluate("window.geomapReview.effective(0).choice") == "t:kherson-oblast"
    decisions = parse_decisions(page.evaluate("window.geomapReview.decisionsText()"), gazetteer=tiny_gazetteer)
    assert [(d.document, d.offset, d.choice) for d in decisions.entries] == [
        ("three", doc.text.index("Kherson"), "t:kherson-oblast")]
    assert [pm.place.id for pm in apply_decisions([doc], decisions, tiny_gazetteer).documents[0].mentions] == [
        "t:kherson-oblast"]
    context.close()
