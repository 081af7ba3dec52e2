"""Tests for geomap.evaluation on small hand-made cases (no real corpus)."""

from __future__ import annotations

import json
import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from geomap.evaluation import (
    MAX_ERROR_KM,
    EvalReport,
    GoldDocument,
    GoldFormatError,
    GoldToponym,
    Predicted,
    auc_of_errors,
    evaluate,
    format_report,
    load_gold,
    match_spans,
    normalize_kind,
)

PARIS_FR = (48.8566, 2.3522)
PARIS_TX = (33.6609, -95.5555)
BERLIN = (52.52, 13.405)
KYIV = (50.45, 30.5234)
LVIV = (49.8397, 24.0297)


def gold_of(text: str, *specs: dict) -> GoldDocument:
    """A gold document from (surface, coordinates, extra fields) specs."""
    toponyms = []
    cursor = 0
    for spec in specs:
        surface = spec["surface"]
        start = text.index(surface, spec.get("from", cursor))
        end = start + len(surface)
        cursor = end
        lat, lon = spec.get("at", (None, None))
        toponyms.append(
            GoldToponym(
                start=start,
                end=end,
                surface=surface,
                lat=lat,
                lon=lon,
                kind=spec.get("kind"),
                name=spec.get("name"),
                embedded=spec.get("embedded", False),
                country_code=spec.get("cc"),
            )
        )
    return GoldDocument(id=specs[0].get("doc", "d1") if specs else "d1", text=text,
                        toponyms=tuple(toponyms))


def pred_at(t: GoldToponym, at=None, kind=None, cc=None, shift=(0, 0)) -> Predicted:
    lat, lon = at if at is not None else (t.lat, t.lon)
    return Predicted(t.start + shift[0], t.end + shift[1], t.surface, lat, lon, kind, cc)


def haversine(a, b, radius=6371.0088):
    lat1, lon1, lat2, lon2 = map(math.radians, (*a, *b))
    h = (math.sin((lat2 - lat1) / 2) ** 2
         + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2)
    return 2 * radius * math.asin(math.sqrt(h))


TEXT = "Officials in Paris met colleagues from Berlin and Kyiv on Monday."


@pytest.fixture
def doc() -> GoldDocument:
    return gold_of(
        TEXT,
        {"surface": "Paris", "at": PARIS_FR},
        {"surface": "Berlin", "at": BERLIN},
        {"surface": "Kyiv", "at": KYIV},
    )


def test_perfect_prediction(doc):
    preds = {"d1": [pred_at(t) for t in doc.toponyms]}
    r = evaluate([doc], preds)
    for scores in (r.lenient, r.strict):
        assert (scores.precision, scores.recall, scores.f1) == (1.0, 1.0, 1.0)
        assert (scores.tp, scores.fp, scores.fn) == (3, 0, 0)
    assert r.accuracy_at_161 == 1.0
    assert r.end_to_end_accuracy_at_161 == 1.0
    assert r.auc == 0.0
    assert r.mean_error_km == 0.0 and r.median_error_km == 0.0
    assert r.resolution_pairs == 3 and r.unresolved_pairs == 0
    assert r.error_cases == () and r.false_positives == ()


def test_overlap_counts_lenient_not_strict(doc):
    paris, berlin, kyiv = doc.toponyms
    # "in Paris" instead of "Paris"
    preds = {"d1": [pred_at(paris, shift=(-3, 0)), pred_at(berlin), pred_at(kyiv)]}
    r = evaluate([doc], preds)
    assert (r.lenient.tp, r.lenient.fp, r.lenient.fn) == (3, 0, 0)
    assert (r.strict.tp, r.strict.fp, r.strict.fn) == (2, 1, 1)
    assert r.strict.precision == pytest.approx(2 / 3)
    assert r.accuracy_at_161 == 1.0  # resolution uses lenient matches


def test_matching_is_one_to_one():
    # two predictions overlapping one gold: one matched, the other a false positive
    pairs = match_spans([(0, 10)], [(0, 4), (2, 10)])
    assert pairs == [(0, 1)]  # larger overlap wins
    text = "New York City is big."
    g = gold_of(text, {"surface": "New York City", "at": (40.71, -74.0)})
    preds = {"d1": [Predicted(0, 8, "New York", 40.71, -74.0, "city"),
                    Predicted(9, 13, "City", None, None, None)]}
    r = evaluate([g], preds)
    assert (r.lenient.tp, r.lenient.fp, r.lenient.fn) == (1, 1, 0)
    assert len(r.false_positives) == 1 and r.false_positives[0].predicted.surface == "City"


