"""Document-level cross-validation of a trained ranker beside another scorer on the same folds.

Each fold's documents are answered by a model trained on the other folds only; its calibration
and review threshold are fitted on the other folds' held-out answers (so no figure of a fold
ever saw that fold). The answers of all folds are then scored per corpus with
:func:`geomap.evaluation.evaluate`, as ``geomap eval`` scores a run.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, replace

from gazetteer import Gazetteer, LinearScorer, Resolver, ResolverOptions
from gazetteer.model import REGION_KINDS

from ..evaluation import EvalReport, Predicted, evaluate, match_spans, normalize_kind
from ..model import PlaceMention
from ..review import is_flagged
from .corpus import GoldCorpus
from .dataset import label_against_gold, toponyms_of
from .train import HeldOut, TrainOptions, calibrate, fit_model, fold_of, held_out_answers

__all__ = ["CorpusFigures", "Judged", "FLAG_USES", "answer", "cross_validate", "figures", "flag_uses", "trade_off"]

log = logging.getLogger(__name__)

RESOLUTION_ONLY = frozenset({"wiktor_dev500", "toporesolve_localnews"})
BINS = (0.0, 0.2, 0.4, 0.6, 0.7, 0.8, 0.9, 0.95, 1.0001)


@dataclass(frozen=True)
class Judged:
    """One prediction: its confidence, whether it is right (``None``: no gold to judge it by),
    whether the review flags it, whether it would be flagged without the confidence
    threshold (unresolved, approximate spelling, narrow margin), whether it matches no gold
    span at all (in a corpus whose gold names every toponym, a place drawn where the text
    names none), and whether a place was chosen."""

    confidence: float
    right: bool | None
    flagged: bool
    flagged_anyway: bool
    unmatched: bool = False
    resolved: bool = True


@dataclass(frozen=True)
class CorpusFigures:
    """One scorer's figures on one corpus."""

    corpus: str
    report: EvalReport
    flagged_share: float | None
    wrong: int
    wrong_flagged: int
    #: (low, high, answers, right) per confidence bin, over the gold-matched answers.
    reliability: tuple[tuple[float, float, int, int], ...]
    judged: tuple[Judged, ...] = ()
    #: Answers matched to a gold city or region (first- or second-level) by the gold's kind or
    #: GeoNames feature code, and those whose answer is of the same of the two kinds.
    city_or_area: tuple[int, int] = (0, 0)

    @property
    def city_or_area_accuracy(self) -> float | None:
        n, right = self.city_or_area
        return right / n if n else None

    @property
    def wrong_flagged_share(self) -> float | None:
        return self.wrong_flagged / self.wrong if self.wrong else None


def answer(corpus: GoldCorpus, gazetteer: Gazetteer, scorer: LinearScorer, documents: set[str], *,
           old_flags: bool = False) -> tuple[dict[str, list[Predicted]], list[tuple[float, bool, bool]]]:
    """The predictions of ``scorer`` on the named documents of a corpus, and for each
    gold-matched answer ``(confidence, right, flagged)``.

    ``right`` is country- and kind-aware (a country answer is right when the gold point lies in
    it; where the gold gives a kind, the kind must agree). With ``old_flags`` the review flags
    ignore the resolver's ``ambiguous`` mark, as before the learned ranker.
    """
    resolver = Resolver(gazetteer, ResolverOptions(), scorer=scorer)
    predicted: dict[str, list[Predicted]] = {}
    judged: list[Judged] = []
    for doc in corpus.documents:
        if doc.id not in documents:
            continue
        mentions = corpus.mentions.get(doc.id, ())
        resolutions = resolver.resolve_all(toponyms_of(mentions, doc.text))
        preds, flags, others = [], [], []
        for m, r in zip(mentions, resolutions):
            other = is_flagged(PlaceMention(m, replace(r, ambiguous=False)), gazetteer=gazetteer)
            flagged = other if old_flags else is_flagged(PlaceMention(m, r), gazetteer=gazetteer)
            flags.append(flagged)
            others.append(other)
            p = r.place
            preds.append(Predicted(m.start, m.end, m.surface, p.lat if p else None, p.lon if p else None,
                                   p.kind.value if p else None, p.country_code if p else None, flagged))
        predicted[doc.id] = preds
        scored = [t for t in doc.toponyms if not t.embedded]
        status: list[bool | None] = [None] * len(mentions)
        unmatched = [True] * len(mentions)
        for gi, pi in match_spans([(t.start, t.end) for t in doc.toponyms], [(m.start, m.end) for m in mentions]):
            unmatched[pi] = False  # embedded gold spans too: the text does name a place there
        for gi, pi in match_spans([(t.start, t.end) for t in scored], [(m.start, m.end) for m in mentions]):
            gold, r = scored[gi], resolutions[pi]
            if not gold.has_coordinates:
                continue
            ids = corpus.ids.get((doc.id, gold.start, gold.end), (None, None))
            status[pi] = r.place is not None and label_against_gold(r.place, gold, gazetteer.country_at, ids)
        for r, right, flagged, other, alone in zip(resolutions, status, flags, others, unmatched):
            judged.append(Judged(r.confidence if r.place else 0.0, right, flagged, other, alone and r.place is not None,
                                 r.place is not None))
    return predicted, judged


