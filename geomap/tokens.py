"""How the extractor reads a spaCy ``Doc``'s tokens: their text and capitalisation read once,
runs of capitalised words, headlines, sentence starts and acronyms.

Every ``doc[i]`` builds a new spaCy ``Token``, and the extractor asks about each token often,
so what it needs is read once per ``Doc`` into plain lists and kept in ``doc.user_data``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover
    from spacy.tokens import Doc, Span, Token

__all__ = ["Words", "words_of", "proper_runs", "RUN_JOINERS", "capitalised", "in_headline", "headline_at", "acronym",
           "sentence_initial", "subspans"]


class Words:
    """The text and the capitalisation of a ``Doc``'s tokens, read once as plain lists
    (every ``doc[i]`` builds a new spaCy ``Token``; the extractor asks about each token often)."""

    __slots__ = ("texts", "spaces", "lowers", "stop", "capitalised", "_with_space")

    def __init__(self, doc: Doc) -> None:
        self.texts: list[str] = []
        self.spaces: list[str] = []
        self.lowers: list[str] = []
        self.stop: list[bool] = []
        self.capitalised: list[bool] = []
        texts, spaces, lowers, stop, caps = self.texts, self.spaces, self.lowers, self.stop, self.capitalised
        known = _lexemes_of(doc.vocab)
        for token in doc:
            facts = known.get(token.orth)
            if facts is None:
                if len(known) >= _LEXEME_CACHE:
                    known.clear()
                facts = known[token.orth] = (token.text, token.lower_, token.is_stop, _word_capitalised(token))
            texts.append(facts[0])
            spaces.append(token.whitespace_)
            lowers.append(facts[1])
            stop.append(facts[2])
            caps.append(facts[3] if facts[3] is not None else token.pos_ in _NAME_TAGS)
        #: Each token's text with its trailing white space (``token.text_with_ws``).
        self._with_space = [w + s for w, s in zip(self.texts, self.spaces)]

    def text(self, start: int, end: int) -> str:
        """``doc[start:end].text``, without building the span."""
        if end - start == 1:
            return self.texts[start]
        return "".join(self._with_space[start:end - 1]) + self.texts[end - 1]

    def whole(self) -> str:
        """``doc.text``."""
        return "".join(self._with_space)


_WORDS_KEY = "geomap.words"
#: Words whose text, lower case, stop-word flag and capitalisation (:func:`_word_capitalised`)
#: are remembered, per vocabulary: a word's are the same wherever it occurs, and reading them
#: from a ``Token`` took most of the time of :class:`Words` (0.29 -> 0.15 ms a news article here).
#: A vocabulary's memo is emptied when full, so memory stays flat.
_LEXEME_CACHE = 20_000
_LEXEMES: dict[int, tuple[object, dict[int, tuple[str, str, bool, bool | None]]]] = {}


def _lexemes_of(vocab: object) -> dict[int, tuple[str, str, bool, bool | None]]:
    """The remembered words of a vocabulary (kept with it, by its identity)."""
    entry = _LEXEMES.get(id(vocab))
    if entry is None or entry[0] is not vocab:
        entry = _LEXEMES[id(vocab)] = (vocab, {})
    return entry[1]


def words_of(doc: Doc) -> Words:
    """The document's :class:`Words`, read once (kept in ``doc.user_data``)."""
    words = doc.user_data.get(_WORDS_KEY)
    if words is None:
        words = doc.user_data[_WORDS_KEY] = Words(doc)
    return words


def proper_runs(words: Words) -> Iterator[tuple[int, int]]:
    """Runs of capitalised tokens (allowing inner "of", "de", "upon", hyphens)."""
    capitalised, lowers = words.capitalised, words.lowers
    i = 0
    n = len(capitalised)
    while i < n:
        if capitalised[i]:
            j = i + 1
            while j < n and (capitalised[j] or (lowers[j] in RUN_JOINERS and j + 1 < n and capitalised[j + 1])):
                j += 1
            yield i, j
            i = j
        else:
            i += 1


