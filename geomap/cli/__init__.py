"""The ``geomap`` command (:func:`main`): a thin layer over the library, one module per command.

``python -m geomap.cli`` runs it too (see ``__main__.py``).
"""

from __future__ import annotations

from .main import build_parser, main

__all__ = ["main", "build_parser"]