def test_far_resolution_paris_texas(doc):
    paris, berlin, kyiv = doc.toponyms
    preds = {"d1": [pred_at(paris, at=PARIS_TX), pred_at(berlin), pred_at(kyiv)]}
    r = evaluate([doc], preds)
    expected = haversine(PARIS_FR, PARIS_TX)
    assert 7000 < expected < 8500
    assert r.accuracy_at_161 == pytest.approx(2 / 3)
    assert r.correct_at_161 == 2
    assert r.errors_km[-1] == pytest.approx(expected, rel=0.01)
    assert r.mean_error_km == pytest.approx(expected / 3, rel=0.01)
    assert r.median_error_km == 0.0
    assert len(r.error_cases) == 1
    case = r.error_cases[0]
    assert case.reason == "far" and case.gold.surface == "Paris"
    assert case.error_km == pytest.approx(expected, rel=0.01)
    assert "[[Paris]]" in case.context
    # AUC of sorted errors (0, 0, e): trapezoids (0+0)/2 + (0+x)/2, over 2
    x = math.log1p(case.error_km) / math.log(20039)
    assert r.auc == pytest.approx(x / 4)


def test_unresolved_match_counts_as_max_error(doc):
    paris, berlin, kyiv = doc.toponyms
    unresolved = Predicted(paris.start, paris.end, "Paris", None, None, "city")
    r = evaluate([doc], {"d1": [unresolved, pred_at(berlin), pred_at(kyiv)]})
    assert r.lenient.tp == 3
    assert r.resolution_pairs == 3 and r.unresolved_pairs == 1
    assert r.accuracy_at_161 == pytest.approx(2 / 3)
    assert r.errors_km[-1] == MAX_ERROR_KM
    assert r.error_cases[0].reason == "unresolved"


def test_misses_and_end_to_end(doc):
    paris, berlin, kyiv = doc.toponyms
    r = evaluate([doc], {"d1": [pred_at(paris)]})
    assert r.lenient.recall == pytest.approx(1 / 3)
    assert r.lenient.precision == 1.0
    assert r.accuracy_at_161 == 1.0
    assert r.end_to_end_accuracy_at_161 == pytest.approx(1 / 3)
    assert [c.reason for c in r.error_cases] == ["missed", "missed"]
    assert [c.gold.surface for c in r.error_cases] == ["Berlin", "Kyiv"]


def test_error_cases_worst_first(doc):
    paris, berlin, kyiv = doc.toponyms
    preds = {"d1": [pred_at(paris, at=PARIS_TX), pred_at(berlin, at=KYIV)]}
    r = evaluate([doc], preds)
    assert [c.gold.surface for c in r.error_cases] == ["Kyiv", "Paris", "Berlin"]
    assert r.error_cases[0].error_km is None
    assert r.error_cases[1].error_km > r.error_cases[2].error_km


def test_country_prediction_counts_only_country_aware():
    text = "Fighting continued in Ukraine."
    g = gold_of(text, {"surface": "Ukraine", "at": (48.38, 31.17), "kind": "country",
                       "cc": "UA"})
    t = g.toponyms[0]
    # a country point 400+ km from the gold one
    pred = pred_at(t, at=(50.0, 26.0), kind="country", cc="UA")
    r = evaluate([g], {"d1": [pred]})
    assert r.accuracy_at_161 == 0.0
    assert r.country_aware_accuracy_at_161 == 1.0
    assert r.end_to_end_accuracy_at_161 == 0.0
    assert r.country_aware_end_to_end_accuracy_at_161 == 1.0
    assert r.error_cases[0].country_match is True

    # same point but predicted as a city: no country credit
    as_city = pred_at(t, at=(50.0, 26.0), kind="city", cc="UA")
    assert evaluate([g], {"d1": [as_city]}).country_aware_accuracy_at_161 == 0.0

    # a wrong country code: no credit
    wrong = pred_at(t, at=(50.0, 26.0), kind="country", cc="PL")
    assert evaluate([g], {"d1": [wrong]}).country_aware_accuracy_at_161 == 0.0


