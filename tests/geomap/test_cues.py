"""The words around a mention as cues for the resolver (geomap.cues), and their learned weights."""

from __future__ import annotations

import pytest

from gazetteer import HAND_TUNED, LinearScorer, PlaceKind, Resolver, Toponym
from gazetteer.ranker import CUES, FEATURES
from geomap.cues import listed_with, mention_cues
from geomap.model import Mention
from geomap.training.dataset import Group, toponyms_of


def _mention(text: str, surface: str, name: str | None = None, hint=None, qualifier=None, nth: int = 0) -> Mention:
    start = -1
    for _ in range(nth + 1):
        start = text.index(surface, start + 1)
    return Mention(start, start + len(surface), surface, name or surface, hint, qualifier)


def _cues(text: str, *mentions: Mention) -> list[tuple[str, ...]]:
    return mention_cues(text, list(mentions))


def test_the_words_before_and_after_a_name_are_read():
    # an article is skipped, and the words stop at the sentence's start
    text = "Artillery kept up the shelling of Kherson overnight. A Kharkiv-based charity helped."
    kherson, kharkiv = _mention(text, "Kherson"), _mention(text, "Kharkiv")
    assert _cues(text, kherson, kharkiv) == [("before:of", "before:shelling of", "after:overnight"),
                                             ("after:-based",)]


def test_an_article_is_skipped_and_a_line_break_ends_the_words():
    text = "Fighting raged across the Donbas\nToday"
    assert _cues(text, _mention(text, "Donbas"))[0][0] == "before:across"
    text = "Report\nKherson was quiet."
    assert not any(c.startswith("before:") for c in _cues(text, _mention(text, "Kherson"))[0])


@pytest.mark.parametrize(("qualified", "bare", "surface", "hint", "qualifier"), [
    ("Shelling hit the city of Kherson on Monday.", "Shelling hit Kherson on Monday.", "Kherson",
     PlaceKind.CITY, "city of"),
    ("Drones struck Kherson's governor said.", "Drones struck Kherson said.", "Kherson", PlaceKind.ADMIN1, "'s governor"),
    ("Troops left the Kherson mayor alone.", "Troops left Kherson alone.", "Kherson", PlaceKind.CITY, "mayor"),
])
def test_qualifier_words_are_never_cues(qualified, bare, surface, hint, qualifier):
    # Distant supervision asks a qualified mention again with its qualifier masked: its cues
    # must then be those of the bare name, or the words that settled its kind would leak.
    masked = _cues(qualified, _mention(qualified, surface, hint=hint, qualifier=qualifier))
    assert masked == _cues(bare, _mention(bare, surface))


def test_dateline_headline_and_list():
    text = "Strikes on Odesa and Kherson\n\nKYIV, Ukraine (AP) — Russia struck Odesa, Mykolaiv and Kherson today."
    mentions = [_mention(text, "Odesa"), _mention(text, "Kherson"), _mention(text, "KYIV"),
                _mention(text, "Odesa", nth=1), _mention(text, "Mykolaiv"), _mention(text, "Kherson", nth=1)]
    cues = _cues(text, *mentions)
    assert ["headline" in c for c in cues] == [True, True, False, False, False, False]
    assert ["dateline" in c for c in cues] == [False, False, True, False, False, False]
    assert ["list" in c for c in cues] == [True, True, False, True, True, True]
    sentence = "Kherson fell. Later, Odesa was hit."
    assert _cues(sentence, _mention(sentence, "Kherson"), _mention(sentence, "Odesa")) == [
        ("after:fell",), ("before:later", "after:was")]