def figures(corpus: GoldCorpus, gazetteer: Gazetteer, predicted: dict[str, list[Predicted]],
            judged: Sequence[Judged]) -> CorpusFigures:
    """Score a corpus's predictions and judged answers."""
    report = evaluate(corpus.documents, predicted, resolution_only=corpus.name in RESOLUTION_ONLY,
                      country_of=gazetteer.country_at)
    n_pred = sum(len(v) for v in predicted.values())
    n_flagged = sum(1 for v in predicted.values() for p in v if p.flagged)
    gold = [j for j in judged if j.right is not None]
    wrong = [j for j in gold if not j.right]
    bins = []
    for low, high in zip(BINS, BINS[1:]):
        inside = [j for j in gold if low <= j.confidence < high]
        bins.append((low, min(high, 1.0), len(inside), sum(1 for j in inside if j.right)))
    return CorpusFigures(corpus.name, report, n_flagged / n_pred if n_pred else None, len(wrong),
                         sum(1 for j in wrong if j.flagged), tuple(bins), tuple(judged),
                         _city_or_area(corpus, predicted))


_AREAS = frozenset(kind.value for kind in REGION_KINDS)


def _city_or_area(corpus: GoldCorpus, predicted: dict[str, list[Predicted]]) -> tuple[int, int]:
    """``(answers, right)``: the resolved answers matched to a gold city or area, and those of
    the gold's side of the city-versus-area divide."""
    n = right = 0
    for doc in corpus.documents:
        preds = [p for p in predicted.get(doc.id, ()) if p.kind is not None]
        scored = [t for t in doc.toponyms if not t.embedded]
        for gi, pi in match_spans([(t.start, t.end) for t in scored], [(p.start, p.end) for p in preds]):
            gold = scored[gi]
            kind = gold.kind or corpus.ids.get((doc.id, gold.start, gold.end), (None, None))[1]
            side = normalize_kind(kind) if kind else None
            if side != "city" and side not in _AREAS:
                continue
            answer = normalize_kind(preds[pi].kind)
            n += 1
            right += (answer == "city") == (side == "city") and (answer == "city" or answer in _AREAS)
    return n, right


#: What a flag can fall on (:func:`flag_uses`), in the order the benchmarks print them.
FLAG_USES: tuple[str, ...] = ("wrong", "right", "false place", "unresolved, no gold", "resolved, no gold")


def _use(j: Judged, gold_names_every_toponym: bool) -> str:
    if j.right is not None:
        return "right" if j.right else "wrong"
    if not j.resolved:
        return "unresolved, no gold"
    return "false place" if j.unmatched and gold_names_every_toponym else "resolved, no gold"


def flag_uses(judged: Sequence[Judged], *, gold_names_every_toponym: bool) -> dict[str, tuple[int, int]]:
    """Where the review flags go: ``(mentions, flagged)`` for each of :data:`FLAG_USES`.

    ``wrong`` and ``right`` are the gold-judged answers (an unresolved mention the gold names is
    wrong); ``false place``, a place drawn where a gold that names every toponym names none;
    ``unresolved, no gold`` and ``resolved, no gold``, the mentions no gold judges (in a corpus
    that annotates only some toponyms, such as WikToR's, mostly real places left unannotated,
    so their flags count towards the reviewer's budget but never as caught errors).
    """
    out = {use: [0, 0] for use in FLAG_USES}
    for j in judged:
        counts = out[_use(j, gold_names_every_toponym)]
        counts[0] += 1
        counts[1] += j.flagged
    return {use: (n, flagged) for use, (n, flagged) in out.items()}


def trade_off(judged: Sequence[Judged], thresholds: Sequence[float]) -> list[tuple[float, float, float]]:
    """``(threshold, flagged share of all predictions, share of wrong answers flagged)`` were
    the review threshold each of ``thresholds``."""
    wrong = [j for j in judged if j.right is False]
    out = []
    for t in thresholds:
        flagged = sum(1 for j in judged if j.flagged_anyway or j.confidence < t)
        caught = sum(1 for j in wrong if j.flagged_anyway or j.confidence < t)
        out.append((t, flagged / len(judged) if judged else 0.0, caught / len(wrong) if wrong else 0.0))
    return out


def cross_validate(corpora: Sequence[GoldCorpus], gazetteer: Gazetteer, options: TrainOptions = TrainOptions(),
                   *, baseline: LinearScorer | None = None) -> dict[str, dict[str, CorpusFigures]]:
    """Figures per scorer (``"learned"`` and, with ``baseline``, ``"baseline"``) per corpus."""
    k = options.folds
    weights = []
    rows: list[list[HeldOut]] = []
    for fold in range(k):
        w = fit_model(corpora, gazetteer, options, keep=lambda d, f=fold: fold_of(d, k) != f)
        weights.append(w)
        rows.append(held_out_answers(corpora, gazetteer, LinearScorer("fold", w), keep=lambda d, f=fold: fold_of(d, k) == f))
        log.info("fold %d of %d trained", fold + 1, k)
    scorers = []
    for fold in range(k):
        others = [r for f, rs in enumerate(rows) if f != fold for r in rs]
        confidence, threshold = calibrate(others, options.flag_wrong_share, options.max_flagged)
        scorers.append(LinearScorer(f"fold {fold}", weights[fold], flag_below=threshold, confidence_of=confidence))
    out: dict[str, dict[str, CorpusFigures]] = {"learned": {}}
    if baseline is not None:
        out["baseline"] = {}
    for corpus in corpora:
        for name in out:
            predicted: dict[str, list[Predicted]] = {}
            judged: list[Judged] = []
            for fold in range(k):
                docs = {d.id for d in corpus.documents if fold_of(f"{corpus.name}/{d.id}", k) == fold}
                scorer = scorers[fold] if name == "learned" else baseline
                p, j = answer(corpus, gazetteer, scorer, docs, old_flags=name == "baseline")  # type: ignore[arg-type]
                predicted.update(p)
                judged += j
            out[name][corpus.name] = figures(corpus, gazetteer, predicted, judged)
    return out