def test_country_of_overrides_gold_code():
    text = "Fighting continued in Ukraine."
    g = gold_of(text, {"surface": "Ukraine", "at": (48.38, 31.17)})  # no gold code
    t = g.toponyms[0]
    pred = pred_at(t, at=(50.0, 26.0), kind="PCLI", cc=None)  # code from country_of

    def country_of(lat: float, lon: float) -> str | None:
        return "ua" if 44 <= lat <= 53 and 22 <= lon <= 41 else None

    assert evaluate([g], {"d1": [pred]}).country_aware_accuracy_at_161 == 0.0
    r = evaluate([g], {"d1": [pred]}, country_of=country_of)
    assert r.country_aware_accuracy_at_161 == 1.0
    assert r.accuracy_at_161 == 0.0


def test_embedded_gold_not_scored():
    text = "Students of the Kyiv School of Economics met in Lviv."
    g = gold_of(
        text,
        {"surface": "Kyiv", "at": KYIV, "kind": "city", "embedded": True},
        {"surface": "Lviv", "at": LVIV, "kind": "city"},
    )
    kyiv, lviv = g.toponyms
    # predicting the embedded one is not a false positive ...
    r = evaluate([g], {"d1": [pred_at(kyiv, kind="city"), pred_at(lviv, kind="city")]})
    assert r.gold_toponyms == 1 and r.embedded_gold == 1
    assert (r.lenient.tp, r.lenient.fp, r.lenient.fn) == (1, 0, 0)
    assert (r.strict.tp, r.strict.fp, r.strict.fn) == (1, 0, 0)
    assert r.ignored_predictions == 1
    assert r.kind_pairs == 1
    # ... and not predicting it is not a miss
    r = evaluate([g], {"d1": [pred_at(lviv, kind="city")]})
    assert r.lenient.recall == 1.0 and r.lenient.precision == 1.0
    assert r.gold_with_coordinates == 1 and r.end_to_end_accuracy_at_161 == 1.0
    assert r.error_cases == ()


def test_resolution_only_ignores_extra_predictions():
    text = "Springfield is a city in Illinois, near Chicago and St. Louis."
    g = gold_of(text, {"surface": "Springfield", "at": (39.80, -89.64)})
    t = g.toponyms[0]
    extra = [Predicted(text.index(s), text.index(s) + len(s), s, 0.0, 0.0, "city")
             for s in ("Illinois", "Chicago", "St. Louis")]
    r = evaluate([g], {"d1": [pred_at(t), *extra]}, resolution_only=True)
    assert r.lenient.precision is None and r.lenient.f1 is None and r.lenient.fp is None
    assert r.strict.precision is None
    assert r.lenient.recall == 1.0
    assert r.accuracy_at_161 == 1.0
    assert r.ignored_predictions == 3
    assert r.false_positives == ()
    # the same predictions on a fully annotated corpus are false positives
    full = evaluate([g], {"d1": [pred_at(t), *extra]})
    assert full.lenient.fp == 3 and full.lenient.precision == pytest.approx(0.25)
    # resolution-only recall counts misses
    miss = evaluate([g], {"d1": extra}, resolution_only=True)
    assert miss.lenient.recall == 0.0 and miss.accuracy_at_161 is None
    assert miss.end_to_end_accuracy_at_161 == 0.0


def test_kind_confusion_counts():
    text = "Shelling hit Kharkiv, Donbas, the Dnipro and Kherson region and Odesa."
    g = gold_of(
        text,
        {"surface": "Kharkiv", "at": (49.99, 36.23), "kind": "city"},
        {"surface": "Donbas", "at": (48.5, 38.4), "kind": "region"},
        {"surface": "Dnipro", "at": (46.5, 32.3), "kind": "physical"},
        {"surface": "Kherson region", "at": (46.6, 33.4), "kind": "admin1"},
        {"surface": "Odesa", "at": (46.48, 30.72), "kind": "city"},
    )
    kharkiv, donbas, dnipro, kherson, odesa = g.toponyms
    preds = [
        pred_at(kharkiv, kind="admin1"),  # wrong
        pred_at(donbas, kind="ADM1"),  # region accepts admin1
        pred_at(dnipro, kind="river"),  # physical
        pred_at(kherson, kind="oblast"),  # admin1
        pred_at(odesa, kind=None),  # no kind: wrong
    ]
    r = evaluate([g], {"d1": preds})
    assert r.kind_pairs == 5 and r.kind_correct == 3
    assert r.kind_accuracy == pytest.approx(0.6)
    assert r.kind_confusion == (
        ("admin1", "admin1", 1),
        ("city", "admin1", 1),
        ("city", "none", 1),
        ("physical", "physical", 1),
        ("region", "admin1", 1),
    )
    confusion = r.to_dict()["kinds"]["confusion"]
    assert confusion["city"] == {"admin1": 1, "none": 1}
    table = format_report(r)
    assert "kinds: accuracy 0.600 (3/5)" in table


