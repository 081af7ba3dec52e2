"""The words around each mention, and its place in the text, as cues for the resolver.

A cue is a short string (``before:near``, ``before:shelling of``, ``after:-based``,
``dateline``, ``headline``, ``list``); the resolver weighs the cues named in
:data:`gazetteer.ranker.CUES` against the kind of each candidate place, with weights learned by
``geomap train``, and ignores the others. Reading them costs a few string operations per
mention: no parsing, no lookup.

The words of a qualifier ("the city of", "region", "governor") are the qualifier's, and never
cues: the cues are read past them (and past an article), so a mention asked again with its
qualifier masked (distant supervision, :mod:`geomap.training.dataset`) carries the cues of
the bare name and nothing of the words that settled its kind.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from gazetteer import Toponym

from .model import Mention

__all__ = ["mention_cues", "listed_with", "toponyms_of"]

_WORD_BEFORE = re.compile(r"[^\w\n.!?;:]*([\w'’-]+)")  # on the reversed text: no break before the word
_WORD_AFTER = re.compile(r"^\s*(-based\b|['’]s\b|[A-Za-z][\w-]*|[,.])")
_SPACE = re.compile(r"\s*")
_ARTICLES = frozenset({"the", "a", "an"})
_DASH_AFTER = re.compile(r"[^\n.]{0,60}?(?:\s[—–-]{1,2}\s|\s?[—–]|\(\w[\w .]*\)\s*[—–-])")
_LIST_GAP = re.compile(r"^\s*(?:,|,?\s+and|,?\s+or|;)\s*$")
_HEADLINE_MAX = 160


def toponyms_of(mentions: Sequence[Mention], text: str) -> list[Toponym]:
    """The resolver's questions for a document's mentions, with the cues the words of ``text``
    around them give and the names each is listed with."""
    return [Toponym(m.name, m.hint, m.start, m.container, cues, peers)
            for m, cues, peers in zip(mentions, mention_cues(text, mentions), listed_with(text, mentions))]


def mention_cues(text: str, mentions: Sequence[Mention]) -> list[tuple[str, ...]]:
    """The cues of each of a document's mentions, in order (see the module docstring).

    Parameters
    ----------
    text
        The document's text (the mentions' offsets index it).
    mentions
        The document's mentions, in text order.
    """
    first_line = _first_line(text)
    out: list[tuple[str, ...]] = []
    line_start = seen = 0
    for i, mention in enumerate(mentions):
        cues: list[str] = []
        before = _before(text, mention)
        if before:
            cues.append(f"before:{before[0]}")
            if len(before) > 1:
                cues.append(f"before:{before[1]} of")
        after = _after(text, mention)
        if after:
            cues.append(f"after:{after}")
        newline = text.rfind("\n", seen, mention.start)  # only since the last mention: linear time
        line_start, seen = (newline + 1 if newline >= 0 else line_start), max(seen, mention.start)
        if not text[line_start:mention.start].strip() and _DASH_AFTER.match(text, mention.end):
            cues.append("dateline")
        elif mention.end <= first_line:
            cues.append("headline")
        if _listed(text, mentions, i):
            cues.append("list")
        out.append(tuple(cues))
    return out


def _first_line(text: str) -> int:
    """The end of the document's headline: a first line with no full stop and more below it
    (0 when there is none)."""
    stripped = _SPACE.match(text).end()
    end = text.find("\n", stripped)
    if end < 0 or end - stripped > _HEADLINE_MAX or text[stripped:end].rstrip().endswith((".", "!", "?")):
        return 0
    return end


def _before(text: str, mention: Mention) -> tuple[str, ...]:
    """The word before the name (past a qualifier before it and an article), lower-cased, and
    when that word is "of", the word before "of" as well."""
    left = text[max(0, mention.start - 80):mention.start]
    if mention.qualifier and mention.end - mention.start <= len(mention.name) + 1:
        # a qualifier outside the span is written before the name ("the city of") or after it
        # ("governor", "'s governor"): drop it from whichever side holds it
        q = mention.qualifier.replace("…", "").split()
        stripped = left.rstrip()
        if q and stripped.lower().endswith(q[-1].lower()):
            left = stripped[:len(stripped) - len(" ".join(q))] if stripped.lower().endswith(" ".join(q).lower()) \
                else stripped[:len(stripped) - len(q[-1])]
    words: list[str] = []
    backwards, at = left[::-1], 0  # read backwards: an anchored match, not a search
    while len(words) < 2:
        found = _WORD_BEFORE.match(backwards, at)
        if found is None:
            break
        at = found.end()
        word = found.group(1)[::-1].lstrip("0123456789_'’-").lower()
        if not word:
            break
        if word in _ARTICLES and not words:
            continue
        words.append(word)
        if word != "of":
            break
    return tuple(words)


def _after(text: str, mention: Mention) -> str | None:
    """The word after the mention (past a qualifier written after the span), lower-cased."""
    right = text[mention.end:mention.end + 60]
    if mention.qualifier and mention.end - mention.start <= len(mention.name) + 1:
        q = mention.qualifier.replace("…", "").split()
        stripped = right.lstrip()
        joined = " ".join(q).replace(" '", "'").replace(" ’", "’")
        if q and stripped.lower().startswith(joined.lower()):
            right = stripped[len(joined):]
        elif q and stripped.lower().startswith(q[-1].lower()):
            right = stripped[len(q[-1]):]
    found = _WORD_AFTER.match(right)
    if found is None:
        return None
    return found.group(1).lower().replace("’", "'")


def _listed(text: str, mentions: Sequence[Mention], i: int) -> bool:
    """Whether the mention is joined to a neighbouring mention by a comma, "and" or "or"."""
    if i > 0 and _LIST_GAP.match(text[mentions[i - 1].end:mentions[i].start]):
        return True
    return i + 1 < len(mentions) and bool(_LIST_GAP.match(text[mentions[i].end:mentions[i + 1].start]))


def listed_with(text: str, mentions: Sequence[Mention]) -> list[tuple[str, ...]]:
    """For each mention, the names of the other mentions of its list ("Kherson, Mykolaiv and
    Odesa": a run of mentions joined by commas, "and", "or"); empty outside a list."""
    out: list[tuple[str, ...]] = [()] * len(mentions)
    start = 0
    for i in range(1, len(mentions) + 1):
        if i < len(mentions) and _LIST_GAP.match(text[mentions[i - 1].end:mentions[i].start]):
            continue
        if i - start > 1:
            names = [m.name for m in mentions[start:i]]
            for j in range(start, i):
                out[j] = tuple(n for k, n in enumerate(names) if k != j - start)
        start = i
    return out
