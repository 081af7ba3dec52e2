"""Training the ranker: the conditional logit, the confidence model, and learning from decisions
(tiny fixture gazetteer; no spaCy)."""

from __future__ import annotations

import json
import math
from dataclasses import replace

import pytest

from gazetteer import HAND_TUNED, LinearScorer, PlaceKind, RankerError, Resolver, Toponym, load_scorer
from gazetteer.ranker import ANSWER_FEATURES, FEATURES, scorer_from_dict
from geomap.review.decisions import parse_decisions
from geomap.model import Mention, SourceDocument
from geomap.pipeline import Pipeline
from geomap.training.cv import FLAG_USES, Judged, flag_uses
from geomap.training.dataset import Group
from geomap.training.decisions import adapt, decision_groups
from geomap.training.fit import FitOptions, choose_threshold, fit_confidence, fit_weights, isotonic
from geomap.training.train import kind_balanced

pytest.importorskip("scipy")


def _mention(text: str, name: str, nth: int = 0) -> Mention:
    start = -1
    for _ in range(nth + 1):
        start = text.index(name, start + 1)
    return Mention(start, start + len(name), name, name)


def _document(pipeline: Pipeline, doc_id: str, text: str, names: list[str]):
    return pipeline.resolve_mentions(SourceDocument(doc_id, text), [_mention(text, n) for n in names])


def test_a_few_decisions_move_the_same_kind_of_mention_in_another_document(tiny_gazetteer):
    pipeline = Pipeline(tiny_gazetteer)
    pipeline._resolver = Resolver(tiny_gazetteer, scorer=HAND_TUNED)
    decided = _document(pipeline, "a", "Shelling went on near Kherson. Troops left Kherson.", ["Kherson"])
    before = Resolver(tiny_gazetteer, scorer=HAND_TUNED).resolve_all([Toponym("Kharkiv")])[0]
    assert before.place.kind is PlaceKind.CITY

    decisions = parse_decisions("decisions:\n  - name: Kherson\n    document: a\n    choice: t:kherson-oblast\n",
                                source="d.yaml", gazetteer=tiny_gazetteer)
    groups = decision_groups([decided], decisions, tiny_gazetteer, pipeline.resolver)
    assert [g.right.count(True) for g in groups] == [1]
    adapted = adapt(HAND_TUNED, groups)

    after = Resolver(tiny_gazetteer, scorer=adapted).resolve_all([Toponym("Kharkiv")])[0]
    assert after.place.id == "t:kharkiv-oblast"
    assert adapted.metadata["adapted_on_decisions"] == 1


def test_decisions_that_pin_nothing_the_ranker_saw_teach_nothing(tiny_gazetteer):
    pipeline = Pipeline(tiny_gazetteer)
    doc = _document(pipeline, "a", "Shelling near Kherson.", ["Kherson"])
    decisions = parse_decisions("decisions:\n  - name: Kherson\n    choice: not-a-place\n", source="d.yaml")
    groups = decision_groups([doc], decisions, tiny_gazetteer, pipeline.resolver)
    assert groups == []
    with pytest.raises(ValueError, match="nothing to learn"):
        adapt(HAND_TUNED, groups)


def _group(right_index: int, values: list[float], feature: str = "population (log10)") -> Group:
    index = FEATURES.index(feature)
    return Group("c/d", "gold", tuple(((index, v),) for v in values), tuple(i == right_index for i in range(len(values))))


def test_the_conditional_logit_learns_the_sign_the_data_shows():
    bigger_wins = [_group(0, [6.0, 3.0]), _group(1, [2.0, 5.0]), _group(0, [4.0, 1.0])]
    assert fit_weights(bigger_wins)["population (log10)"] > 0
    smaller_wins = [_group(1, [6.0, 3.0]), _group(0, [2.0, 5.0]), _group(1, [4.0, 1.0])]
    assert fit_weights(smaller_wins)["population (log10)"] < 0


def test_the_prior_signs_bound_a_weight_the_data_would_flip():
    smaller_wins = [_group(1, [6.0, 3.0]), _group(0, [2.0, 5.0]), _group(1, [4.0, 1.0])]
    assert fit_weights(smaller_wins, FitOptions(prior_signs=True)).get("population (log10)", 0.0) == 0.0
    # A feature with no prior sign is left free.
    free = [_group(1, [6.0, 3.0], "near other places"), _group(0, [2.0, 5.0], "near other places")]
    assert fit_weights(free, FitOptions(prior_signs=True))["near other places"] < 0


def test_a_family_penalty_holds_its_features_near_the_prior():
    bigger_wins = [_group(0, [6.0, 3.0]), _group(1, [2.0, 5.0]), _group(0, [4.0, 1.0])]
    toward = (("population (log10)", 0.1),)
    loose = fit_weights(bigger_wins, FitOptions(l2=1e-3, toward=toward))["population (log10)"]
    stiff = fit_weights(bigger_wins, FitOptions(l2=1e-3, toward=toward, family_l2=(("population", 1000.0),)))
    assert abs(stiff["population (log10)"] - 0.1) < 0.01 < abs(loose - 0.1)
    with pytest.raises(ValueError, match="unknown feature family"):
        FitOptions(family_l2=(("sizes", 1.0),)).penalties()


