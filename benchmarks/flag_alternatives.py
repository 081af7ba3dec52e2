"""Other ways to choose the review flags, measured out of fold on the same folds (a measurement,
not a test; ``benchmarks/cv_resolver.py`` measures the shipped recipe).

Each fold's documents are answered by a ranker trained on the other folds (as in
``cv_resolver.py``); then every variant below fits its confidence model on the other folds'
held-out answers, chooses its review threshold there (at most ``--max-flagged`` of the mentions
flagged, :func:`geomap.training.fit.choose_threshold`) and flags the fold. Printed per variant,
pooled over the files: the flagged share of all mentions, the wrong answers flagged (wrong:
unresolved where the gold names a place, more than 161 km off -- a country counts when the gold
point lies in it -- or of the wrong kind where the gold gives one), the log loss of the
confidence over the gold-judged resolved answers, and what an unresolved flag rule hides: the
unresolved mentions left unflagged that the gold names (real places the map lacks) and, in the
files that annotate only some toponyms (WikToR, toporesolve), the unresolved mentions with no
gold left unflagged (mostly real places too: rivers, islands, villages).

Variants:

* ``logistic``: the shipped recipe (:func:`geomap.training.fit.fit_confidence`);
* ``logistic + document``: the same with what the rest of the document says of its places (the
  share of its other names unresolved, their mean share, how often the name recurs);
* ``logistic + share interactions``: the same with the share's logit times the answer's kind,
  match type, how it was found, population, rivals and context (:func:`share_interactions`);
* ``trees``: gradient-boosted trees (scikit-learn ``HistGradientBoostingClassifier``, depth 3);
* ``fuzzy and near ties by the confidence``: only unresolved mentions are flagged whatever their
  confidence; approximate spellings and near ties are left to the confidence model;
* ``unresolved by a place model, one threshold``: a logistic model of whether an unresolved
  mention names a place (spaCy's label or the gazetteer, a qualifier, a container, the number of
  words, capitals, digits, a lower-case word, how often the name recurs), fitted on the
  unresolved mentions of the files whose gold names every toponym; its probability of "no
  place" is the unresolved answer's confidence, flagged below the same threshold as the others;
* ``unresolved by a place model, keeps 95%``: an unresolved mention is flagged unless its place
  probability is below that of 95% of the unresolved mentions the gold names;
* ``ceiling: unresolved with no gold never flagged``: an oracle (it reads the gold) over the
  files whose gold names every toponym, to bound what any place model could give;
* ``ceiling: false places never flagged by the threshold``: an oracle that spends no flag on a
  place drawn where such a gold names none (an error a reviewer should see, but no wrong answer),
  to bound what telling places from non-places could give the wrong answers; ``both``: the two.

Usage::

    python benchmarks/flag_alternatives.py [FILE.jsonl ...] [--cache DIR] [--max-flagged 0.2]
"""

from __future__ import annotations

import argparse
import logging
import math
import pickle
import sys
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from train_options import DEFAULT_CACHE, add_arguments, load_corpora, train_options  # noqa: E402


@dataclass(frozen=True)
class Row:
    """One held-out mention: its fold, file, document, how it was found, its answer's features
    (empty when unresolved), whether it is right (``None``: no gold judges it), whether the
    review flags it whatever the threshold (and why), whether no gold span covers it."""

    fold: int
    corpus: str
    document: str
    name: str
    label: str | None
    hint: bool
    container: bool
    answer: tuple[tuple[int, float], ...]
    share: float
    right: bool | None
    flags: tuple[str, ...]
    unmatched: bool