def test_normalize_kind():
    assert normalize_kind("City") == "city"
    assert normalize_kind("P.PPLA") == "city"
    assert normalize_kind("A.ADM1") == "admin1"
    assert normalize_kind("county") == "admin2"
    assert normalize_kind("A.PCLI") == "country"
    assert normalize_kind("CONT") == "continent"
    assert normalize_kind("H.STM") == "physical"
    assert normalize_kind("spaceport") == "other"
    assert normalize_kind(None) == "none"


def test_auc_formula():
    assert auc_of_errors([]) is None
    assert auc_of_errors([0.0, 0.0]) == 0.0
    assert auc_of_errors([MAX_ERROR_KM] * 3) == 1.0
    # sorted before the trapezoid: order of input does not matter
    assert auc_of_errors([1000.0, 0.0, 10.0]) == auc_of_errors([0.0, 10.0, 1000.0])
    xs = [math.log1p(e) / math.log(20039) for e in (0.0, 10.0, 1000.0)]
    assert auc_of_errors([1000.0, 0.0, 10.0]) == pytest.approx(
        ((xs[0] + xs[1]) / 2 + (xs[1] + xs[2]) / 2) / 2
    )
    assert auc_of_errors([100.0]) == pytest.approx(math.log(101) / math.log(20039))


def write_lines(tmp_path, *objs) -> str:
    path = tmp_path / "gold.jsonl"
    path.write_text(
        "\n".join(o if isinstance(o, str) else json.dumps(o) for o in objs) + "\n",
        encoding="utf-8",
    )
    return str(path)


def test_load_gold_reads_documents(tmp_path):
    good = {"id": 7, "text": "From Lviv to Kyiv.", "toponyms": [
        {"start": 5, "end": 9, "surface": "Lviv", "lat": 49.84, "lon": 24.03,
         "type": "city", "name": "Lviv", "embedded": False, "country_code": "UA"},
        {"start": 13, "end": 17, "surface": "Kyiv", "lat": None, "lon": None},
    ]}
    docs = load_gold(write_lines(tmp_path, good, ""))
    assert len(docs) == 1
    d = docs[0]
    assert d.id == "7"
    assert d.toponyms[0] == GoldToponym(5, 9, "Lviv", 49.84, 24.03, "city", "Lviv",
                                        False, "UA")
    assert d.toponyms[1].lat is None and d.toponyms[1].kind is None


def test_load_gold_rejects_bad_offset_naming_line(tmp_path):
    good = {"id": "a", "text": "From Lviv to Kyiv.", "toponyms": []}
    bad = {"id": "b", "text": "From Lviv to Kyiv.", "toponyms": [
        {"start": 6, "end": 10, "surface": "Lviv", "lat": 1.0, "lon": 2.0}]}
    path = write_lines(tmp_path, good, bad)
    with pytest.raises(GoldFormatError) as info:
        load_gold(path)
    err = info.value
    assert isinstance(err, ValueError)
    assert err.line == 2
    assert f"{path}:2:" in str(err)
    assert "offset" in str(err)


@pytest.mark.parametrize(
    "line, fragment",
    [
        ("{not json", "JSON"),
        ('["a list"]', "object"),
        ('{"id": "x", "text": "abc"}', "toponyms"),
        ('{"id": "x", "text": "abc", "toponyms": [{"start": 0, "end": 2, '
         '"surface": "ab", "lat": 1.0, "lon": null}]}', "both"),
        ('{"id": "x", "text": "abc", "toponyms": [{"start": 0, "end": 9, '
         '"surface": "abc"}]}', "out of range"),
    ],
)
def test_load_gold_rejects_malformed_lines(tmp_path, line, fragment):
    path = write_lines(tmp_path, {"id": "ok", "text": "", "toponyms": []}, line)
    with pytest.raises(GoldFormatError, match=fragment) as info:
        load_gold(path)
    assert info.value.line == 2


def test_load_gold_rejects_duplicate_ids(tmp_path):
    doc = {"id": "x", "text": "", "toponyms": []}
    with pytest.raises(GoldFormatError, match="duplicate"):
        load_gold(write_lines(tmp_path, doc, doc))