def test_kind_balance_weighs_town_and_region_answers_alike():
    town, area = FEATURES.index("kind=city"), FEATURES.index("kind=admin1")

    def masked(right_kind: int) -> Group:
        other = area if right_kind == town else town
        return Group("c/d", "distant", (((right_kind, 1.0),), ((other, 1.0),)), (True, False))

    groups = [masked(area)] * 3 + [masked(town)]
    balanced = kind_balanced(groups, 1.0)
    assert sum(g.weight for g in balanced[:3]) == pytest.approx(balanced[3].weight)
    assert [g.weight for g in kind_balanced(groups, 0.0)] == [1.0] * 4
    half = kind_balanced(groups, 0.5)
    assert balanced[3].weight > half[3].weight > 1.0 > half[0].weight > balanced[0].weight


def test_groups_with_nothing_to_choose_are_skipped():
    with pytest.raises(ValueError, match="both a right and a wrong"):
        fit_weights([Group("c/d", "gold", (((0, 1.0),), ((1, 1.0),)), (True, True))])


def test_the_confidence_model_follows_the_rate_of_right_answers():
    share = ANSWER_FEATURES.index("share (logit)")
    rows = [(((0, 1.0), (share, 3.0)), True)] * 18 + [(((0, 1.0), (share, 3.0)), False)] * 2 \
        + [(((0, 1.0), (share, -1.0)), True)] * 5 + [(((0, 1.0), (share, -1.0)), False)] * 15
    scorer = LinearScorer("t", {}, confidence_of=fit_confidence(rows, l2=1e-4))
    high = scorer.confidence(0.95, ((0, 1.0), (share, 3.0)))
    low = scorer.confidence(0.3, ((0, 1.0), (share, -1.0)))
    assert high == pytest.approx(0.9, abs=0.05) and low == pytest.approx(0.25, abs=0.05)


def test_isotonic_calibration_is_monotone_and_stays_off_the_bounds():
    table = isotonic([(0.1, False), (0.2, True), (0.3, False), (0.9, True), (0.95, True)])
    ys = [y for _, y in table]
    assert ys == sorted(ys) and 0 < ys[0] and ys[-1] < 1


def test_the_threshold_flags_the_asked_share_of_wrong_answers():
    rows = [(0.2, False, False), (0.4, False, False), (0.6, True, False), (0.8, False, False), (0.9, True, False)]
    threshold = choose_threshold(rows, wrong_share=2 / 3)
    assert 0.4 < threshold <= 0.41
    assert choose_threshold([(0.3, False, True)], wrong_share=0.9) == 0.0


def test_the_reviewers_budget_caps_the_threshold():
    rows = [(0.2, False, False), (0.4, False, False), (0.6, True, False), (0.8, False, False), (0.9, True, False),
            (0.95, None, False), (0.0, None, True)]
    assert choose_threshold(rows, wrong_share=1.0) > 0.8
    capped = choose_threshold(rows, wrong_share=1.0, max_flagged=3 / 7)
    flagged = sum(1 for c, _, anyway in rows if anyway or c < capped)
    assert flagged <= 3 and capped > 0.2


def test_flag_uses_say_where_the_reviewers_budget_goes():
    judged = [
        Judged(0.3, False, True, False),                         # wrong, flagged
        Judged(0.9, False, False, False),                        # wrong, missed
        Judged(0.0, False, True, True, resolved=False),          # a place the gazetteer lacks
        Judged(0.95, True, False, False),                        # right
        Judged(0.4, True, True, False),                          # right, flagged
        Judged(0.2, None, True, False, unmatched=True),          # drawn where no gold names a place
        Judged(0.0, None, True, True, resolved=False),           # unresolved, no gold
        Judged(0.0, None, True, True, unmatched=True, resolved=False),
    ]
    uses = flag_uses(judged, gold_names_every_toponym=True)
    assert tuple(uses) == FLAG_USES
    assert uses == {"wrong": (3, 2), "right": (2, 1), "false place": (1, 1), "unresolved, no gold": (2, 2),
                    "resolved, no gold": (0, 0)}
    assert sum(n for n, _ in uses.values()) == len(judged)
    # where the gold annotates only some toponyms, a resolved mention it leaves alone is no false place
    partial = flag_uses(judged, gold_names_every_toponym=False)
    assert partial["false place"] == (0, 0) and partial["resolved, no gold"] == (1, 1)


