"""List membership as a cue for the resolver (geomap.cues), and its learned weights."""

from __future__ import annotations

import pytest

from gazetteer import HAND_TUNED, LinearScorer, PlaceKind, Resolver, Toponym
from gazetteer.ranker import CUES, FEATURES
from geomap.cues import listed_with, toponyms_of
from geomap.model import Mention
from geomap.training.dataset import Group


def _mention(text: str, name: str, nth: int = 0) -> Mention:
    start = -1
    for _ in range(nth + 1):
        start = text.index(name, start + 1)
    return Mention(start, start + len(name), name, name)


def test_a_list_gives_each_name_the_others():
    text = "Strikes hit Odesa, Mykolaiv and Kherson. Later Kyiv and the port of Izmail were calm; Lviv, Kyiv."
    names = ("Odesa", "Mykolaiv", "Kherson", "Kyiv", "Izmail", "Lviv")
    mentions = [_mention(text, n) for n in names] + [_mention(text, "Kyiv", nth=1)]
    assert listed_with(text, mentions) == [("Mykolaiv", "Kherson"), ("Odesa", "Kherson"), ("Odesa", "Mykolaiv"),
                                           (), (), ("Kyiv",), ("Lviv",)]


def test_the_pipeline_questions_carry_the_list():
    text = "Shelling hit Odesa and Kherson. Kyiv was calm."
    odesa, kherson, kyiv = toponyms_of([_mention(text, n) for n in ("Odesa", "Kherson", "Kyiv")], text)
    assert (odesa.cues, odesa.listed_with) == (("list",), ("Kherson",))
    assert (kherson.cues, kherson.listed_with) == (("list",), ("Odesa",))
    assert (kyiv.cues, kyiv.listed_with) == ((), ())


def test_the_kinds_a_name_is_listed_with_tilt_it(tiny_gazetteer):
    # Kherson alone is the city; listed with regions, a weight on "listed with areas" makes it
    # the region (the weight is learned in training; here it is given).
    listed = [Toponym("Kharkiv", PlaceKind.ADMIN1, 0), Toponym("Kherson", position=20, listed_with=("Kharkiv",))]
    assert Resolver(tiny_gazetteer, scorer=HAND_TUNED).resolve_all(listed)[1].place.kind is PlaceKind.CITY
    tilted = LinearScorer("t", {**HAND_TUNED.weight_of, "listed with areas, area": 6.0})
    assert Resolver(tiny_gazetteer, scorer=tilted).resolve_all(listed)[1].place.kind is PlaceKind.ADMIN1
    alone = [Toponym("Kharkiv", PlaceKind.ADMIN1, 0), Toponym("Kherson", position=20)]
    assert Resolver(tiny_gazetteer, scorer=tilted).resolve_all(alone)[1].place.kind is PlaceKind.CITY
    with_towns = [Toponym("Kharkiv", PlaceKind.CITY, 0), Toponym("Kherson", position=20, listed_with=("Kharkiv",))]
    assert Resolver(tiny_gazetteer, scorer=tilted).resolve_all(with_towns)[1].place.kind is PlaceKind.CITY


def test_a_cue_weighs_by_its_share_of_a_senses_mentions(tiny_gazetteer):
    # alone, the town leads the region by about 0.9 in the hand-tuned score
    tilted = LinearScorer("t", {**HAND_TUNED.weight_of, "list, area": 2.0})
    once = Resolver(tiny_gazetteer, scorer=tilted).resolve_all([Toponym("Kherson", cues=("list",))])
    assert once[0].place.kind is PlaceKind.ADMIN1
    # one listed mention of three: a third of the weight, not enough to move the name
    thrice = Resolver(tiny_gazetteer, scorer=tilted).resolve_all(
        [Toponym("Kherson", cues=("list",)), Toponym("Kherson", position=30), Toponym("Kherson", position=60)])
    assert [a.place.kind for a in thrice] == [PlaceKind.CITY] * 3
    unknown = Resolver(tiny_gazetteer, scorer=tilted).resolve(Toponym("Kherson", cues=("not a cue",)))
    assert unknown.place.kind is PlaceKind.CITY


def test_every_cue_has_its_area_feature():
    assert all(f"{cue}, area" in FEATURES for cue in CUES)


def test_the_ranker_learns_a_cue_from_data():
    pytest.importorskip("scipy")
    from geomap.training.fit import FitOptions, fit_weights

    area, cue = FEATURES.index("kind=admin1"), FEATURES.index("list, area")
    city = FEATURES.index("kind=city")
    # bare names: the town and the region alike; in a list, the region
    groups = [Group("c/d", "gold", (((city, 1.0),), ((area, 1.0),)), (i % 2 == 0, i % 2 == 1)) for i in range(20)]
    groups += [Group("c/e", "gold", (((city, 1.0),), ((area, 1.0), (cue, 1.0))), (False, True)) for _ in range(8)]
    weights = fit_weights(groups, FitOptions(l2=1e-2, family_l2=(("cue", 1e-3),)))
    assert weights["list, area"] > 1.0
    held = fit_weights(groups, FitOptions(l2=1e-2, without=("list, area",)))
    assert "list, area" not in held
