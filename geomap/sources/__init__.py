"""Reading articles: the first stage.

- :mod:`~geomap.sources.files`: :func:`read_inputs`, the reader (files, directories, standard
  input, addresses; JSON Lines, text, Markdown, HTML, feeds);
- :mod:`~geomap.sources.stream`: its streaming mode for batch runs (JSON Lines line by line;
  :func:`stream_inputs` is ``read_inputs(..., stream=True)``);
- :mod:`~geomap.sources.decode`: bytes to text (encodings, binary data, HTML to words);
- :mod:`~geomap.sources.web`: addresses, saved pages and feeds;
- :mod:`~geomap.sources.spanfile`: documents with the toponym spans marked in them (gold JSON Lines).

Every reader yields :class:`~geomap.model.SourceDocument` objects.
"""

from __future__ import annotations

from ..model import METADATA_KEYS
from .decode import binary_kind, decode_text, declared_charset, html_to_text
from .files import DIRECTORY_SUFFIXES, read_file_list, read_inputs, read_text, stream_inputs
from .stream import count_documents
from .web import FetchOptions

__all__ = ["read_inputs", "read_file_list", "read_text", "stream_inputs", "count_documents", "decode_text",
           "binary_kind", "declared_charset", "html_to_text", "FetchOptions", "DIRECTORY_SUFFIXES",
           "METADATA_KEYS"]
