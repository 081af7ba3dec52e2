"""``geomap train``: learn the ranker's weights, calibration and review threshold from gold.

The recipe (:func:`train_scorer`):

1. every gold file's mentions (the pipeline's own, :mod:`geomap.training.corpus`) become
   labelled groups of candidates, with their features in the document context the hand-tuned
   scorer gives; mentions whose qualifier settles the kind add masked copies (distant
   supervision), and a reviewer's decisions add their pinned answers
   (:mod:`geomap.training.dataset`);
2. a conditional logit is fitted (:func:`geomap.training.fit.fit_weights`); the features are
   then computed again in the context the fitted model gives, and the model refitted
   (``rounds``);
3. the calibration of the winner's share and the review threshold are fitted on out-of-fold
   answers: the documents are split into folds, each fold is answered by a model trained on the
   others, and the held-out shares are mapped to the rate of right answers (isotonic).

Folds are always drawn by document, never by mention.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace

from gazetteer import HAND_TUNED, Gazetteer, LinearScorer, Resolver, ResolverOptions

from .corpus import GoldCorpus
from .dataset import Group, distant_groups, gold_groups, label_against_gold, toponyms_of
from .fit import FitOptions, choose_threshold, fit_confidence, fit_weights

__all__ = ["TrainOptions", "fold_of", "train_scorer", "fit_model", "held_out_answers", "HeldOut"]

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class TrainOptions:
    """The training recipe's knobs.

    Parameters
    ----------
    folds
        Document folds for the out-of-fold calibration.
    rounds
        How many times the features are recomputed in the context the last model gives.
    distant_weight
        Weight of a masked-qualifier example against a gold one (0 leaves them out).
    flag_wrong_share
        The share of held-out wrong answers the review threshold must flag.
    corpus_balance
        0 weighs every mention alike; 1 gives every corpus the same total weight (a large
        corpus of one genre, such as WikToR's, does not then set the weights for news).
    fit
        See :class:`~geomap.training.fit.FitOptions`.
    """

    folds: int = 5
    rounds: int = 2
    distant_weight: float = 0.5
    flag_wrong_share: float = 0.75
    corpus_balance: float = 0.0
    fit: FitOptions = field(default_factory=FitOptions)


def fold_of(document: str, folds: int) -> int:
    """The fold of a document key (``corpus/id``): a stable hash, so folds never depend on
    file order or on which other documents are present."""
    return int(hashlib.sha1(document.encode("utf-8")).hexdigest()[:8], 16) % folds


def _groups(corpora: Sequence[GoldCorpus], resolver: Resolver, country_of, keep: Callable[[str], bool],
            distant_weight: float, balance: float = 0.0) -> list[Group]:
    per_corpus: list[list[Group]] = []
    for corpus in corpora:
        docs = [d.id for d in corpus.documents if keep(f"{corpus.name}/{d.id}")]
        found = gold_groups(corpus, resolver, country_of=country_of, documents=docs)
        if distant_weight > 0:
            found += distant_groups(corpus, resolver, country_of=country_of, documents=docs, weight=distant_weight)
        per_corpus.append(found)
    if balance <= 0:
        return [g for found in per_corpus for g in found]
    sizes = [sum(g.weight for g in found if g.learnable) for found in per_corpus]
    mean = sum(sizes) / max(1, sum(1 for s in sizes if s))
    groups: list[Group] = []
    for found, size in zip(per_corpus, sizes):
        scale = (mean / size) ** balance if size else 1.0
        groups += [replace(g, weight=g.weight * scale) for g in found]
    return groups


def fit_model(corpora: Sequence[GoldCorpus], gazetteer: Gazetteer, options: TrainOptions = TrainOptions(), *,
              keep: Callable[[str], bool] = lambda _: True, extra: Sequence[Group] = (),
              extra_for: Callable[[Resolver], Sequence[Group]] | None = None) -> dict[str, float]:
    """The weights fitted on the documents ``keep`` accepts (no calibration).

    ``extra`` groups (or ``extra_for(resolver)``, computed in each round's context) are added
    to the training data, e.g. a reviewer's decisions.
    """
    country_of = gazetteer.country_at
    scorer: LinearScorer = HAND_TUNED
    weights: dict[str, float] = {}
    for round_ in range(max(1, options.rounds)):
        resolver = Resolver(gazetteer, ResolverOptions(), scorer=scorer)
        groups = _groups(corpora, resolver, country_of, keep, options.distant_weight,
                         options.corpus_balance) + list(extra)
        if extra_for is not None:
            groups += list(extra_for(resolver))
        weights = fit_weights(groups, options.fit, start=weights or None)
        scorer = LinearScorer("learned", weights)
        log.info("round %d: %d groups", round_ + 1, len(groups))
    return weights


@dataclass(frozen=True)
class HeldOut:
    """One held-out answer: the winner's share, whether it is right, whether the review
    would flag it anyway (unresolved, approximate spelling), and where it comes from."""

    document: str
    share: float
    right: bool
    flagged_anyway: bool
    answer: tuple[tuple[int, float], ...] = ()


def held_out_answers(corpora: Sequence[GoldCorpus], gazetteer: Gazetteer, scorer: LinearScorer,
                     keep: Callable[[str], bool]) -> list[HeldOut]:
    """The answers ``scorer`` gives to the gold-matched mentions of the documents ``keep`` accepts."""
    from ..evaluation import match_spans

    resolver = Resolver(gazetteer, ResolverOptions(), scorer=scorer)
    country_of = gazetteer.country_at
    rows: list[HeldOut] = []
    for corpus in corpora:
        for doc in corpus.documents:
            key = f"{corpus.name}/{doc.id}"
            if not keep(key):
                continue
            mentions = corpus.mentions.get(doc.id, ())
            scored = [t for t in doc.toponyms if not t.embedded]
            pairs = match_spans([(t.start, t.end) for t in scored], [(m.start, m.end) for m in mentions])
            if not pairs:
                continue
            answers = resolver.answers(toponyms_of(mentions))
            for gi, pi in pairs:
                gold, (answer, features) = scored[gi], answers[pi]
                if not gold.has_coordinates:
                    continue
                ids = corpus.ids.get((doc.id, gold.start, gold.end), (None, None))
                right = answer.place is not None and label_against_gold(answer.place, gold, country_of, ids)
                anyway = answer.place is None or answer.fuzzy or _approximate(gazetteer, answer)
                rows.append(HeldOut(key, answer.confidence if answer.place else 0.0, right, anyway, features))
    return rows


def _approximate(gazetteer: Gazetteer, answer) -> bool:
    from gazetteer import MatchOrigin

    origins = [m.origin for m in gazetteer.lookup(answer.toponym.name) if m.place.id == answer.place.id]
    return bool(origins) and min(origins) in (MatchOrigin.SPELLING, MatchOrigin.FUZZY)


def calibrate(rows: Sequence[HeldOut], wrong_share: float) -> tuple[dict[str, float], float]:
    """The confidence model fitted on held-out answers, and the review threshold on it."""
    resolved = [r for r in rows if r.answer]
    model = fit_confidence([(r.answer, r.right) for r in resolved])
    probe = LinearScorer("probe", {}, confidence_of=model)
    threshold = choose_threshold([(probe.confidence(r.share, r.answer) if r.answer else 0.0, r.right, r.flagged_anyway)
                                  for r in rows], wrong_share=wrong_share)
    return model, threshold


def train_scorer(corpora: Sequence[GoldCorpus], gazetteer: Gazetteer, options: TrainOptions = TrainOptions(), *,
                 extra_for: Callable[[Resolver], Sequence[Group]] | None = None,
                 metadata: dict[str, object] | None = None) -> LinearScorer:
    """Train the ranker on every document of ``corpora``: weights, then the calibration and the
    review threshold from out-of-fold answers (see the module docstring)."""
    rows: list[HeldOut] = []
    for k in range(options.folds):
        weights = fit_model(corpora, gazetteer, options, keep=lambda d, k=k: fold_of(d, options.folds) != k,
                            extra_for=extra_for)
        rows += held_out_answers(corpora, gazetteer, LinearScorer("fold", weights),
                                 keep=lambda d, k=k: fold_of(d, options.folds) == k)
    confidence, threshold = calibrate(rows, options.flag_wrong_share)
    weights = fit_model(corpora, gazetteer, options, extra_for=extra_for)
    meta = {"corpora": [c.name for c in corpora], "documents": sum(len(c.documents) for c in corpora),
            "folds": options.folds, "rounds": options.rounds, "distant_weight": options.distant_weight,
            "l2": options.fit.l2, "flag_wrong_share": options.flag_wrong_share,
            "held_out_answers": len(rows), **(metadata or {})}
    return LinearScorer("learned", weights, flag_below=threshold, confidence_of=confidence, metadata=meta)
