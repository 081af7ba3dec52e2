"""How the resolver weighs a candidate place: named features, and scorers that combine them.

The resolver (:mod:`gazetteer.resolver`) describes every candidate place of a name by the
features in :data:`FEATURES` (its kind and population, how the name matched, what the
qualifier and container say, what the rest of the document says). A :class:`Scorer` turns a
candidate's features into a score in log-odds units; the resolver's softmax over a name's
candidates turns the scores into shares, and the scorer's calibration turns the winner's share
into the probability that the answer is right.

Two scorers ship:

- :data:`HAND_TUNED`, the weights set by hand while the project grew (kept for comparison);
- the learned ranker, :func:`default_scorer`, a conditional-logit model trained on the gold
  corpora (``geomap train``; the README says how), read from ``gazetteer/data/ranker.json``.

Both are :class:`LinearScorer` instances: a weight per feature, so each candidate's reasons
are its features' contributions (weight x value), largest first.
"""

from __future__ import annotations

import json
import math
import os
from bisect import bisect_right
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from typing import Protocol

from .errors import RankerError

__all__ = ["FEATURES", "FEATURE_INDEX", "CUES", "CUE_FEATURES", "cue_feature", "ANSWER_FEATURES", "answer_features", "Scorer", "LinearScorer", "HAND_TUNED", "RankerError",
           "default_scorer", "load_scorer", "scorer_from_dict"]

#: The candidate features, in the order of a feature vector. ``kind=*`` are one-hot; the
#: ``*share`` features are shares of the document's placed mentions; see the resolver for each.
FEATURES: tuple[str, ...] = (
    # what the place is
    "kind=country", "kind=continent", "kind=admin1", "kind=region", "kind=admin2",
    "kind=physical", "kind=other", "kind=city",
    "city population (log10)", "capital", "population (log10)", "most populous candidate",
    "below the most populous (log10)",
    # how the name matched
    "origin=alias", "origin=alternate", "origin=variant", "origin=spelling", "origin=fuzzy",
    "not the area's own name", "a country has this name",
    # the mention's own words
    "qualifier agrees", "qualifier disagrees (country)", "qualifier disagrees", "container",
    "no qualifier, area", "no qualifier, city",
    # the rest of the document
    "text's country", "text's country share", "text's admin1", "text's admin1 share",
    "inside a named region", "near other places", "area near other places", "holds a named place",
    "nearest other place (log10 km)",
    "alone in the text",
    # the run's bias
    "preferred country", "outside the bounding box",
)

#: What a mention's place in the text says (``geomap.cues`` reads it): ``list``, a name in a list
#: of names ("X, Y and Z"); ``listed with towns`` / ``listed with areas``, the shares of the
#: other listed names currently answered as towns / as first- or second-level regions. Each cue
#: ``C`` is one feature, ``C, area``: it fires for the first- and second-level regions among a
#: name's candidates, so its learned weight says how far the cue tilts the name towards the
#: region rather than the town. (The words around the name, a dateline and a headline were
#: tried as cues too and left out: they did not help out of fold.)
CUES: tuple[str, ...] = ("list", "listed with towns", "listed with areas")
CUE_FEATURES: tuple[str, ...] = tuple(f"{cue}, area" for cue in CUES)
FEATURES += CUE_FEATURES
FEATURE_INDEX: dict[str, int] = {name: i for i, name in enumerate(FEATURES)}
_CUE_INDEX: dict[str, int] = {cue: FEATURE_INDEX[f"{cue}, area"] for cue in CUES}


def cue_feature(cue: str) -> int | None:
    """The index in :data:`FEATURES` of a cue's feature (``None`` for a cue not weighed)."""
    return _CUE_INDEX.get(cue)


#: The chosen candidate's own features that the confidence model reads too: whether the rest
#: of the text agrees with it (its country, its admin1, places near it), how its name matched.
_ANSWER_CONTEXT: tuple[str, ...] = (
    "text's country", "text's country share", "text's admin1", "text's admin1 share",
    "inside a named region", "near other places", "area near other places", "holds a named place",
    "nearest other place (log10 km)", "qualifier agrees", "container", "capital",
    "most populous candidate", "not the area's own name", "a country has this name",
)