def test_a_cue_weight_tilts_a_bare_name_between_town_and_region(tiny_gazetteer):
    bare = Toponym("Kherson", cues=("before:across",))
    assert Resolver(tiny_gazetteer, scorer=HAND_TUNED).resolve(bare).place.kind is PlaceKind.CITY
    tilted = LinearScorer("t", {**HAND_TUNED.weight_of, "before:across, area": 6.0})
    assert Resolver(tiny_gazetteer, scorer=tilted).resolve(bare).place.kind is PlaceKind.ADMIN1
    # the cue weighs nothing where it was not read, nor where it names no feature
    assert Resolver(tiny_gazetteer, scorer=tilted).resolve(Toponym("Kherson")).place.kind is PlaceKind.CITY
    unknown = Toponym("Kherson", cues=("before:zzz",))
    assert Resolver(tiny_gazetteer, scorer=tilted).resolve(unknown).place.kind is PlaceKind.CITY


def test_a_sense_carries_the_cues_of_all_its_mentions(tiny_gazetteer):
    tilted = LinearScorer("t", {**HAND_TUNED.weight_of, "before:across, area": 6.0})
    answers = Resolver(tiny_gazetteer, scorer=tilted).resolve_all(
        [Toponym("Kherson", position=0), Toponym("Kherson", position=50, cues=("before:across",))])
    assert [a.place.kind for a in answers] == [PlaceKind.ADMIN1, PlaceKind.ADMIN1]


def test_the_pipeline_questions_carry_the_cues():
    text = "Fighting spread across Kherson."
    (toponym,) = toponyms_of([_mention(text, "Kherson")], text)
    assert toponym.cues == ("before:across", "after:.")


def test_every_cue_has_its_area_feature():
    assert all(f"{cue}, area" in FEATURES for cue in CUES)


def test_the_ranker_learns_a_cue_from_data():
    pytest.importorskip("scipy")
    from geomap.training.fit import FitOptions, fit_weights

    area, cue = FEATURES.index("kind=admin1"), FEATURES.index("before:across, area")
    city = FEATURES.index("kind=city")
    # bare names: the town and the region alike; after "across", the region
    groups = [Group("c/d", "gold", (((city, 1.0),), ((area, 1.0),)), (i % 2 == 0, i % 2 == 1)) for i in range(20)]
    groups += [Group("c/e", "gold", (((city, 1.0),), ((area, 1.0), (cue, 1.0))), (False, True)) for _ in range(8)]
    weights = fit_weights(groups, FitOptions(l2=1e-2, cue_l2=1e-3))
    assert weights["before:across, area"] > 1.0
    held = fit_weights(groups, FitOptions(l2=1e-2, without=("before:across, area",)))
    assert abs(held.get("before:across, area", 0.0)) < 1e-3


def test_a_list_gives_each_name_the_others():
    text = "Strikes hit Odesa, Mykolaiv and Kherson. Later Kyiv was calm."
    mentions = [_mention(text, n) for n in ("Odesa", "Mykolaiv", "Kherson", "Kyiv")]
    assert listed_with(text, mentions) == [("Mykolaiv", "Kherson"), ("Odesa", "Kherson"), ("Odesa", "Mykolaiv"), ()]


def test_the_kinds_a_name_is_listed_with_tilt_it(tiny_gazetteer):
    # Kherson alone is the city; listed with regions, a weight on "listed with areas" makes it
    # the region (the weight is learned in training; here it is given).
    listed = [Toponym("Kharkiv", PlaceKind.ADMIN1, 0), Toponym("Kherson", position=20, listed_with=("Kharkiv",))]
    assert Resolver(tiny_gazetteer, scorer=HAND_TUNED).resolve_all(listed)[1].place.kind is PlaceKind.CITY
    tilted = LinearScorer("t", {**HAND_TUNED.weight_of, "listed with areas, area": 6.0})
    assert Resolver(tiny_gazetteer, scorer=tilted).resolve_all(listed)[1].place.kind is PlaceKind.ADMIN1
    alone = [Toponym("Kharkiv", PlaceKind.ADMIN1, 0), Toponym("Kherson", position=20)]
    assert Resolver(tiny_gazetteer, scorer=tilted).resolve_all(alone)[1].place.kind is PlaceKind.CITY
