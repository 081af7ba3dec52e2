"""Learning from a reviewer: a decisions file (``geomap review``) as training data.

Each decision that pins a mention to a gazetteer place the resolver had among its candidates
becomes a labelled group: that place right, the others wrong, with the features the mention's
candidates have in its document. :func:`adapt` then refits the ranker's weights on these
groups (and any gold groups given), pulled towards a base model's weights, so a few decisions
move the weights that explain them (for instance the weight of a bare name's admin-1 reading)
without forgetting the rest. The adapted model answers new documents: the same kind of mention
in another article follows the reviewer.

"Not a place" decisions and places the gazetteer lacks teach the ranker nothing (they are
about recognition and the gazetteer) and are left out.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from dataclasses import replace

from gazetteer import Gazetteer, LinearScorer, Resolver

from ..review.decisions import Decisions, apply_decisions
from ..model import Document
from .dataset import Group, toponyms_of
from .fit import FitOptions, fit_weights

__all__ = ["decision_groups", "adapt"]

log = logging.getLogger(__name__)

#: How much one reviewer's decision weighs against one gold mention.
DECISION_WEIGHT = 5.0


def decision_groups(documents: Iterable[Document], decisions: Decisions, gazetteer: Gazetteer,
                    resolver: Resolver, *, weight: float = DECISION_WEIGHT) -> list[Group]:
    """The labelled groups the decisions give on the parsed documents they were made on."""
    docs = list(documents)
    applied = apply_decisions(docs, decisions, gazetteer)
    by_doc: dict[str, dict[int, str]] = {}
    for a in applied.applied:
        if a.after is not None and a.after.place is not None:
            by_doc.setdefault(a.document_id, {})[a.before.mention.start] = a.after.place.id
    groups: list[Group] = []
    for doc in docs:
        pinned = by_doc.get(doc.id)
        if not pinned:
            continue
        mentions = [pm.mention for pm in doc.mentions]
        features = resolver.features(toponyms_of(mentions, doc.text))
        for mention, found in zip(mentions, features):
            chosen = pinned.get(mention.start)
            if chosen is None:
                continue
            right = tuple(p.id == chosen for p in found.places)
            if any(right) and not all(right):
                groups.append(Group(f"decisions/{doc.id}", "decision", found.features, right, weight))
            else:
                log.info("%s@%d: the decided place is not among %r's candidates; nothing to learn",
                         doc.id, mention.start, mention.name)
    return groups


def adapt(base: LinearScorer, groups: Sequence[Group], *, strength: float = 1.0,
          options: FitOptions = FitOptions()) -> LinearScorer:
    """``base`` refitted on ``groups``, its weights the prior: ``strength`` scales how hard the
    weights are held to the base (per unit of training weight). The base's confidence model and
    review threshold are kept."""
    if not any(g.learnable for g in groups):
        raise ValueError("no decision pins a place that competed with others: nothing to learn")
    toward = tuple(base.weight_of.items())
    fit = replace(options, l2=options.l2 * strength * 10, toward=toward)
    weights = fit_weights(groups, fit, start=dict(base.weight_of))
    meta = dict(base.metadata)
    meta["adapted_on_decisions"] = sum(1 for g in groups if g.source == "decision")
    return LinearScorer(f"{base.name}+decisions", weights, base.calibration, base.flag_below,
                        base.confidence_of, meta)
