"""Name normalisation: the key under which the gazetteer indexes and looks up names.

``normalize_name`` folds case, Unicode compatibility forms, diacritics, apostrophe forms,
dotted initialisms ("U.S." = "U.S" = "US"), hyphens and spaces, "St."/"Ste." to
"saint"/"sainte", "Mt." to "mount" and "Ft." to "fort", a leading "the" and a "the" after "of"
("Democratic Republic of the Congo" = "Democratic Republic of Congo"), so that spellings
differing only in those respects share one key.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

__all__ = ["normalize_name"]

_APOSTROPHES = re.compile(r"['’ʼ`´‘ʻ\u02bc\u02b9]")
_SEPARATORS = re.compile(r"[\s\-‐‑‒–—_/]+")
_PUNCTUATION = re.compile(r"[.,;:!?\"“”«»()\[\]{}]")
_SAINT = re.compile(r"\b(st|ste|saint|sainte|sankt|san)\b\.?")
_SAINT_FORMS = {"st": "saint", "saint": "saint", "ste": "sainte", "sainte": "sainte"}
_LEADING_THE = re.compile(r"^the\s+")
_OF_THE = re.compile(r"\bof the\b")
_ABBREVIATED = re.compile(r"\b(mt|ft)\b")
_ABBREVIATED_FORMS = {"mt": "mount", "ft": "fort"}
_INITIALISM = re.compile(r"(?<![^\W\d_])(?:[^\W\d_]\. ?){2,}")
#: "N.Y", "U.S": dotted single letters whose last dot is missing.
_OPEN_INITIALISM = re.compile(r"(?<![^\W\d_])((?:[^\W\d_]\.){1,}[^\W\d_])(?![^\W\d_.])")
_EXTRA_FOLDS = str.maketrans({"ß": "ss", "æ": "ae", "ø": "o", "đ": "d", "ł": "l", "ı": "i", "œ": "oe", "þ": "th", "ə": "e", "ǝ": "e"})


def _strip_marks(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


@lru_cache(maxsize=4096)
def _fold_latin(ch: str) -> str:
    """A Latin letter that has no ASCII decomposition ("ə", "ħ", "ŋ") -> its ASCII form."""
    try:
        latin = unicodedata.name(ch).startswith("LATIN ")
    except ValueError:
        return ch
    if not latin:
        return ch
    from unidecode import unidecode

    folded = unidecode(ch).lower()
    return folded if folded.isascii() and folded.isalpha() else ch


def _saint(match: re.Match[str]) -> str:
    word = match.group(1)
    return _SAINT_FORMS.get(word, word)


@lru_cache(maxsize=16384)
def normalize_name(name: str) -> str:
    """Return the lookup key of a place name.

    Parameters
    ----------
    name
        Any spelling of a place name.

    Returns
    -------
    str
        Lower-case ASCII-folded key; empty when the name holds no letters or digits.

    Examples
    --------
    >>> normalize_name("Zaporizhzhia")
    'zaporizhzhia'
    >>> normalize_name("Kryvyi Rih") == normalize_name("Kryvyi-Rih")
    True
    >>> normalize_name("St. Petersburg")
    'saint petersburg'
    >>> normalize_name("The Hague")
    'hague'
    >>> normalize_name("Bila Tserkva’") == normalize_name("bila tserkva")
    True
    >>> normalize_name("São Paulo")
    'sao paulo'
    >>> normalize_name("B.C.") == normalize_name("BC") == normalize_name("B.C") == "bc"
    True
    >>> normalize_name("Mt. Pleasant"), normalize_name("Ft Worth")
    ('mount pleasant', 'fort worth')
    >>> normalize_name("Democratic Republic of the Congo")
    'democratic republic of congo'
    >>> normalize_name("Gəncə"), normalize_name("Ħamrun")
    ('gence', 'hamrun')
    """
    if name.isascii():  # the common case: Unicode normalisation and folding change nothing
        text = name.lower()
    else:
        text = unicodedata.normalize("NFKC", name).casefold().translate(_EXTRA_FOLDS)
        text = _strip_marks(text)
        if not text.isascii():  # Latin letters without a decomposition; other scripts are kept
            text = "".join(ch if ch.isascii() else _fold_latin(ch) for ch in text)
    text = _OPEN_INITIALISM.sub(lambda m: m.group(1).replace(".", ""), text)
    text = _INITIALISM.sub(lambda m: m.group(0).replace(".", "").replace(" ", "") + " ", text)
    text = _APOSTROPHES.sub("", text)
    text = _PUNCTUATION.sub(" ", text)
    text = _SEPARATORS.sub(" ", text).strip()
    text = _SAINT.sub(_saint, text)
    text = _ABBREVIATED.sub(lambda m: _ABBREVIATED_FORMS[m.group(1)], text)
    text = _LEADING_THE.sub("", text)
    text = _OF_THE.sub("of", text)
    return " ".join(text.split())
