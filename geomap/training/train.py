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
import json
import logging
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from gazetteer import HAND_TUNED, Gazetteer, LinearScorer, Resolver, ResolverOptions, default_scorer
from gazetteer.model import REGION_KINDS
from gazetteer.ranker import FEATURE_INDEX

from ..evaluation import match_spans
from ..model import PlaceMention
from ..review import is_flagged
from .corpus import GoldCorpus, extracted
from .dataset import Group, distant_groups, gold_groups, label_against_gold, toponyms_of
from .decisions import DECISION_WEIGHT, adapt, decision_groups
from .fit import FitOptions, choose_threshold, fit_confidence, fit_weights

__all__ = ["TrainOptions", "fold_of", "train_scorer", "train_from_files", "write_model", "fit_model",
           "held_out_answers", "HeldOut"]

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
    flag_wrong_share, max_flagged
        The review threshold is the lowest that flags ``flag_wrong_share`` of the held-out wrong
        answers, but never so high that more than ``max_flagged`` of all held-out predictions
        are flagged (the reviewer's budget wins).
    corpus_balance
        0 weighs every mention alike; 1 gives every corpus the same total weight (a large
        corpus of one genre, such as WikToR's, does not then set the weights for news).
    distant_kind_balance
        0 weighs every masked-qualifier example alike; 1 gives those whose answer is a town and
        those whose answer is a region the same total weight within each corpus. Writers
        qualify regions ("the Kherson region", "X County") more often than towns, so the masked
        examples teach "region" more often than bare names mean one.
    fit
        See :class:`~geomap.training.fit.FitOptions`; by default the hand-tuned weights are
        the prior the L2 penalty pulls towards (measured by 3-fold cross-validation: with a
        zero prior, GeoWebNews accuracy@161 fell from 0.776 to 0.739 while with the hand prior
        every corpus stayed within a mention or two of the hand-tuned figures or above them).
        The cue features (no hand-set prior; each fires on few mentions) get a lighter penalty,
        0.005 (5-fold CV: 0.001 and 0.002 did no better, 0.03 left them at about 0). Chosen by
        leave-one-corpus-out (``benchmarks/loco_resolver.py``), the a-priori signs
        (``prior_signs``) with ``distant_kind_balance`` 0.5 put more towns and regions on the
        right side unseen (TUD-Loc 0.854 -> 0.864, LGL 0.944 -> 0.951) but cost 5-fold CV
        (LGL accuracy@161 0.805 -> 0.802, WikToR 0.764 -> 0.762, wrong answers flagged 732 ->
        712 of about 1,395): both stay off by default (see the README).
    """

    folds: int = 5
    rounds: int = 1
    distant_weight: float = 1.0
    flag_wrong_share: float = 0.7
    max_flagged: float = 0.2
    corpus_balance: float = 0.0
    distant_kind_balance: float = 0.0
    fit: FitOptions = field(default_factory=lambda: FitOptions(l2=0.03, toward=tuple(HAND_TUNED.weight_of.items()),
                                                                family_l2=(("cue", 0.005),)))


def fold_of(document: str, folds: int) -> int:
    """The fold of a document key (``corpus/id``): a stable hash, so folds never depend on
    file order or on which other documents are present."""
    return int(hashlib.sha1(document.encode("utf-8")).hexdigest()[:8], 16) % folds


_CITY = FEATURE_INDEX["kind=city"]
_AREAS = frozenset(FEATURE_INDEX[f"kind={kind.value}"] for kind in REGION_KINDS)


def _side(group: Group) -> str | None:
    """``"town"`` or ``"area"`` when every right candidate of a group is of that side of the
    town-versus-region divide, else ``None``."""
    kinds = {i for features, right in zip(group.features, group.right) if right
             for i, _ in features if i == _CITY or i in _AREAS}
    if kinds == {_CITY}:
        return "town"
    return "area" if kinds and _CITY not in kinds else None


def kind_balanced(groups: Sequence[Group], balance: float) -> list[Group]:
    """``groups`` reweighted so that the town and region answers among them weigh alike
    (``balance`` 1), or partway (``0 < balance < 1``); groups of neither side keep their weight."""
    counts = {"town": 0, "area": 0}
    for g in groups:
        side = _side(g)
        if side is not None and g.learnable:
            counts[side] += 1
    if balance <= 0 or not counts["town"] or not counts["area"]:
        return list(groups)
    mean = (counts["town"] + counts["area"]) / 2
    scale = {side: (mean / n) ** balance for side, n in counts.items()}
    return [replace(g, weight=g.weight * scale[side]) if (side := _side(g)) else g for g in groups]


def _groups(corpora: Sequence[GoldCorpus], resolver: Resolver, country_of, keep: Callable[[str], bool],
            distant_weight: float, balance: float = 0.0, kind_balance: float = 0.0) -> list[Group]:
    per_corpus: list[list[Group]] = []
    for corpus in corpora:
        docs = [d.id for d in corpus.documents if keep(f"{corpus.name}/{d.id}")]
        found = gold_groups(corpus, resolver, country_of=country_of, documents=docs)
        if distant_weight > 0:
            found += kind_balanced(distant_groups(corpus, resolver, country_of=country_of, documents=docs,
                                                  weight=distant_weight), kind_balance)
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
                         options.corpus_balance, options.distant_kind_balance) + list(extra)
        if extra_for is not None:
            groups += list(extra_for(resolver))
        weights = fit_weights(groups, options.fit, start=weights or None)
        scorer = LinearScorer("learned", weights)
        log.info("round %d: %d groups", round_ + 1, len(groups))
    return weights


@dataclass(frozen=True)
class HeldOut:
    """One held-out answer: its confidence, whether it is right (``None``: no gold judges it),
    whether the review would flag it anyway (unresolved, approximate spelling), its features,
    and where it comes from."""

    document: str
    share: float
    right: bool | None
    flagged_anyway: bool
    answer: tuple[tuple[int, float], ...] = ()


def held_out_answers(corpora: Sequence[GoldCorpus], gazetteer: Gazetteer, scorer: LinearScorer,
                     keep: Callable[[str], bool]) -> list[HeldOut]:
    """The answers ``scorer`` gives to every mention of the documents ``keep`` accepts; those
    matched to a gold toponym with coordinates are judged right or wrong."""
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
            pairs = dict((pi, gi) for gi, pi in
                         match_spans([(t.start, t.end) for t in scored], [(m.start, m.end) for m in mentions]))
            answers = resolver.answers(toponyms_of(mentions, doc.text))
            for pi, (mention, (answer, features)) in enumerate(zip(mentions, answers)):
                right: bool | None = None
                gi = pairs.get(pi)
                if gi is not None and scored[gi].has_coordinates:
                    gold = scored[gi]
                    ids = corpus.ids.get((doc.id, gold.start, gold.end), (None, None))
                    right = answer.place is not None and label_against_gold(answer.place, gold, country_of, ids)
                # Flagged whatever the threshold: unresolved, approximate spelling, narrow margin.
                anyway = is_flagged(PlaceMention(mention, replace(answer, ambiguous=False)), gazetteer=gazetteer)
                rows.append(HeldOut(key, answer.confidence if answer.place else 0.0, right, anyway, features))
    return rows


def calibrate(rows: Sequence[HeldOut], wrong_share: float, max_flagged: float) -> tuple[dict[str, float], float]:
    """The confidence model fitted on the judged held-out answers, and the review threshold
    on it (see :func:`~geomap.training.fit.choose_threshold`)."""
    judged = [r for r in rows if r.answer and r.right is not None]
    model = fit_confidence([(r.answer, bool(r.right)) for r in judged])
    probe = LinearScorer("probe", {}, confidence_of=model)
    threshold = choose_threshold([(probe.confidence(r.share, r.answer) if r.answer else 0.0, r.right, r.flagged_anyway)
                                  for r in rows], wrong_share=wrong_share, max_flagged=max_flagged)
    return model, threshold


def train_scorer(corpora: Sequence[GoldCorpus], gazetteer: Gazetteer, options: TrainOptions = TrainOptions(), *,
                 extra_for: Callable[[Resolver], Sequence[Group]] | None = None,
                 metadata: dict[str, object] | None = None) -> LinearScorer:
    """Train the ranker on every document of ``corpora``: weights, then the calibration and the
    review threshold from out-of-fold answers (see the module docstring)."""
    rows: list[HeldOut] = []
    for k in range(options.folds):
        try:
            weights = fit_model(corpora, gazetteer, options, keep=lambda d, k=k: fold_of(d, options.folds) != k,
                                extra_for=extra_for)
        except ValueError:  # the other folds hold nothing to learn from (a small corpus)
            log.warning("fold %d of %d: nothing to learn from the other folds; its answers are not held out",
                        k + 1, options.folds)
            continue
        rows += held_out_answers(corpora, gazetteer, LinearScorer("fold", weights),
                                 keep=lambda d, k=k: fold_of(d, options.folds) == k)
    weights = fit_model(corpora, gazetteer, options, extra_for=extra_for)
    if not any(r.answer and r.right is not None for r in rows):
        raise ValueError(f"no held-out answer to calibrate the confidence on: give more gold documents "
                         f"than {options.folds} folds can split")
    confidence, threshold = calibrate(rows, options.flag_wrong_share, options.max_flagged)
    meta = {"corpora": [c.name for c in corpora], "documents": sum(len(c.documents) for c in corpora),
            "folds": options.folds, "rounds": options.rounds, "distant_weight": options.distant_weight,
            "distant_kind_balance": options.distant_kind_balance, "family_l2": dict(options.fit.family_l2),
            "prior_signs": options.fit.prior_signs,
            "l2": options.fit.l2, "flag_wrong_share": options.flag_wrong_share,
            "max_flagged": options.max_flagged,
            "held_out_answers": len(rows), **(metadata or {})}
    return LinearScorer("learned", weights, flag_below=threshold, confidence_of=confidence, metadata=meta)


def write_model(scorer: LinearScorer, path: str | os.PathLike[str]) -> Path:
    """Write a model file (JSON) atomically: a reader never sees half a model."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(target.name + ".tmp")
    tmp.write_text(json.dumps(scorer.to_dict(), indent=1) + "\n", encoding="utf-8")
    tmp.replace(target)
    return target


def train_from_files(gold: Sequence[str | os.PathLike[str]], gazetteer: Gazetteer, *,
                     extractor: Any = None, decisions: Sequence[Any] = (), documents: Sequence[Any] = (),
                     base: LinearScorer | None = None, options: TrainOptions = TrainOptions(),
                     cache_dir: str | os.PathLike[str] | None = None) -> LinearScorer:
    """What ``geomap train`` does.

    Parameters
    ----------
    gold
        Gold JSON Lines files; with none, the model is ``base`` adapted to the decisions.
    gazetteer, extractor
        The gazetteer, and the pipeline's extractor (finds the gold texts' mentions).
    decisions, documents
        Loaded decisions files (:func:`geomap.decisions.load_decisions`) and the parsed
        documents they were made on.
    base
        The model that decisions adapt when no gold is given (default: the shipped ranker).
    cache_dir
        Where the gold texts' mentions are kept between runs (none when ``None``).
    """
    def decided(resolver: Resolver) -> list[Group]:
        return [g for d in decisions for g in decision_groups(documents, d, gazetteer, resolver, weight=DECISION_WEIGHT)]

    if not gold:
        start = base or default_scorer()
        return adapt(start, decided(Resolver(gazetteer, ResolverOptions(), scorer=start)))
    corpora = [extracted(path, extractor, cache_dir) for path in gold]
    return train_scorer(corpora, gazetteer, options, extra_for=decided if decisions else None,
                        metadata={"decisions": len(decisions)})
