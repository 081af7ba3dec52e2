"""The exceptions of the :mod:`gazetteer` package.

Every error the package raises derives from :class:`GazetteerError`, and each also mixes in
the builtin that describes it best, so callers may catch either. Messages name the input and
say how to fix it.
"""

from __future__ import annotations

__all__ = [
    "GazetteerError",
    "GazetteerNotFound",
    "GazetteerCorrupt",
    "GazetteerBuildError",
    "GazetteerDataError",
    "UnknownPlaceError",
    "RankerError",
]


class GazetteerError(Exception):
    """Base class of every error raised by the :mod:`gazetteer` package."""


class GazetteerNotFound(GazetteerError, FileNotFoundError):
    """A gazetteer database file does not exist where it was asked for."""


class GazetteerCorrupt(GazetteerError, ValueError):
    """A gazetteer database exists but cannot be used (truncated, foreign or older schema)."""


class GazetteerBuildError(GazetteerError, RuntimeError):
    """Building the gazetteer database failed (missing source data, unwritable cache)."""


class GazetteerDataError(GazetteerError, ValueError):
    """A source or overlay file holds data the gazetteer cannot accept (names file and line)."""


class UnknownPlaceError(GazetteerError, KeyError):
    """A place id that the gazetteer does not hold."""

    def __str__(self) -> str:  # KeyError would otherwise quote the message
        return str(self.args[0]) if self.args else "unknown place"


class RankerError(GazetteerError, ValueError):
    """A ranker model file that cannot be used (names the file and the fix: geomap train)."""
