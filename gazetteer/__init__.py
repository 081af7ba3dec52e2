"""An offline gazetteer and toponym resolver.

Importable on its own::

    from gazetteer import open_default, Resolver, Toponym, PlaceKind
    gaz = open_default()                 # builds the embedded SQLite database on first use
    resolver = Resolver(gaz)
    resolver.resolve(Toponym("Kharkov")).place.name   # 'Kharkiv'

Nothing heavy happens at import time.
"""

from .build import build_embedded, default_path, open_default
from .errors import (
    GazetteerBuildError,
    GazetteerCorrupt,
    GazetteerDataError,
    GazetteerError,
    GazetteerNotFound,
    RankerError,
    UnknownPlaceError,
)
from .model import Candidate, Place, PlaceKind, Resolution, Toponym
from .normalize import normalize_name
from .ranker import HAND_TUNED, LinearScorer, Scorer, default_scorer, load_scorer
from .resolver import Resolver, ResolverOptions
from .store import Gazetteer, GazetteerInfo, MatchOrigin, NameKind, NameMatch

__all__ = [
    "Candidate",
    "Gazetteer",
    "GazetteerBuildError",
    "GazetteerCorrupt",
    "GazetteerDataError",
    "GazetteerError",
    "GazetteerInfo",
    "GazetteerNotFound",
    "HAND_TUNED",
    "LinearScorer",
    "MatchOrigin",
    "NameKind",
    "NameMatch",
    "Place",
    "PlaceKind",
    "RankerError",
    "Resolution",
    "Resolver",
    "ResolverOptions",
    "Scorer",
    "Toponym",
    "UnknownPlaceError",
    "build_embedded",
    "default_path",
    "default_scorer",
    "load_scorer",
    "normalize_name",
    "open_default",
]
