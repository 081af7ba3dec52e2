"""How far any ranker could go on the pipeline's own mentions (a measurement, not a test).

The resolver can only answer with a candidate the gazetteer gives the name. For every gold file
(default: every ``*.jsonl`` in ``../shared/eval/dev``) the pipeline's mentions (extracted once
and cached, as ``cv_resolver.py`` does) are answered three ways and scored by
:func:`geomap.evaluation.evaluate`, as ``geomap eval`` scores a run:

* **shipped**: the shipped ranker's answers;
* **ceiling**: an oracle that reads the gold and picks, among all of the mention's scorable
  candidates (:meth:`gazetteer.Resolver.features`), the one nearest the gold point;
* **country-aware ceiling**: the same oracle, but a country the gold point lies in wins first
  (the country-aware accuracy's rule).

The ceilings bound accuracy@161 and its country-aware variant for every ranker over these
candidates: what they miss is the gazetteer's (the place is not in it, or only as a point too
far from the gold's) or the recogniser's (an unresolved name), never the ranking's.

Usage::

    python benchmarks/ranker_ceiling.py [FILE.jsonl ...] [--cache DIR]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from train_options import DEFAULT_CACHE, load_corpora  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("files", nargs="*", type=Path)
    parser.add_argument("--cache", type=Path, default=DEFAULT_CACHE,
                        help=f"where the extracted mentions are kept (default {DEFAULT_CACHE})")
    args = parser.parse_args(argv)

    from gazetteer import PlaceKind, Resolver, ResolverOptions
    from geomap.evaluation import Predicted, distance_km, evaluate, match_spans
    from geomap.training.cv import RESOLUTION_ONLY
    from geomap.training.dataset import toponyms_of

    gazetteer, corpora = load_corpora(parser, args.files, args.cache)
    resolver = Resolver(gazetteer, ResolverOptions())

    def predicted(mention, place) -> Predicted:
        return Predicted(mention.start, mention.end, mention.surface, place.lat if place else None,
                         place.lon if place else None, place.kind.value if place else None,
                         place.country_code if place else None)

    print(f"{'corpus':<24} {'pairs':>6}  acc@161 shipped / ceiling   country-aware shipped / ceiling")
    for corpus in corpora:
        runs: dict[str, dict[str, list[Predicted]]] = {"shipped": {}, "nearest": {}, "country": {}}
        for doc in corpus.documents:
            mentions = corpus.mentions.get(doc.id, ())
            toponyms = toponyms_of(mentions, doc.text)
            answers = resolver.resolve_all(toponyms)
            candidates = [f.places for f in resolver.features(toponyms)]
            gold_of = {pi: doc.toponyms[gi] for gi, pi in
                       match_spans([(t.start, t.end) for t in doc.toponyms], [(m.start, m.end) for m in mentions])}
            for run in runs.values():
                run[doc.id] = []
            for i, (mention, answer) in enumerate(zip(mentions, answers)):
                runs["shipped"][doc.id].append(predicted(mention, answer.place))
                gold, places = gold_of.get(i), candidates[i]
                if gold is None or not gold.has_coordinates or not places:
                    nearest = country = answer.place
                else:
                    nearest = min(places, key=lambda p: distance_km(gold.lat, gold.lon, p.lat, p.lon))
                    holder = gazetteer.country_at(gold.lat, gold.lon)
                    countries = [p for p in places if p.kind is PlaceKind.COUNTRY and p.country_code == holder]
                    near = distance_km(gold.lat, gold.lon, nearest.lat, nearest.lon) <= 161
                    country = nearest if near or not countries else countries[0]
                runs["nearest"][doc.id].append(predicted(mention, nearest))
                runs["country"][doc.id].append(predicted(mention, country))
        reports = {name: evaluate(corpus.documents, run, resolution_only=corpus.name in RESOLUTION_ONLY,
                                  country_of=gazetteer.country_at) for name, run in runs.items()}
        shipped, nearest, country = reports["shipped"], reports["nearest"], reports["country"]
        print(f"{corpus.name:<24} {shipped.resolution_pairs:>6}  {shipped.accuracy_at_161:.3f} / {nearest.accuracy_at_161:.3f}"
              f"               {shipped.country_aware_accuracy_at_161:.3f} / {country.country_aware_accuracy_at_161:.3f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
