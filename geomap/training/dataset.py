"""Training examples for the ranker: each mention's candidates, their features, and which are right.

A *group* is one mention with all its scorable candidates (:meth:`gazetteer.Resolver.features`).
Its candidates are labelled right or wrong three ways:

- **gold**: the pipeline's own mentions matched to gold spans (the lenient matching of
  :func:`geomap.evaluation.match_spans`); a candidate is right when it has the gold geonameid,
  or lies within 161 km of the gold point and, where the gold gives a ``type``, is of that kind
  (a country also when the gold is a country and the point lies in it);
- **distant supervision**: a mention whose own words settle its kind ("the Kherson region",
  "the city of Kherson", "Idlib Governorate") is asked again with those words masked (the
  bare name, no qualifier); the place the qualified mention resolves to, when it is of the
  qualifier's kind, is the right answer (the gold's, where the mention has gold);
- **decisions**: a reviewer's pinned place (``geomap review``) is the right answer for the
  mentions it covers (:mod:`geomap.training.decisions`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace

from gazetteer import Place, PlaceKind, Resolver
from gazetteer.model import REGION_KINDS
from gazetteer.resolver import CandidateFeatures

from ..evaluation import ACCURACY_KM, GoldDocument, GoldToponym, distance_km, match_spans, normalize_kind
from ..cues import toponyms_of
from ..model import Mention
from .corpus import GoldCorpus

__all__ = ["Group", "gold_groups", "distant_groups", "toponyms_of", "label_against_gold"]

#: Qualifier kinds that settle a bare name's kind (physical features are left out: a river's
#: qualifier filters the candidates rather than choosing between them).
DISTANT_KINDS = REGION_KINDS | {PlaceKind.CITY}


@dataclass(frozen=True)
class Group:
    """One mention's candidates, labelled.

    Attributes
    ----------
    document
        ``corpus/document id`` (folds are drawn by this).
    source
        ``"gold"``, ``"distant"`` or ``"decision"``.
    features
        Sparse features of each candidate.
    right
        Whether each candidate is a right answer.
    weight
        The group's weight in training.
    """

    document: str
    source: str
    features: tuple[tuple[tuple[int, float], ...], ...]
    right: tuple[bool, ...]
    weight: float = 1.0

    @property
    def learnable(self) -> bool:
        """Whether some but not every candidate is right (only such groups move a ranker)."""
        return any(self.right) and not all(self.right)


def label_against_gold(place: Place, gold: GoldToponym, country_of: Callable[[float, float], str | None] | None,
                       ids: tuple[int | None, str | None] = (None, None)) -> bool:
    """Whether ``place`` is a right answer for the gold toponym (see the module docstring);
    ``ids`` are the gold's geonameid and feature code, where known."""
    if gold.lat is None or gold.lon is None:
        return False
    geonameid, feature = ids
    gold_kind = gold.kind
    if gold_kind is None and feature:
        # The gold's GeoNames feature code says what kind of place it is ("P.PPL", "A.ADM1").
        gold_kind = normalize_kind(feature)
        gold_kind = None if gold_kind in ("other", "none") else gold_kind
    if gold_kind is not None and not _kind_right(gold_kind, place.kind):
        return False
    if place.geonameid is not None and geonameid == place.geonameid:
        return True
    if distance_km(gold.lat, gold.lon, place.lat, place.lon) <= ACCURACY_KM:
        return True
    gold_country = gold_kind == "country"
    if place.kind is PlaceKind.COUNTRY and gold_country and country_of is not None:
        return bool(place.country_code) and country_of(gold.lat, gold.lon) == place.country_code
    return False


def _kind_right(gold_kind: str, kind: PlaceKind) -> bool:
    predicted = normalize_kind(kind.value)
    return predicted == gold_kind or (gold_kind == "region" and predicted in ("admin1", "admin2"))


def _gold_pairs(doc: GoldDocument, mentions: Sequence[Mention]) -> dict[int, GoldToponym]:
    """Mention index -> the gold toponym it matches (embedded gold left out)."""
    scored = [t for t in doc.toponyms if not t.embedded]
    pairs = match_spans([(t.start, t.end) for t in scored], [(m.start, m.end) for m in mentions])
    return {pi: scored[gi] for gi, pi in pairs}


def gold_groups(corpus: GoldCorpus, resolver: Resolver, *, country_of: Callable[[float, float], str | None] | None = None,
                documents: Iterable[str] | None = None) -> list[Group]:
    """The gold-labelled groups of a corpus (of the named documents only, when given)."""
    wanted = None if documents is None else set(documents)
    groups: list[Group] = []
    for doc in corpus.documents:
        if wanted is not None and doc.id not in wanted:
            continue
        mentions = corpus.mentions.get(doc.id, ())
        pairs = _gold_pairs(doc, mentions)
        if not pairs:
            continue
        features = resolver.features(toponyms_of(mentions, doc.text))
        for index, gold in pairs.items():
            found = features[index]
            if not found.places or not gold.has_coordinates:
                continue
            right = tuple(label_against_gold(p, gold, country_of, corpus.ids.get((doc.id, gold.start, gold.end), (None, None)))
                          for p in found.places)
            groups.append(Group(f"{corpus.name}/{doc.id}", "gold", found.features, right))
    return groups


def distant_groups(corpus: GoldCorpus, resolver: Resolver, *, country_of: Callable[[float, float], str | None] | None = None,
                   documents: Iterable[str] | None = None, weight: float = 0.5) -> list[Group]:
    """Groups from mentions whose qualifier settles the kind, asked again with it masked.

    The qualified mentions of a document are all masked at once (the document as if its
    writer had used bare names), so one extra resolver run per document gives them all.
    """
    wanted = None if documents is None else set(documents)
    groups: list[Group] = []
    for doc in corpus.documents:
        if wanted is not None and doc.id not in wanted:
            continue
        mentions = corpus.mentions.get(doc.id, ())
        qualified = [i for i, m in enumerate(mentions) if m.hint in DISTANT_KINDS and m.qualifier]
        if not qualified:
            continue
        toponyms = toponyms_of(mentions, doc.text)
        answers = resolver.resolve_all(toponyms)
        pairs = _gold_pairs(doc, mentions)
        masked = list(toponyms)
        for i in qualified:
            masked[i] = replace(toponyms[i], hint=None)
        features = resolver.features(masked)
        for i in qualified:
            found: CandidateFeatures = features[i]
            if len(found.places) < 2:
                continue
            gold = pairs.get(i)
            if gold is not None and gold.has_coordinates:
                right = tuple(label_against_gold(p, gold, country_of, corpus.ids.get((doc.id, gold.start, gold.end), (None, None)))
                          for p in found.places)
            else:
                answer = answers[i].place
                hint = mentions[i].hint
                if answer is None or hint is None or not hint.agrees_with(answer.kind):
                    continue
                right = tuple(p.id == answer.id for p in found.places)
            groups.append(Group(f"{corpus.name}/{doc.id}", "distant", found.features, right, weight))
    return groups