def test_to_dict_is_json_ready_and_stable(doc):
    paris, berlin, kyiv = doc.toponyms
    r = evaluate([doc], {"d1": [pred_at(paris, at=PARIS_TX), pred_at(berlin)],
                         "ghost": []})
    d = r.to_dict()
    assert list(d) == [
        "resolution_only", "documents", "gold_toponyms", "embedded_gold",
        "predicted_toponyms", "ignored_predictions", "unknown_documents",
        "recognition", "resolution", "kinds", "errors_km", "error_cases",
        "false_positives",
    ]
    assert d["unknown_documents"] == 1
    assert json.loads(json.dumps(d)) == d
    assert r.to_dict(cases=False)["error_cases"] == []
    text = format_report(r, errors=5)
    assert "accuracy@161" in text and "[[Paris]]" in text and "missed" in text


def test_empty_input():
    r = evaluate([], {})
    assert isinstance(r, EvalReport)
    assert r.lenient.precision is None and r.lenient.recall is None
    assert r.accuracy_at_161 is None and r.auc is None
    assert "—" in format_report(r)


# --------------------------------------------------------------------------
# property-based

TEXT_LEN = 40
spans = st.tuples(st.integers(0, TEXT_LEN - 1), st.integers(1, 8)).map(
    lambda s: (s[0], min(TEXT_LEN, s[0] + s[1]))
)
coords = st.one_of(
    st.none(),
    st.tuples(st.floats(-90, 90), st.floats(-180, 180)),
)
kinds = st.sampled_from([None, "city", "admin1", "admin2", "region", "country",
                         "physical", "PPL", "state", "weird"])
codes = st.sampled_from([None, "UA", "PL", "FR"])


@st.composite
def corpora(draw):
    text = "x" * TEXT_LEN
    docs, preds = [], {}
    for i in range(draw(st.integers(0, 3))):
        gold = []
        for start, end in draw(st.lists(spans, max_size=6)):
            at = draw(coords)
            gold.append(GoldToponym(
                start, end, text[start:end],
                at[0] if at else None, at[1] if at else None,
                draw(st.sampled_from([None, "city", "region", "country"])),
                None, draw(st.booleans()), draw(codes),
            ))
        docs.append(GoldDocument(f"d{i}", text, tuple(gold)))
        plist = []
        for start, end in draw(st.lists(spans, max_size=6)):
            at = draw(coords)
            plist.append(Predicted(start, end, text[start:end],
                                   at[0] if at else None, at[1] if at else None,
                                   draw(kinds), draw(codes)))
        preds[f"d{i}"] = plist
    return docs, preds


def ratios(r: EvalReport):
    for s in (r.lenient, r.strict):
        yield from (s.precision, s.recall, s.f1)
    yield from (
        r.accuracy_at_161, r.country_aware_accuracy_at_161, r.auc,
        r.end_to_end_accuracy_at_161, r.country_aware_end_to_end_accuracy_at_161,
        r.kind_accuracy,
    )


@settings(max_examples=300, deadline=None)
@given(corpora(), st.booleans())
def test_metrics_within_unit_interval_and_f1_harmonic(corpus, resolution_only):
    docs, preds = corpus
    r = evaluate(docs, preds, resolution_only=resolution_only)
    for value in ratios(r):
        assert value is None or 0.0 <= value <= 1.0
    for s in (r.lenient, r.strict):
        assert s.tp + s.fn == r.gold_toponyms
        if resolution_only:
            assert s.precision is None and s.f1 is None
        elif s.precision is not None and s.recall is not None:
            if s.precision + s.recall == 0:
                assert s.f1 == 0.0
            else:
                harmonic = 2 * s.precision * s.recall / (s.precision + s.recall)
                assert s.f1 == pytest.approx(harmonic)
        if not resolution_only:
            assert s.tp + s.fp + r.ignored_predictions == r.predicted_toponyms
    assert r.strict.tp <= r.lenient.tp
    assert r.country_aware_correct_at_161 >= r.correct_at_161
    assert r.resolution_pairs <= r.gold_with_coordinates
    assert r.kind_correct <= r.kind_pairs
    if r.mean_error_km is not None:
        assert 0.0 <= r.median_error_km <= MAX_ERROR_KM
        assert 0.0 <= r.mean_error_km <= MAX_ERROR_KM
    json.dumps(r.to_dict())
    format_report(r, errors=3)