def held_out_rows(corpora, gazetteer, options) -> list[Row]:
    """Every mention of every fold, answered by a ranker trained on the other folds."""
    from gazetteer import LinearScorer, Resolver, ResolverOptions
    from geomap.evaluation import match_spans
    from geomap.model import PlaceMention
    from geomap.review.report import flags_for
    from geomap.training.dataset import label_against_gold, toponyms_of
    from geomap.training.train import fit_model, fold_of

    k = options.folds
    rows: list[Row] = []
    for fold in range(k):
        weights = fit_model(corpora, gazetteer, options, keep=lambda d, f=fold: fold_of(d, k) != f)
        resolver = Resolver(gazetteer, ResolverOptions(), scorer=LinearScorer("fold", weights))
        for corpus in corpora:
            for doc in corpus.documents:
                key = f"{corpus.name}/{doc.id}"
                if fold_of(key, k) != fold:
                    continue
                mentions = corpus.mentions.get(doc.id, ())
                spans = [(m.start, m.end) for m in mentions]
                scored = [t for t in doc.toponyms if not t.embedded]
                pairs = {pi: gi for gi, pi in match_spans([(t.start, t.end) for t in scored], spans)}
                named = {pi for _, pi in match_spans([(t.start, t.end) for t in doc.toponyms], spans)}
                for pi, (m, (r, features)) in enumerate(zip(mentions, resolver.answers(toponyms_of(mentions, doc.text)))):
                    right = None
                    gi = pairs.get(pi)
                    if gi is not None and scored[gi].has_coordinates:
                        gold = scored[gi]
                        ids = corpus.ids.get((doc.id, gold.start, gold.end), (None, None))
                        right = r.place is not None and label_against_gold(r.place, gold, gazetteer.country_at, ids)
                    flags = flags_for(PlaceMention(m, replace(r, ambiguous=False)), gazetteer=gazetteer)
                    rows.append(Row(fold, corpus.name, key, m.name, m.label, m.hint is not None, bool(m.container),
                                    features if r.place is not None else (), r.confidence if r.place else 0.0,
                                    right, tuple(f.value for f in flags), pi not in named))
        logging.getLogger(__name__).info("fold %d of %d answered", fold + 1, k)
    return rows


# -- confidence models: fit on the training rows, then give the confidence of any rows ----------

Model = Callable[[list[Row]], Callable[[list[Row]], list[float]]]


def _matrix(rows, columns: int, extra: Callable[[Row], list[float]] | None = None):
    import numpy as np

    x = np.zeros((len(rows), columns + (len(extra(rows[0])) if extra and rows else 0)))
    for i, r in enumerate(rows):
        for j, v in r.answer:
            x[i, j] = v
        if extra:
            x[i, columns:] = extra(r)
    return x


def _logistic(x, y, l2: float):
    import numpy as np
    from scipy.optimize import minimize

    penalty = l2 * len(y)

    def loss(w):
        z = x @ w
        grad = x.T @ (1.0 / (1.0 + np.exp(-z)) - y)
        grad[1:] += penalty * w[1:]
        return (np.logaddexp(0.0, z) - y * z).sum() + 0.5 * penalty * (w[1:] @ w[1:]), grad

    return minimize(loss, np.zeros(x.shape[1]), jac=True, method="L-BFGS-B").x


def _judged(rows):
    return [r for r in rows if r.answer and r.right is not None]


def logistic(extra: Callable[[Row], list[float]] | None = None) -> Model:
    from gazetteer.ranker import ANSWER_FEATURES

    def fit(train: list[Row]):
        import numpy as np

        judged = _judged(train)
        w = _logistic(_matrix(judged, len(ANSWER_FEATURES), extra), np.array([float(bool(r.right)) for r in judged]), 3e-3)
        return lambda rows: list(1.0 / (1.0 + np.exp(-np.clip(_matrix(rows, len(ANSWER_FEATURES), extra) @ w, -30, 30))))
    return fit


def trees(train: list[Row]):
    from sklearn.ensemble import HistGradientBoostingClassifier

    from gazetteer.ranker import ANSWER_FEATURES

    judged = _judged(train)
    model = HistGradientBoostingClassifier(max_iter=200, max_depth=3, learning_rate=0.05, min_samples_leaf=40,
                                           random_state=0)
    model.fit(_matrix(judged, len(ANSWER_FEATURES)), [bool(r.right) for r in judged])
    return lambda rows: list(model.predict_proba(_matrix(rows, len(ANSWER_FEATURES)))[:, 1])


def document_features(rows: list[Row]) -> Callable[[Row], list[float]]:
    """What the rest of a mention's document says: the share of its other names unresolved, the
    mean share of their answers, how often the mention's name recurs (log2)."""
    by_doc: dict[str, list[Row]] = defaultdict(list)
    for r in rows:
        by_doc[r.document].append(r)

    def extra(r: Row) -> list[float]:
        others = [o for o in by_doc[r.document] if o.name != r.name]
        resolved = [o.share for o in others if o.answer]
        return [sum(1 for o in others if not o.answer) / len(others) if others else 0.0,
                sum(resolved) / len(resolved) - 1.0 if resolved else 0.0,
                math.log2(sum(1 for o in by_doc[r.document] if o.name == r.name))]
    return extra


