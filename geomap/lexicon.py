"""Which words are common English words: evidence against reading a capitalised word as a place.

"Police", "March", "Dam" and "Hit" are town names somewhere, and capitalised at the start of a
sentence or in a headline they look like names. A word of the English lexicon needs more
evidence than its capital letter. The lexicon is the word index that English spaCy pipelines
ship for their rule-based lemmatizer (``lemmatizer/lookups/lookups.bin``, table
``lemma_index``: the nouns, verbs, adjectives and adverbs of WordNet 3.0, about 91,000 words).
It includes some proper names ("paris", "texas"), so it only raises the bar; the strength of the
gazetteer match decides.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover
    from spacy.language import Language

__all__ = ["Lexicon", "lexicon_of"]

log = logging.getLogger(__name__)


class Lexicon:
    """A set of lower-case common words.

    Examples
    --------
    >>> words = Lexicon({"dam", "police"})
    >>> "dam" in words, "kherson" in words
    (True, False)
    >>> len(Lexicon.empty())
    0
    """

    __slots__ = ("_words",)

    def __init__(self, words: set[str] | frozenset[str]) -> None:
        self._words = frozenset(words)

    @classmethod
    def empty(cls) -> Lexicon:
        """No common words: what a pipeline without a lemmatizer index gives."""
        return cls(frozenset())

    def __contains__(self, word: object) -> bool:
        return word in self._words

    def __len__(self) -> int:
        return len(self._words)


def lexicon_of(nlp: Language) -> Lexicon:
    """The common words of a loaded spaCy pipeline, read from its lemmatizer's index on disk.

    The pipeline's own directory is used even when the lemmatizer component was not loaded.
    A pipeline without the index (a blank or custom model) gives :meth:`Lexicon.empty`.
    """
    path = getattr(nlp, "path", None)
    if path is None:
        return Lexicon.empty()
    lookups_dir = Path(path) / "lemmatizer" / "lookups"
    if not (lookups_dir / "lookups.bin").is_file():
        log.debug("no lemmatizer index in %s: no common-word lexicon", path)
        return Lexicon.empty()
    from spacy.lookups import Lookups

    try:
        table = Lookups().from_disk(lookups_dir).get_table("lemma_index")
    except (KeyError, OSError, ValueError) as exc:
        log.debug("cannot read the lemmatizer index in %s: %s", lookups_dir, exc)
        return Lexicon.empty()
    words: set[str] = set()
    for part in table.values():
        words.update(w for w in part if w.isalpha())
    return Lexicon(words)
