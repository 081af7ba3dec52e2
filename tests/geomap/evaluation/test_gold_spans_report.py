"""Reports of runs given the gold spans leave recognition out; other reports keep it."""

from __future__ import annotations

from geomap.evaluation import GoldDocument, GoldToponym, Predicted, evaluate, format_report

GOLD = [GoldDocument("d", "Kyiv and Lviv", (GoldToponym(0, 4, "Kyiv", 50.45, 30.52), GoldToponym(9, 13, "Lviv", 49.84, 24.03)))]
PREDICTED = {"d": [Predicted(0, 4, "Kyiv", 50.45, 30.52, "city"), Predicted(9, 13, "Lviv", 40.0, 20.0, "city")]}


def test_a_report_given_the_gold_spans_has_resolution_and_no_recognition():
    report = evaluate(GOLD, PREDICTED, gold_spans=True)
    data = report.to_dict()
    assert data["gold_spans"] is True and data["recognition"] is None
    assert data["resolution"]["accuracy_at_161"] == 0.5
    text = format_report(report)
    assert "recognition not scored" in text and "\nrecognition " not in text


def test_a_plain_report_keeps_recognition_and_has_no_gold_spans_key():
    data = evaluate(GOLD, PREDICTED).to_dict()
    assert "gold_spans" not in data
    assert data["recognition"]["lenient"]["tp"] == 2
    assert "\nrecognition " in format_report(evaluate(GOLD, PREDICTED))