def share_interactions() -> Callable[[Row], list[float]]:
    """The winner's share (logit) times the answer's kind, match type, how it was found, its
    population, its rivals and what the text says of it: pairwise terms for the logistic model."""
    from gazetteer.ranker import ANSWER_FEATURES, ANSWER_INDEX

    share = ANSWER_INDEX["share (logit)"]
    partners = [i for i, f in enumerate(ANSWER_FEATURES) if f.startswith((
        "answer kind=", "answer origin=", "found", "candidate countries", "answer population", "runner-up",
        "alone", "answer: text's country share", "answer: nearest"))]

    def extra(r: Row) -> list[float]:
        values = dict(r.answer)
        return [values.get(share, 0.0) * values.get(i, 0.0) for i in partners]
    return extra


def place_features(rows: list[Row]) -> Callable[[Row], list[float]]:
    """What an unresolved mention's name and finding say of whether it names a place."""
    recurs = Counter((r.document, r.name) for r in rows)

    def features(r: Row) -> list[float]:
        words = r.name.split()
        return [1.0, float(r.label == "GPE"), float(r.label == "LOC"), float(r.label == "GAZETTEER"),
                float(r.hint), float(r.container), float(len(words) == 2), float(len(words) >= 3),
                float(r.name.isupper() and len(r.name) > 1), float(any(c.isdigit() for c in r.name)),
                float(any(w[:1].islower() for w in words)), math.log2(recurs[(r.document, r.name)]),
                float(len(r.name) <= 4)]
    return features


# -- flag rules ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Variant:
    name: str
    model: Model
    #: Whether a resolved row is flagged whatever the threshold.
    anyway: Callable[[Row], bool] = lambda r: bool(r.flags)
    #: ``"flag"`` every unresolved row; ``"threshold"``: its confidence is its place model's
    #: probability of no place; ``"keep95"``: flagged unless below 95% of the gold-named ones;
    #: ``"oracle"``: flagged unless no gold names it in a file whose gold names every toponym.
    unresolved: str = "flag"
    #: An oracle: places drawn where a gold that names every toponym names none are never
    #: flagged by the threshold (they are errors a reviewer should see, but not wrong answers).
    spare_false_places: bool = False


def fit_place(train: list[Row], features, full_gold: set[str]) -> Callable[[list[Row]], list[float]]:
    """The probability that an unresolved mention names a place, fitted on the unresolved
    mentions of the files whose gold names every toponym (named by the gold: a place)."""
    import numpy as np

    unresolved = [r for r in train if not r.answer and r.corpus in full_gold]
    x = np.array([features(r) for r in unresolved])
    w = _logistic(x, np.array([0.0 if r.unmatched else 1.0 for r in unresolved]), 1e-2)
    return lambda rows: list(1.0 / (1.0 + np.exp(-np.array([features(r) for r in rows]).reshape(len(rows), -1) @ w)))


