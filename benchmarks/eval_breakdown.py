"""Why the misses are misses: a breakdown of `geomap eval` errors by annotation convention.

Gold corpora differ from geomap in what they call a toponym. LGL and GeoWebNews annotate
nationality words ("Russian", "Georgian") and names inside organisation names ("Texas
Department of Health"), which geomap deliberately does not take for places (see the accuracy
issue). WikToR's processed copy has lost the minus sign of some western longitudes. This script
counts those cases so that the headline figures can be read correctly; it changes no score.

Usage::

    python benchmarks/eval_breakdown.py ../shared/eval/dev/lgl_dev.jsonl [--resolution-only]

Prints the plain report, then: misses that are demonyms, misses inside a longer organisation,
facility, event or product name (by the spaCy model's own entities), the F1 with those gold
toponyms set aside, and far errors that fall within 161 km once the gold longitude's sign is
flipped.
"""

from __future__ import annotations

import argparse

from geomap import Pipeline
from geomap.evaluation import distance_km, evaluate, format_report, load_gold, predict

_ORGANISATION_LABELS = {"ORG", "FAC", "EVENT", "WORK_OF_ART", "PRODUCT"}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("gold")
    parser.add_argument("--resolution-only", action="store_true")
    args = parser.parse_args()

    gold = load_gold(args.gold)
    pipeline = Pipeline()
    report = evaluate(gold, predict(pipeline, gold), resolution_only=args.resolution_only,
                      country_of=pipeline.gazetteer.country_at)
    print(format_report(report))

    texts = {doc.id: doc.text for doc in gold}
    parsed = {}
    demonyms = inside = 0
    for case in report.error_cases:
        if case.predicted is not None:
            continue
        surface = case.gold.surface
        if pipeline.gazetteer.is_demonym(surface) or pipeline.gazetteer.is_demonym(surface.rstrip("s")):
            demonyms += 1
            continue
        if case.doc_id not in parsed:
            parsed[case.doc_id] = pipeline.nlp(texts[case.doc_id])
        for ent in parsed[case.doc_id].ents:
            if (ent.label_ in _ORGANISATION_LABELS and ent.start_char <= case.gold.start
                    and case.gold.end <= ent.end_char and ent.end_char - ent.start_char > case.gold.end - case.gold.start):
                inside += 1
                break
    misses = sum(1 for case in report.error_cases if case.predicted is None)
    print()
    print(f"misses {misses}: demonyms {demonyms}, inside organisation/facility/event names {inside}")
    if not args.resolution_only and report.lenient.tp:
        tp, fp = report.lenient.tp, report.lenient.fp
        precision = tp / (tp + fp)
        recall = tp / max(1, report.gold_toponyms - demonyms - inside)
        f1 = 2 * precision * recall / (precision + recall)
        print(f"lenient F1 with those gold toponyms set aside: {f1:.3f} (P {precision:.3f}, R {recall:.3f})")

    far = flipped = 0
    for case in report.error_cases:
        p = case.predicted
        if p is None or p.lat is None or case.error_km is None or case.error_km <= 161 or case.gold.lat is None:
            continue
        far += 1
        if distance_km(case.gold.lat, -case.gold.lon, p.lat, p.lon) <= 161:
            flipped += 1
    print(f"far errors {far}, of which within 161 km once the gold longitude's sign is flipped: {flipped}")


if __name__ == "__main__":
    main()
