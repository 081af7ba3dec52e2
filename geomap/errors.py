"""The exceptions of the :mod:`geomap` package.

Every error derives from :class:`GeomapError` and mixes in the builtin that fits, so callers
may catch either. Each message names the input and the fix; the CLI prints it on one line
and exits with status 2.
"""

from __future__ import annotations

__all__ = ["GeomapError", "InputError", "OutputError", "ModelError", "DecisionError", "SpanError"]


class GeomapError(Exception):
    """Base class of every error raised by :mod:`geomap`."""


class InputError(GeomapError, ValueError):
    """An input cannot be read: missing, empty, binary, badly encoded or malformed."""


class OutputError(GeomapError, OSError):
    """An output cannot be written where it was asked for."""

    def __str__(self) -> str:  # OSError's formatting would otherwise add errno noise
        return str(self.args[0]) if self.args else "cannot write output"


class ModelError(GeomapError, RuntimeError):
    """The spaCy pipeline cannot be loaded."""


class DecisionError(GeomapError, ValueError):
    """A review decisions file is invalid (names the file and line)."""


class SpanError(InputError):
    """Spans given to resolve (instead of found) are invalid: names the document, the span and the fix."""