# Lower-case tokens that may sit inside a name: "Stratford-upon-Avon", "Luhansk People’s Republic".
RUN_JOINERS = frozenset({"de", "del", "upon", "on", "of", "-", "'s", "’s"})
_ABBREVIATION = re.compile(r"(?:[A-Z]\.){2,}")
#: Letters with an apostrophe inside, as romanisations write a glottal stop ("Mek'ele", "Ma'rib").
_INNER_APOSTROPHE = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)+")


_NAME_TAGS = frozenset({"PROPN", "X", ""})


def capitalised(token: Token) -> bool:
    """Whether the token is a capitalised word of a name: an abbreviation ("U.S."), a word in
    capitals, or a capitalised word tagged as a proper noun (or untagged)."""
    word = _word_capitalised(token)
    return word if word is not None else token.pos_ in _NAME_TAGS


def _word_capitalised(token: Token) -> bool | None:
    """:func:`capitalised` as far as the word alone tells (``None``: it depends on the tag)."""
    text = token.text
    if len(text) < 2 or not text[0].isupper():
        return False
    if _ABBREVIATION.fullmatch(text):
        return True
    if not (token.is_alpha or _INNER_APOSTROPHE.fullmatch(text) is not None):
        return False
    return True if token.is_upper else None


_HEADLINE_KEY = "geomap.headline"


def in_headline(span: Span) -> bool:
    """Whether the span sits on a short title-case line (a headline or dateline).

    The line breaks and the answer for each line are worked out once per ``Doc`` (kept in
    ``doc.user_data``), so that asking for every mention stays linear in the text's length.
    """
    return headline_at(span.doc, span.start, span.end)


def headline_at(doc: Doc, start: int, end: int) -> bool:
    """:func:`in_headline` of the tokens ``[start, end)``, without building the span."""
    state = doc.user_data.get(_HEADLINE_KEY)
    if state is None:
        breaks = [text.isspace() and "\n" in text for text in words_of(doc).texts]
        line_start = [0] * len(doc)  # first token of the line of token i
        for i in range(1, len(doc)):
            line_start[i] = i if breaks[i - 1] else line_start[i - 1]
        line_end = [len(doc)] * (len(doc) + 1)  # first line break at or after token i
        for i in range(len(doc) - 1, -1, -1):
            line_end[i] = i if breaks[i] else line_end[i + 1]
        state = doc.user_data[_HEADLINE_KEY] = (line_start, line_end, {})
    line_start, line_end, answers = state
    start, end = line_start[start], line_end[end]
    answer = answers.get((start, end))
    if answer is None:
        answer = answers[(start, end)] = _headline_line(words_of(doc), start, end)
    return answer


def _headline_line(words: Words, start: int, end: int) -> bool:
    content = [text for text, stop in zip(words.texts[start:end], words.stop[start:end])
               if text.isalpha() and not stop]
    if not content or len(content) > 16 or words.texts[end - 1] in {".", "?", "!"} and len(content) > 12:
        return False
    return sum(1 for text in content if text[0].isupper()) >= 0.75 * len(content)


def acronym(text: str) -> bool:
    """Two to four capital letters ("BA", "SWAT"); "MoD" has a capital after the first letter too."""
    return 2 <= len(text) <= 4 and text.isalpha() and (text.isupper() or not text[1:].islower())


def sentence_initial(token: Token) -> bool:
    if token.i == 0:
        return True
    previous = token.doc[token.i - 1]
    return previous.is_space or previous.text in {".", "!", "?", '"', "“", "”", ":", "—", "-", "(", "|", "'"}


def subspans(start: int, end: int, max_len: int = 4) -> Iterator[tuple[int, int]]:
    """Sub-runs longest first, left to right."""
    for length in range(min(max_len, end - start), 0, -1):
        for s in range(start, end - length + 1):
            yield s, s + length
