"""Fitting the ranker: a conditional logit over each mention's candidates, a calibration of the
winner's share, and the review threshold.

The model is the resolver's own form (:class:`gazetteer.LinearScorer`): a weight per feature,
the softmax of the weighted sums over a mention's candidates giving each candidate's share. The
weights maximise the weighted log-likelihood of the right candidates (the sum of their shares,
since a mention may have several right answers, e.g. a city and its namesake district within
161 km) with an L2 penalty, by L-BFGS (:mod:`scipy`, the ``train`` extra).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass

from gazetteer.ranker import ANSWER_FEATURES, FAMILIES, FEATURES, PRIOR_SIGNS

from .dataset import Group

__all__ = ["fit_weights", "fit_confidence", "isotonic", "choose_threshold", "FitOptions"]

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class FitOptions:
    """How hard to regularise and how to start.

    Parameters
    ----------
    l2
        The L2 penalty on the weights, per unit of training weight (the sum of group weights).
    toward
        The weights the penalty pulls towards (a prior; ``()`` for zero): with the hand-tuned
        weights, the data only has to prove the corrections it makes.
    max_iter
        L-BFGS iterations.
    without
        Features left out of the model (their values read as 0, their weights stay at the
        prior): for ablations.
    family_l2
        ``(family, penalty)`` pairs: the L2 penalty of every feature of a family of
        :data:`~gazetteer.ranker.FAMILIES` (``kind``, ``context``, ``cue``, ...), over ``l2``.
        A light ``cue`` penalty lets the cue features, each of which fires on few mentions,
        move; a stiff ``kind`` or ``population`` penalty keeps the terms, which settle town
        against region, near the prior when the corpora disagree about them.
    prior_signs
        Keep the weights of :data:`~gazetteer.ranker.PRIOR_SIGNS` to their a-priori directions
        (a more populous place is never less likely; a name listed with towns is never likelier
        a region), as bounds of the optimisation.
    """

    l2: float = 1e-3
    max_iter: int = 500
    toward: tuple[tuple[str, float], ...] = ()
    without: tuple[str, ...] = ()
    family_l2: tuple[tuple[str, float], ...] = ()
    prior_signs: bool = False

    def penalties(self) -> tuple[float, ...]:
        """The L2 penalty of each feature of :data:`~gazetteer.ranker.FEATURES`."""
        by_feature = dict.fromkeys(FEATURES, self.l2)
        for family, penalty in self.family_l2:
            if family not in FAMILIES:
                raise ValueError(f"unknown feature family {family!r}: one of {', '.join(FAMILIES)}")
            by_feature.update((f, penalty) for f in FAMILIES[family])
        return tuple(by_feature[f] for f in FEATURES)

    def bounds(self) -> list[tuple[float | None, float | None]] | None:
        """Bounds of each weight for L-BFGS-B (``None``: unbounded)."""
        if not self.prior_signs:
            return None
        signs = dict(PRIOR_SIGNS)
        return [(0.0, None) if signs.get(f) == 1 else (None, 0.0) if signs.get(f) == -1 else (None, None)
                for f in FEATURES]


def _arrays(groups: Sequence[Group]):
    import numpy as np

    learnable = [g for g in groups if g.learnable]
    sizes = np.array([len(g.right) for g in learnable], dtype=np.int64)
    n = int(sizes.sum())
    x = np.zeros((n, len(FEATURES)))
    y = np.zeros(n, dtype=bool)
    row = 0
    for g in learnable:
        for features, right in zip(g.features, g.right):
            for index, value in features:
                x[row, index] = value
            y[row] = right
            row += 1
    offsets = np.concatenate([[0], np.cumsum(sizes)[:-1]])
    weights = np.array([g.weight for g in learnable])
    return x, y, offsets, sizes, weights


def fit_weights(groups: Sequence[Group], options: FitOptions = FitOptions(),
                start: dict[str, float] | None = None) -> dict[str, float]:
    """The feature weights that best rank the right candidates of ``groups`` first.

    Groups where no candidate, or every candidate, is right teach nothing and are skipped.
    """
    import numpy as np
    from scipy.optimize import minimize

    x, y, offsets, sizes, gweights = _arrays(groups)
    if len(sizes) == 0:
        raise ValueError("no training mention has both a right and a wrong candidate")
    group_of = np.repeat(np.arange(len(sizes)), sizes)
    total = gweights.sum()
    l2 = np.array(options.penalties()) * total
    x[:, [i for i, f in enumerate(FEATURES) if f in set(options.without)]] = 0.0  # as if never seen
    w_row = gweights[group_of]

    def loss(w):
        s = x @ w
        smax = np.maximum.reduceat(s, offsets)
        e = np.exp(s - smax[group_of])
        z = np.add.reduceat(e, offsets)
        zp = np.add.reduceat(np.where(y, e, 0.0), offsets)
        d = w - w_prior
        nll = -(gweights * (np.log(zp) - np.log(z))).sum() + 0.5 * (l2 * d) @ d
        p_all = e / z[group_of]
        p_pos = np.where(y, e / zp[group_of], 0.0)
        grad = x.T @ (w_row * (p_all - p_pos)) + l2 * d
        return nll, grad

    prior = dict(options.toward)
    w_prior = np.array([float(prior.get(f, 0.0)) for f in FEATURES])
    bounds = options.bounds()
    w0 = np.array([float((start or prior).get(f, 0.0)) for f in FEATURES])
    if bounds is not None:  # start inside the bounds
        w0 = np.clip(w0, [-np.inf if lo is None else lo for lo, _ in bounds],
                     [np.inf if hi is None else hi for _, hi in bounds])
    result = minimize(loss, w0, jac=True, method="L-BFGS-B", bounds=bounds, options={"maxiter": options.max_iter})
    log.info("fitted %d weights on %d groups (%d candidates): loss %.1f, %s",
             len(FEATURES), len(sizes), len(y), result.fun, result.message)
    return {f: float(v) for f, v in zip(FEATURES, result.x) if abs(v) > 1e-9}


def isotonic(pairs: Sequence[tuple[float, bool]], *, points: int = 24) -> tuple[tuple[float, float], ...]:
    """A non-decreasing map from a share to the rate of right answers (pool-adjacent-violators),
    as at most ``points`` knots ``(share, probability)`` for linear interpolation."""
    if not pairs:
        return ()
    ordered = sorted(pairs)
    blocks: list[list[float]] = []  # [sum of x, sum of y, count]
    for share, right in ordered:
        blocks.append([share, float(right), 1.0])
        while len(blocks) > 1 and blocks[-2][1] / blocks[-2][2] >= blocks[-1][1] / blocks[-1][2]:
            top = blocks.pop()
            for k in range(3):
                blocks[-1][k] += top[k]
    knots = [(b[0] / b[2], b[1] / b[2]) for b in blocks]
    if len(knots) > points:
        step = (len(knots) - 1) / (points - 1)
        knots = [knots[round(i * step)] for i in range(points)]
    # Keep the probabilities away from 0 and 1: a handful of mentions cannot prove certainty.
    n = len(pairs)
    return tuple((round(x, 6), round(min(max(y, 1.0 / (n + 2)), 1.0 - 1.0 / (n + 2)), 6)) for x, y in knots)


def choose_threshold(rows: Sequence[tuple[float, bool | None, bool]], *, wrong_share: float = 0.7,
                     max_flagged: float = 1.0) -> float:
    """The review threshold: the lowest confidence under which ``wrong_share`` of the wrong
    answers are flagged, lowered where needed so that at most ``max_flagged`` of all the
    answers are flagged.

    ``rows`` are ``(confidence, right, flagged anyway)`` of held-out answers; ``right`` is
    ``None`` for an answer no gold judges (it counts only towards the flagged share). A row
    flagged anyway (unresolved, approximate spelling) needs no threshold.
    """
    wrong = sorted(c for c, right, flagged in rows if right is False and not flagged)
    already = sum(1 for _, right, flagged in rows if right is False and flagged)
    threshold = 0.0
    need = wrong_share * (len(wrong) + already) - already
    if need > 0 and wrong:
        k = min(len(wrong), int(-(-need // 1)))  # ceil
        threshold = wrong[k - 1] + 1e-6
    open_rows = sorted(c for c, _, flagged in rows if not flagged)
    budget = int(max_flagged * len(rows)) - (len(rows) - len(open_rows))
    if budget < len(open_rows):
        cap = open_rows[max(budget, 0)] if budget >= 0 else 0.0  # flagging below it stays in budget
        threshold = min(threshold, cap)
    return round(threshold, 6)


def fit_confidence(rows: Sequence[tuple[Sequence[tuple[int, float]], bool]], *, l2: float = 3e-3) -> dict[str, float]:
    """A logistic model of whether an answer is right from its features
    (:data:`gazetteer.ranker.ANSWER_FEATURES`), fitted on held-out answers.

    ``l2`` (per answer, the bias left out): 3e-3 against 1e-2 gave the lower out-of-fold log
    loss once the answer's own context features were added (0.298 against 0.304, 5 folds), and
    kept answers given 0.6-0.7 right 0.63 of the time rather than 0.51."""
    import numpy as np
    from scipy.optimize import minimize

    x = np.zeros((len(rows), len(ANSWER_FEATURES)))
    y = np.zeros(len(rows))
    for i, (features, right) in enumerate(rows):
        for index, value in features:
            x[i, index] = value
        y[i] = right
    penalty = l2 * len(rows)

    def loss(w):
        z = x @ w
        p = 1.0 / (1.0 + np.exp(-z))
        nll = (np.logaddexp(0.0, z) - y * z).sum() + 0.5 * penalty * (w[1:] @ w[1:])
        grad = x.T @ (p - y)
        grad[1:] += penalty * w[1:]
        return nll, grad

    result = minimize(loss, np.zeros(len(ANSWER_FEATURES)), jac=True, method="L-BFGS-B")
    return {f: float(v) for f, v in zip(ANSWER_FEATURES, result.x) if abs(v) > 1e-9}