#: What the confidence model reads of an answer (the chosen candidate and its rivals).
ANSWER_FEATURES: tuple[str, ...] = (
    "bias", "share (logit)", "runner-up share", "candidates (log2)",
    "answer kind=country", "answer kind=continent", "answer kind=admin1", "answer kind=region",
    "answer kind=admin2", "answer kind=physical", "answer kind=other", "answer kind=city",
    "answer population (log10)", "answer origin=alias", "answer origin=alternate", "answer origin=variant",
    "answer origin=spelling", "answer origin=fuzzy", "qualified", "container given", "alone in the text",
    # the share's logit bent where a straight line fits the rate of right answers worst
    "share below a half (logit)", "share above 0.98 (logit excess)", "share above 0.9975",
    # how far apart the rivals are
    "candidate countries (log2)", "population over the runner-up's (log10)",
    # how the name was found: the share of its mentions that only the gazetteer (not the
    # named-entity model) found, and that the model labelled LOC rather than GPE
    "found by the gazetteer only", "found as LOC",
    # what the rest of the text says of the chosen place (its own candidate features)
    *(f"answer: {f}" for f in _ANSWER_CONTEXT),
)
ANSWER_INDEX: dict[str, int] = {name: i for i, name in enumerate(ANSWER_FEATURES)}
#: Candidate feature index -> the answer feature that repeats it.
_OWN_TO_ANSWER: dict[int, int] = {FEATURE_INDEX[f]: ANSWER_INDEX[f"answer: {f}"] for f in _ANSWER_CONTEXT}
_ANSWER_ORIGINS = ("alias", "alternate", "variant", "spelling", "fuzzy")
#: Knots of the share's logit (shares 0.982 and 0.9975), and the share a rival needs to count.
_SHARE_KNEE, _SHARE_SURE, _RIVAL_SHARE = 4.0, 6.0, 0.01


def answer_features(resolution, origin, candidates: int, alone: bool, *,
                    own: Sequence[tuple[int, float]] = (),
                    found_by: Sequence[str | None] = ()) -> tuple[tuple[int, float], ...]:
    """The features of a resolved toponym's answer (see :data:`ANSWER_FEATURES`).

    Parameters
    ----------
    resolution
        The :class:`~gazetteer.model.Resolution` with its candidates' softmax shares.
    origin
        How the name matched the chosen place (a :class:`~gazetteer.store.MatchOrigin`).
    candidates
        How many places the name could be.
    alone
        Whether the text names no other place.
    own
        The chosen candidate's features (:data:`FEATURES`, in the document's context).
    found_by
        How each mention of the name was found (:attr:`~gazetteer.model.Toponym.found_by`);
        ``None`` where unknown (then neither feature is set).
    """
    place = resolution.place
    share = min(max(resolution.confidence, 1e-4), 1 - 1e-4)
    logit = math.log(share / (1 - share))
    rivals = resolution.candidates
    runner_up = rivals[1].score if len(rivals) > 1 else 0.0
    features = [(0, 1.0), (1, logit), (2, runner_up),
                (3, math.log2(max(1, candidates))), (ANSWER_INDEX[f"answer kind={place.kind.value}"], 1.0),
                (ANSWER_INDEX["answer population (log10)"], math.log10((place.population or 0) + 10))]
    name = origin.name.lower()
    if name in _ANSWER_ORIGINS:
        features.append((ANSWER_INDEX[f"answer origin={name}"], 1.0))
    if resolution.toponym.hint is not None:
        features.append((ANSWER_INDEX["qualified"], 1.0))
    if resolution.toponym.container:
        features.append((ANSWER_INDEX["container given"], 1.0))
    if alone:
        features.append((ANSWER_INDEX["alone in the text"], 1.0))
    if logit < 0.0:
        features.append((ANSWER_INDEX["share below a half (logit)"], logit))
    if logit > _SHARE_KNEE:
        features.append((ANSWER_INDEX["share above 0.98 (logit excess)"], logit - _SHARE_KNEE))
    if logit > _SHARE_SURE:
        features.append((ANSWER_INDEX["share above 0.9975"], 1.0))
    # Countries of the candidates that keep a real share (the answer's included).
    countries = len({c.place.country_code for c in rivals if c.score > _RIVAL_SHARE} | {place.country_code})
    if countries > 1:
        features.append((ANSWER_INDEX["candidate countries (log2)"], math.log2(countries)))
    if len(rivals) > 1:
        ratio = math.log10((place.population or 0) + 10) - math.log10((rivals[1].place.population or 0) + 10)
        if ratio:
            features.append((ANSWER_INDEX["population over the runner-up's (log10)"], ratio))
    known = [label for label in found_by if label is not None]
    if known:
        gazetteer_only = sum(1 for label in known if label == "GAZETTEER") / len(known)
        loc = sum(1 for label in known if label == "LOC") / len(known)
        if gazetteer_only:
            features.append((ANSWER_INDEX["found by the gazetteer only"], gazetteer_only))
        if loc:
            features.append((ANSWER_INDEX["found as LOC"], loc))
    features += [(_OWN_TO_ANSWER[i], v) for i, v in own if i in _OWN_TO_ANSWER and v]
    return tuple(features)


