"""The exceptions of the :mod:`geomap` package.

Every error derives from :class:`GeomapError` and mixes in the builtin that fits, so callers
may catch either. Each message names the input and the fix; the CLI prints it on one line
and exits with status 2.
"""

from __future__ import annotations

__all__ = ["GeomapError", "InputError", "NoDocuments", "TooLong", "GoldFormatError", "OutputError", "ModelError",
           "DecisionError", "SpanError", "MissingAssetError", "ScreenshotError", "ChromiumNotFound", "OnlineError"]


class GeomapError(Exception):
    """Base class of every error raised by :mod:`geomap`."""


class InputError(GeomapError, ValueError):
    """An input cannot be read: missing, empty, binary, badly encoded or malformed."""


class NoDocuments(InputError):
    """The inputs were read but hold no document at all (every input empty, or every one failed)."""


class TooLong(InputError):
    """An input holds more text than the bound on text per document allows (``--max-chars``;
    see :mod:`geomap.sources.limits`)."""


class GoldFormatError(InputError):
    """A gold file line that is not a valid gold document (``geomap eval``).

    Parameters
    ----------
    path : str
        The gold file.
    line : int
        The 1-based line number.
    message : str
        What is wrong.
    """

    def __init__(self, path: str, line: int, message: str) -> None:
        self.path = path
        self.line = line
        self.reason = message
        super().__init__(f"{path}:{line}: {message}")


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


class MissingAssetError(GeomapError, RuntimeError, LookupError):
    """A page needs a remote script or stylesheet (or a stylesheet needs a
    font/image) that is not vendored in ``geomap/assets``.  ``url`` is the
    reference that could not be resolved."""

    def __init__(self, url: str, where: str = "") -> None:
        self.url = url
        self.where = where
        msg = f"not vendored in geomap/assets: {url}"
        if where:
            msg += f" ({where})"
        msg += "; add it to scripts/vendor_assets.py and re-run it"
        super().__init__(msg)


class ScreenshotError(GeomapError, RuntimeError):
    """Chromium could not take the picture."""


class ChromiumNotFound(ScreenshotError, FileNotFoundError):
    """No Chromium or Chrome executable was found."""


class OnlineError(GeomapError, ConnectionError):
    """The online geocoder cannot be set up or used (bad URL, user agent, unusable service)."""
