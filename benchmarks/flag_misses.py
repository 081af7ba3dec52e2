"""What the review flags miss: the wrong answers left unflagged out of fold, by category.

Runs the document-level cross-validation of ``benchmarks/cv_resolver.py`` (each fold answered
by a ranker trained, calibrated and thresholded on the other folds) and sorts every wrong
answer -- gold-matched and unresolved, more than 161 km off (country-aware) or of the wrong
kind where the gold gives one -- into what went wrong:

* ``unresolved``: no gazetteer place fitted;
* ``gold longitude sign``: the answer lies within 161 km of the gold point once the gold
  longitude's sign is flipped (WikToR's processed copy lost some minus signs): right in fact;
* ``place right, kind differs``: within 161 km (or the right id) but the gold's kind or feature
  code says otherwise (TUD-Loc codes "southern Germany" REGION, LGL codes English counties ADM2);
* ``right candidate outranked``: a right place was among the candidates;
* ``span differs``: no right candidate, and the mention's words are not the gold's ("Northwest
  Arkansas" read as Arkansas);
* ``gazetteer lacks the place``: no right candidate, the name has a single candidate;
* ``gazetteer lacks the sense``: no right candidate among several (a namesake town, a large area
  whose representative point is far from the gold's).

It also says where the flags go: how many flagged mentions have no gold at all (unresolved or
resolved), which cost the reviewer's budget without counting as caught.

Usage::

    python benchmarks/flag_misses.py [FILE.jsonl ...] [--cache DIR] [--show N]
"""

from __future__ import annotations

import argparse
import random
import sys
from collections import Counter
from dataclasses import dataclass, replace
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_DIR = ROOT.parent / "shared" / "eval" / "dev"


@dataclass(frozen=True)
class Answer:
    corpus: str
    surface: str
    label: str
    answer: str
    confidence: float
    right: bool | None
    flagged: bool
    category: str | None
    excerpt: str


def _category(place, gold, candidates, right_of, mention, distance_km) -> str:
    if place is None:
        return "unresolved"
    km = distance_km(gold.lat, gold.lon, place.lat, place.lon)
    if km > 161 and distance_km(gold.lat, -gold.lon, place.lat, place.lon) <= 161:
        return "gold longitude sign flipped (answer right)"
    if km <= 161 or right_of(place, kind_free=True):
        return "place right, kind differs from the gold's"
    if any(right_of(p) for p in candidates):
        return "right candidate outranked"
    if mention.surface.strip() != gold.surface.strip():
        return "no right candidate: span differs from the gold's"
    if len(candidates) == 1:
        return "no right candidate: gazetteer lacks the place (one candidate)"
    return "no right candidate: gazetteer lacks the sense (several candidates)"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("files", nargs="*", type=Path)
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--cache", type=Path, default=Path("/tmp/geomap-mentions"))
    parser.add_argument("--show", type=int, default=0, help="print this many missed answers of each category")
    args = parser.parse_args(argv)

    from gazetteer import LinearScorer, Resolver, ResolverOptions, open_default
    from geomap.evaluation import distance_km, match_spans
    from geomap.extract import PlaceExtractor
    from geomap.model import PlaceMention
    from geomap.review import is_flagged
    from geomap.training.corpus import extracted
    from geomap.training.dataset import label_against_gold, toponyms_of
    from geomap.training.train import TrainOptions, calibrate, fit_model, fold_of, held_out_answers

    files = args.files or sorted(DEFAULT_DIR.glob("*.jsonl"))
    if not files:
        parser.error(f"no gold files given and none in {DEFAULT_DIR}: name them")
    gazetteer = open_default()
    corpora = [extracted(f, PlaceExtractor(gazetteer), args.cache) for f in files]
    options = TrainOptions(folds=args.folds)
    k = options.folds
    weights = [fit_model(corpora, gazetteer, options, keep=lambda d, f=f: fold_of(d, k) != f) for f in range(k)]
    rows = [held_out_answers(corpora, gazetteer, LinearScorer("fold", w), keep=lambda d, f=f: fold_of(d, k) == f)
            for f, w in enumerate(weights)]
    answers: list[Answer] = []
    for fold in range(k):
        confidence, threshold = calibrate([r for f, rs in enumerate(rows) if f != fold for r in rs],
                                          options.flag_wrong_share, options.max_flagged)
        scorer = LinearScorer(f"fold {fold}", weights[fold], flag_below=threshold, confidence_of=confidence)
        resolver = Resolver(gazetteer, ResolverOptions(), scorer=scorer)
        for corpus in corpora:
            for doc in corpus.documents:
                if fold_of(f"{corpus.name}/{doc.id}", k) != fold:
                    continue
                mentions = corpus.mentions.get(doc.id, ())
                toponyms = toponyms_of(mentions, doc.text)
                resolutions = resolver.resolve_all(toponyms)
                candidates = resolver.features(toponyms)
                scored = [t for t in doc.toponyms if not t.embedded]
                pairs = {pi: scored[gi] for gi, pi in
                         match_spans([(t.start, t.end) for t in scored], [(m.start, m.end) for m in mentions])}
                for i, (m, r) in enumerate(zip(mentions, resolutions)):
                    gold = pairs.get(i)
                    right, category = None, None
                    if gold is not None and gold.has_coordinates:
                        ids = corpus.ids.get((doc.id, gold.start, gold.end), (None, None))

                        def right_of(place, kind_free=False, gold=gold, ids=ids):
                            g = replace(gold, kind=None) if kind_free else gold
                            return label_against_gold(place, g, gazetteer.country_at, (ids[0], None) if kind_free else ids)

                        right = r.place is not None and right_of(r.place)
                        if not right:
                            category = _category(r.place, gold, candidates[i].places, right_of, m, distance_km)
                    p = r.place
                    answers.append(Answer(corpus.name, m.surface, m.label,
                                          f"{p.name} ({p.kind.value}, {p.country_code})" if p else "-",
                                          r.confidence if p else 0.0, right,
                                          is_flagged(PlaceMention(m, r), gazetteer=gazetteer), category,
                                          doc.text[max(0, m.start - 50):m.end + 50].replace("\n", " ")))
    flagged = [a for a in answers if a.flagged]
    wrong = [a for a in answers if a.right is False]
    print(f"{len(answers)} answers, {len(flagged)} flagged ({len(flagged) / len(answers):.3f}); "
          f"{len(wrong)} wrong, {sum(a.flagged for a in wrong)} of them flagged "
          f"({sum(a.flagged for a in wrong) / len(wrong):.3f})")
    print(f"flagged with no gold to judge them: {sum(a.right is None and a.answer == '-' for a in flagged)} unresolved, "
          f"{sum(a.right is None and a.answer != '-' for a in flagged)} resolved; "
          f"flagged and right: {sum(a.right is True for a in flagged)}")
    every, missed = Counter(a.category for a in wrong), Counter(a.category for a in wrong if not a.flagged)
    print(f"{'category':<66} wrong  not flagged")
    for category, n in every.most_common():
        print(f"  {category:<64} {n:5d}  {missed[category]:5d}")
    by_corpus = Counter(a.corpus for a in wrong if not a.flagged)
    print("not flagged, by corpus:", ", ".join(f"{c} {n}" for c, n in by_corpus.most_common()))
    if args.show:
        rng = random.Random(0)
        for category in every:
            left = [a for a in wrong if not a.flagged and a.category == category]
            print(f"== {category}")
            for a in rng.sample(left, min(args.show, len(left))):
                print(f"  {a.corpus[:10]:<10} {a.label:<9} {a.confidence:.2f} {a.surface!r} -> {a.answer} | {a.excerpt!r}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