def evaluate(rows: list[Row], variant: Variant, folds: int, max_flagged: float, full_gold: set[str]):
    from geomap.training.fit import choose_threshold

    features = place_features(rows)
    flagged: dict[int, bool] = {}
    confidence: dict[int, float] = {}
    for fold in range(folds):
        train = [r for r in rows if r.fold != fold]
        test = [r for r in rows if r.fold == fold]
        model = variant.model(train)
        place = fit_place(train, features, full_gold) if variant.unresolved in ("threshold", "keep95") else None
        cut = 0.0
        if place is not None:
            unresolved = [r for r in rows if not r.answer]
            p_place = dict(zip(map(id, unresolved), place(unresolved)))
            if variant.unresolved == "keep95":
                real = sorted(p_place[id(r)] for r in train if not r.answer and not r.unmatched)
                cut = real[int(0.05 * len(real))]
        resolved = [r for r in train + test if r.answer]
        p_right = dict(zip(map(id, resolved), model(resolved)))

        def anyway(r: Row) -> bool:
            if r.answer:
                return variant.anyway(r)
            if variant.unresolved == "oracle":
                return not (r.unmatched and r.corpus in full_gold)
            return variant.unresolved == "flag" or (variant.unresolved == "keep95" and p_place[id(r)] >= cut)

        def conf(r: Row) -> float:
            if variant.spare_false_places and r.answer and r.unmatched and r.corpus in full_gold:
                return 1.0
            if r.answer:
                return p_right[id(r)]
            return 1.0 - p_place[id(r)] if variant.unresolved == "threshold" else 1.0

        threshold = choose_threshold([(conf(r), r.right, anyway(r)) for r in train], wrong_share=0.7,
                                     max_flagged=max_flagged)
        for r in test:
            confidence[id(r)] = p_right[id(r)] if r.answer else 0.0
            flagged[id(r)] = anyway(r) or conf(r) < threshold
    wrong = [r for r in rows if r.right is False]
    judged = _judged(rows)
    loss = -sum(math.log(min(max(confidence[id(r)], 1e-4), 1 - 1e-4) if r.right
                         else 1 - min(max(confidence[id(r)], 1e-4), 1 - 1e-4)) for r in judged) / len(judged)
    hidden_real = sum(1 for r in rows if not r.answer and r.right is not None and not flagged[id(r)])
    hidden_unknown = sum(1 for r in rows if not r.answer and r.right is None and r.unmatched
                         and r.corpus not in full_gold and not flagged[id(r)])
    caught = sum(flagged[id(r)] for r in wrong)
    per_corpus = {}
    for corpus in sorted({r.corpus for r in rows}):
        mine = [r for r in rows if r.corpus == corpus]
        w = [r for r in mine if r.right is False]
        per_corpus[corpus] = (sum(flagged[id(r)] for r in mine) / len(mine), sum(flagged[id(r)] for r in w), len(w))
    return (sum(flagged.values()) / len(rows), caught, len(wrong), loss, hidden_real, hidden_unknown, per_corpus)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("files", nargs="*", type=Path)
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--max-flagged", type=float, default=0.2)
    parser.add_argument("--cache", type=Path, default=DEFAULT_CACHE,
                        help=f"where the extracted mentions are kept (default {DEFAULT_CACHE})")
    parser.add_argument("--per-corpus", action="store_true", help="print each file's figures too")
    parser.add_argument("--rows", type=Path, default=None,
                        help="keep the held-out answers in this pickle (read it back when it exists)")
    add_arguments(parser)
    parser.add_argument("-v", "--verbose", action="store_true")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING)

    from geomap.training.cv import RESOLUTION_ONLY

    gazetteer, corpora = load_corpora(parser, args.files, args.cache)
    options = train_options(args, folds=args.folds)
    if args.rows is not None and args.rows.exists():
        with args.rows.open("rb") as handle:
            rows = pickle.load(handle)  # a file this script wrote
    else:
        rows = held_out_rows(corpora, gazetteer, options)
        if args.rows is not None:
            with args.rows.open("wb") as handle:
                pickle.dump(rows, handle)
    full_gold = {c.name for c in corpora} - RESOLUTION_ONLY
    variants = [
        Variant("logistic (shipped recipe)", logistic()),
        Variant("logistic + document", logistic(document_features(rows))),
        Variant("logistic + share interactions", logistic(share_interactions())),
        Variant("fuzzy and near ties by the confidence", logistic(), anyway=lambda r: False),
        Variant("unresolved by a place model, one threshold", logistic(), unresolved="threshold"),
        Variant("unresolved by a place model, keeps 95%", logistic(), unresolved="keep95"),
        Variant("ceiling: unresolved with no gold never flagged", logistic(), unresolved="oracle"),
        Variant("ceiling: false places never flagged by the threshold", logistic(), spare_false_places=True),
        Variant("ceiling: both", logistic(), unresolved="oracle", spare_false_places=True),
    ]
    try:
        import sklearn  # noqa: F401
        variants.insert(2, Variant("trees", trees))
    except ImportError:
        print("scikit-learn is not installed: the trees are left out")
    print(f"{args.folds}-fold document-level cross-validation, {len(rows)} mentions, at most "
          f"{args.max_flagged:.0%} flagged; pooled over {', '.join(c.name for c in corpora)}")
    print(f"  {'variant':<48} flagged  wrong flagged        log loss  real unresolved hidden  "
          "unannotated unresolved hidden")
    for variant in variants:
        share, caught, wrong, loss, real, unknown, per = evaluate(rows, variant, args.folds, args.max_flagged,
                                                                 full_gold)
        print(f"  {variant.name:<48} {share:.3f}    {caught:4d}/{wrong} = {caught / wrong:.3f}  {loss:.4f}  "
              f"{real:22d}  {unknown:29d}")
        if args.per_corpus:
            for corpus, (s, c, w) in per.items():
                print(f"      {corpus:<24} flagged {s:.3f}  wrong flagged {c}/{w}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