class Scorer(Protocol):
    """What the resolver needs from a scorer."""

    name: str

    def weights(self) -> tuple[float, ...]:
        """One weight per feature of :data:`FEATURES` (a linear score)."""

    def confidence(self, share: float, answer: Sequence[tuple[int, float]]) -> float:
        """The probability that a name's best candidate is right, from its softmax ``share``
        and the answer's features (:func:`answer_features`)."""

    def flagged(self, confidence: float) -> bool:
        """Whether an answer of this (calibrated) confidence should be reviewed."""


@dataclass(frozen=True, eq=False)
class LinearScorer:
    """A weight per feature, a calibration of the winner's share, and a review threshold.

    Parameters
    ----------
    name
        Shown in logs and benchmarks (``"hand-tuned"``, ``"learned"``).
    weight_of
        Weight of each named feature (log-odds units); features not named weigh 0.
    calibration
        Points ``(share, probability)`` of a non-decreasing curve, linearly interpolated;
        empty for none (the share is the confidence).
    confidence_of
        Weights of a logistic model of the probability that the answer is right, over
        :data:`ANSWER_FEATURES`; when given, it is the confidence (``calibration`` unused).
    flag_below
        Answers whose confidence is below this are flagged for review; ``None`` keeps the
        resolver's margin rule (:class:`~gazetteer.resolver.ResolverOptions`).
    metadata
        What the model file says about how the model was made (kept, not used).
    """

    name: str
    weight_of: Mapping[str, float]
    calibration: tuple[tuple[float, float], ...] = ()
    flag_below: float | None = None
    confidence_of: Mapping[str, float] = field(default_factory=dict)
    metadata: Mapping[str, object] = field(default_factory=dict, compare=False)
    _vector: tuple[float, ...] = field(init=False, repr=False, compare=False)
    _answer_vector: tuple[float, ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        unknown = sorted(set(self.weight_of) - set(FEATURES))
        if unknown:
            raise RankerError(f"ranker {self.name!r} weighs unknown features {unknown}: "
                              "retrain it with this version of geomap (geomap train)")
        xs = [x for x, _ in self.calibration]
        if xs != sorted(xs):
            raise RankerError(f"ranker {self.name!r}: calibration points must be sorted by share")
        unknown = sorted(set(self.confidence_of) - set(ANSWER_FEATURES))
        if unknown:
            raise RankerError(f"ranker {self.name!r}: unknown answer features {unknown}: "
                              "retrain it with this version of geomap (geomap train)")
        object.__setattr__(self, "_vector", tuple(float(self.weight_of.get(f, 0.0)) for f in FEATURES))
        object.__setattr__(self, "_answer_vector",
                           tuple(float(self.confidence_of.get(f, 0.0)) for f in ANSWER_FEATURES))

    def weights(self) -> tuple[float, ...]:
        return self._vector

    def _key(self) -> tuple:
        return (self.name, self._vector, self.calibration, self.flag_below, self._answer_vector)

    def __eq__(self, other: object) -> bool:  # by value, so that pickled copies compare equal
        return isinstance(other, LinearScorer) and self._key() == other._key()

    def __hash__(self) -> int:
        return hash(self._key())

    def calibrate(self, share: float) -> float:
        points = self.calibration
        if not points:
            return share
        xs = [x for x, _ in points]
        i = bisect_right(xs, share)
        if i == 0:
            return points[0][1]
        if i == len(points):
            return points[-1][1]
        (x0, y0), (x1, y1) = points[i - 1], points[i]
        return y0 if x1 == x0 else y0 + (y1 - y0) * (share - x0) / (x1 - x0)

    def confidence(self, share: float, answer: Sequence[tuple[int, float]]) -> float:
        if self.confidence_of:
            z = dot(self._answer_vector, answer)
            return 1.0 / (1.0 + math.exp(-min(max(z, -30.0), 30.0)))
        return self.calibrate(share)

    def flagged(self, confidence: float) -> bool:
        return self.flag_below is not None and confidence < self.flag_below

    def to_dict(self) -> dict[str, object]:
        """The JSON form read by :func:`scorer_from_dict`."""
        return {"format": 1, "name": self.name, "model": "conditional-logit",
                "weights": {f: round(self.weight_of[f], 6) for f in FEATURES if self.weight_of.get(f)},
                "calibration": [[round(x, 6), round(y, 6)] for x, y in self.calibration],
                "confidence": {f: round(self.confidence_of[f], 6) for f in ANSWER_FEATURES
                               if self.confidence_of.get(f)},
                "flag_below": self.flag_below, "metadata": dict(self.metadata)}


#: The weights set by hand while the project grew; they reproduce the resolver's scores
#: before the learned ranker. ``city population (log10)`` is 2 x log10(population + 10).
HAND_TUNED = LinearScorer("hand-tuned", {
    "kind=country": 12.0, "kind=continent": 11.5, "kind=region": 9.5, "kind=admin1": 10.0,
    "kind=admin2": 7.0, "kind=physical": 7.0, "kind=other": 4.0,
    "city population (log10)": 2.0, "capital": 1.5,
    "origin=alternate": -1.0, "origin=variant": -1.5, "origin=spelling": -2.5, "origin=fuzzy": -4.0,
    "not the area's own name": -5.0, "a country has this name": -3.0,
    "qualifier agrees": 6.0, "qualifier disagrees (country)": -2.0, "qualifier disagrees": -6.0,
    "container": 8.0,
    "text's country": 2.0, "text's country share": 2.0, "text's admin1": 1.5, "text's admin1 share": 1.5,
    "inside a named region": 3.0, "near other places": 1.2, "holds a named place": 3.0,
    "preferred country": 3.0, "outside the bounding box": -6.0,
})


def scorer_from_dict(data: Mapping[str, object], source: str = "<ranker>") -> LinearScorer:
    """A :class:`LinearScorer` from its JSON form (:meth:`LinearScorer.to_dict`)."""
    if not isinstance(data, Mapping) or data.get("format") != 1 or not isinstance(data.get("weights"), Mapping):
        raise RankerError(f"{source} is not a geomap ranker model (format 1): write one with geomap train")
    try:
        weights = {str(k): float(v) for k, v in data["weights"].items()}  # type: ignore[union-attr]
        calibration = tuple((float(x), float(y)) for x, y in data.get("calibration") or ())  # type: ignore[union-attr]
        confidence = {str(k): float(v) for k, v in (data.get("confidence") or {}).items()}  # type: ignore[union-attr]
        flag_below = data.get("flag_below")
        flag = None if flag_below is None else float(flag_below)  # type: ignore[arg-type]
    except (TypeError, ValueError) as exc:
        raise RankerError(f"{source}: malformed ranker model ({exc}): write it again with geomap train") from None
    if any(not math.isfinite(w) for w in (*weights.values(), *confidence.values())):
        raise RankerError(f"{source}: a ranker weight is not a finite number: write it again with geomap train")
    meta = data.get("metadata")
    return LinearScorer(str(data.get("name") or "learned"), weights, calibration, flag, confidence,
                        dict(meta) if isinstance(meta, Mapping) else {})


def load_scorer(path: str | os.PathLike[str]) -> LinearScorer:
    """Read a ranker model file written by ``geomap train``."""
    try:
        with open(path, encoding="utf-8") as handle:
            data = json.load(handle)
    except FileNotFoundError:
        raise RankerError(f"{path} does not exist: give the model file geomap train wrote") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise RankerError(f"{path} is not a readable ranker model ({exc}): write it with geomap train") from None
    return scorer_from_dict(data, str(path))


@lru_cache(maxsize=1)
def default_scorer() -> LinearScorer:
    """The learned ranker shipped in the package (``gazetteer/data/ranker.json``)."""
    text = resources.files("gazetteer").joinpath("data/ranker.json").read_text(encoding="utf-8")
    return scorer_from_dict(json.loads(text), "gazetteer/data/ranker.json")


def dot(weights: Sequence[float], features: Sequence[tuple[int, float]]) -> float:
    """The score of a sparse feature vector ``[(index, value), ...]``."""
    return sum(weights[i] * v for i, v in features)