def test_a_model_file_round_trips_and_bad_ones_say_how_to_fix(tmp_path):
    model = LinearScorer("m", {"kind=city": 1.5}, flag_below=0.6, confidence_of={"bias": 0.3}, metadata={"a": 1})
    path = tmp_path / "m.json"
    path.write_text(json.dumps(model.to_dict()))
    again = load_scorer(path)
    assert again.weights() == model.weights() and again.flag_below == 0.6 and again.confidence_of == {"bias": 0.3}
    with pytest.raises(RankerError, match="geomap train"):
        scorer_from_dict({"format": 1, "weights": {"no such feature": 1.0}})
    with pytest.raises(RankerError, match="does not exist"):
        load_scorer(tmp_path / "missing.json")
    (tmp_path / "bad.json").write_text("{")
    with pytest.raises(RankerError, match="not a readable ranker"):
        load_scorer(tmp_path / "bad.json")



def _answer(shares: list[tuple[str, int, float]]) -> dict[str, float]:
    """The answer features of a resolution whose candidates are ``(country, population, share)``."""
    from gazetteer import MatchOrigin
    from gazetteer.model import Candidate, Place, Resolution
    from gazetteer.ranker import answer_features

    places = [Place(f"p{i}", "Springfield", PlaceKind.CITY, 0.0, 0.0, country_code=cc, population=pop)
              for i, (cc, pop, _) in enumerate(shares)]
    candidates = tuple(Candidate(p, share) for p, (_, _, share) in zip(places, shares))
    resolution = Resolution(Toponym("Springfield"), places[0], shares[0][2], candidates=candidates)
    return {ANSWER_FEATURES[i]: v for i, v in answer_features(resolution, MatchOrigin.NAME, len(shares), False)}


def test_the_answer_features_say_how_far_apart_the_rivals_are():
    spread = _answer([("US", 150_000, 0.6), ("GB", 990, 0.3), ("AU", 5_000, 0.1)])
    assert spread["candidate countries (log2)"] == pytest.approx(1.585, abs=1e-3)
    assert spread["population over the runner-up's (log10)"] == pytest.approx(2.176, abs=1e-3)
    assert "share below a half (logit)" not in spread and "share above 0.9975" not in spread
    # A rival with no real share does not count; one country is no spread at all.
    near = _answer([("US", 1_000, 0.995), ("GB", 150_000, 0.004), ("US", 10, 0.001)])
    assert "candidate countries (log2)" not in near
    assert near["population over the runner-up's (log10)"] < 0
    assert near["share above 0.98 (logit excess)"] == pytest.approx(1.29, abs=0.01)
    assert "share above 0.9975" not in near
    unsure = _answer([("US", 1_000, 0.4), ("US", 1_000, 0.35)])
    assert unsure["share below a half (logit)"] == pytest.approx(-0.405, abs=1e-3)
    assert "population over the runner-up's (log10)" not in unsure


def test_the_answer_features_say_how_the_name_was_found_and_what_the_text_says_of_the_answer():
    from gazetteer import MatchOrigin
    from gazetteer.model import Candidate, Place, Resolution
    from gazetteer.ranker import FEATURE_INDEX, answer_features

    place = Place("p0", "Springfield", PlaceKind.CITY, 0.0, 0.0, country_code="US", population=1_000)
    resolution = Resolution(Toponym("Springfield"), place, 0.9, candidates=(Candidate(place, 0.9),))
    own = ((FEATURE_INDEX["text's country share"], 0.5), (FEATURE_INDEX["kind=city"], 1.0))

    def features(found_by):
        return {ANSWER_FEATURES[i]: v for i, v in
                answer_features(resolution, MatchOrigin.NAME, 1, False, own=own, found_by=found_by)}

    mixed = features(["GAZETTEER", "GPE", "LOC", "GAZETTEER"])
    assert mixed["found by the gazetteer only"] == pytest.approx(0.5)
    assert mixed["found as LOC"] == pytest.approx(0.25)
    # The chosen candidate's context features are repeated; what the answer features already
    # say otherwise (its kind) is not.
    assert mixed["answer: text's country share"] == pytest.approx(0.5)
    assert not any(name.startswith("answer: kind") for name in mixed)
    unknown = features([None, None])
    assert "found by the gazetteer only" not in unknown and "found as LOC" not in unknown


def test_the_pipeline_tells_the_confidence_model_how_each_mention_was_found(tiny_gazetteer):
    text = "Shelling went on near Kherson and Kharkiv."
    doubt = LinearScorer("doubt", dict(HAND_TUNED.weight_of), flag_below=0.5,
                         confidence_of={"bias": 2.0, "found by the gazetteer only": -4.0})
    pipeline = Pipeline(tiny_gazetteer)
    pipeline._resolver = Resolver(tiny_gazetteer, scorer=doubt)

    def confidence(label: str) -> tuple[float, bool]:
        mentions = [replace(_mention(text, n), label=label) for n in ("Kherson", "Kharkiv")]
        resolution = pipeline.resolve_mentions(SourceDocument("a", text), mentions).mentions[0].resolution
        return resolution.confidence, resolution.ambiguous

    seen, only_listed = confidence("GPE"), confidence("GAZETTEER")
    assert seen[0] == pytest.approx(1 / (1 + math.exp(-2.0)), abs=1e-3) and not seen[1]
    assert only_listed[0] == pytest.approx(1 / (1 + math.exp(2.0)), abs=1e-3) and only_listed[1]
