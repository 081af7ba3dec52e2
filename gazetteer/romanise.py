"""Romanisation-insensitive keys and variants for place names written in Arabic, Persian,
Pashto, Urdu, Hebrew, Ethiopic or Burmese script.

English news spells such names in many ways: "Hodeidah", "Hudaydah" and "Al-Hudaydah" are
GeoNames' "Al Ḩudaydah"; "Deir ez-Zor", "Deir al-Zour", "Dayr az-Zawr" and "Deir Ezzor" are one
city; "Qalqilya" is "Qalqīlyah", "Al-Raqqa" is "Ar Raqqah". The spellings differ in a few
regular ways that :mod:`gazetteer.translit`'s key (tuned to Cyrillic) does not fold: the Arabic
article (al-, el-, and its assimilated forms ad-, ar-, as-, az-, an-, at-, ash- before the same
consonant, sometimes glued on: "Ezzor"), o for u and ei/ai/ay/ey for one vowel, the feminine
ending -ah/-a/-eh, French ou for u, diphthongs aw/ow for o, doubled consonants, q for k, dh for
d, gh for g, kh for x, dj for j, v for w, words written together ("Telafar" = "Tall Afar").

This module offers two tools, both meant for places in the countries whose names come from those
scripts (:data:`ROMANISED_COUNTRIES`, :data:`ARTICLE_COUNTRIES`), which is where the gazetteer
applies them:

:func:`romanised_key`
    A lossy key that those spellings share: the leading article dropped, any inner article
    written ``al``, words joined, the letters above folded, and every run of vowels (y
    included) written ``u`` when it holds an o or a u and ``a`` otherwise (so "Hodeidah" and
    "Hudaydah" share ``hudada`` while the Syrian hamlet "Ḩadīdah" keeps ``hadada``). Keys
    shorter than :data:`MIN_KEY_LENGTH` letters are not made: they would match too much. The
    gazetteer indexes the key, marked with :data:`KEY_MARK` so that it never meets a key of
    :func:`gazetteer.translit.spelling_key`, beside the spelling key, and a lookup that finds
    no exact name asks both.
:func:`article_variants`
    Real-looking spellings of one name with its leading Arabic article written the other ways
    (al, el, the assimilated form, none) and its last word with and without a final -h after a
    vowel ("Ar Raqqah" -> "Al Raqqa", "Raqqa", "Raqqah", ...), so that the exact index finds a
    town by the form news gives it even when a namesake governorate already holds that form.

Both are pure Python and deterministic. For ASCII input ``romanised_key`` is idempotent on its
own output (``romanised_key(romanised_key(x)) == romanised_key(x)`` whenever the key is not
empty).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from unidecode import unidecode

from .normalize import normalize_name

__all__ = [
    "ARTICLE_COUNTRIES",
    "KEY_MARK",
    "MIN_KEY_LENGTH",
    "ROMANISED_COUNTRIES",
    "IndexForms",
    "article_variants",
    "index_forms",
    "romanised_key",
    "romanised_probe",
]

#: Countries whose Arabic place names carry the article and the -ah ending (ISO 3166 alpha-2):
#: the Arab League's members, Western Sahara, Chad and Israel (Arabic towns and villages).
ARTICLE_COUNTRIES = frozenset({
    "AE", "BH", "DJ", "DZ", "EG", "EH", "IL", "IQ", "JO", "KM", "KW", "LB", "LY", "MA", "MR", "OM",
    "PS", "QA", "SA", "SD", "SO", "SY", "TD", "TN", "YE",
})

#: Countries whose place names reach English through romanisations of Arabic, Persian, Pashto,
#: Urdu, Kurdish, Hebrew, Ethiopic or Burmese script, or through French spellings of them (the
#: Sahel): :data:`ARTICLE_COUNTRIES` and Afghanistan, Iran, Pakistan, Eritrea, Ethiopia, South
#: Sudan, Mali, Niger, Burkina Faso and Myanmar.
ROMANISED_COUNTRIES = ARTICLE_COUNTRIES | frozenset({"AF", "BF", "ER", "ET", "IR", "ML", "MM", "NE", "PK", "SS"})

#: Prefix of a :func:`romanised_key` in the gazetteer's spelling index: no spelling key holds it.
KEY_MARK = "~"

#: Shortest key (in letters) that :func:`romanised_key` returns.
MIN_KEY_LENGTH = 5

# Consonants after which the article assimilates ("ar-Raqqa", "ash-Shughur"): the sun letters.
_SUN = r"(?:sh|th|dh|[dnrstz])"
_PLAIN_ARTICLE = re.compile(r"[aeiu]l")
_ASSIMILATED = re.compile(rf"[aeiu]({_SUN})")
#: An article written onto its word: "ezzor", "ennahda", "essaouira" (vowel, doubled sun letter, vowel).
_GLUED = re.compile(r"[ae]([dnrstz])\1(?=[aeiouy])")
_NOT_KEY = re.compile(r"[^a-z0-9 ]+")
#: Fewest letters a name keeps once its article goes: "Al Had" gives no "Had", "Al Kut" no "Kut".
_MIN_BARE = 4
_FINAL_H = re.compile(r"(?<=[aeiouy])h$")
_MAX_PASSES = 8
# Letter folds, in order, on the joined word string.
_FOLDS: tuple[tuple[re.Pattern[str], str], ...] = tuple((re.compile(p), r) for p, r in (
    (r"([b-df-hj-np-tv-z])\1+", r"\1"),   # doubled letters first: "kkh" is "kh", "aww" is "aw"
    (r"ck", "k"),
    (r"q", "k"),
    (r"kh", "x"),
    (r"gh", "g"),
    (r"dh", "d"),
    (r"th", "t"),
    (r"dj", "j"),
    (r"ou", "u"),
    (r"v", "w"),
    (r"(?<=[aeiouy])w(?![aeiouy])", "u"),  # diphthong: Mawsil/Mosul, Jawhar/Jowhar, Zawr/Zor
    (r"([b-df-hj-np-tv-z])\1+", r"\1"),   # and once folded: Raqqah/Raqah, Hajjah/Hajah, "qk"
    (r"[aeiy]*[ou][aeiouy]*", "u"),       # a vowel run holding o or u
    (r"[aeiy]+", "a"),                    # any other vowel run
))


def _words(name: str) -> list[str]:
    text = normalize_name(name)
    if not text.isascii():
        text = normalize_name(unidecode(text))
    return _NOT_KEY.sub(" ", text).split()


def _fold_articles(words: list[str]) -> list[str]:
    """Every article written ``al``; a glued one split off ("ezzor" -> "al", "zor")."""
    out: list[str] = []
    for i, word in enumerate(words):
        following = words[i + 1] if i + 1 < len(words) else ""
        assimilated = _ASSIMILATED.fullmatch(word)
        if following and (_PLAIN_ARTICLE.fullmatch(word)
                          or (assimilated and following.startswith(assimilated.group(1)))):
            out.append("al")
            continue
        glued = _GLUED.match(word)
        if glued and len(word) > 4:
            out += ["al", word[2:]]
            continue
        out.append(word)
    return out


@lru_cache(maxsize=16384)
def romanised_key(name: str) -> str:
    """Return the romanisation-insensitive key of a place name, or ``""`` when it is too short.

    Parameters
    ----------
    name
        A place name in any Latin spelling (or any script :mod:`unidecode` romanises).

    Returns
    -------
    str
        Lower-case ASCII letters and digits without spaces, at least :data:`MIN_KEY_LENGTH`
        long; empty for a shorter key. Not marked with :data:`KEY_MARK`.

    Examples
    --------
    >>> romanised_key("Hodeidah") == romanised_key("Al Ḩudaydah") == romanised_key("Al-Hudaydah")
    True
    >>> romanised_key("Hodeidah") == romanised_key("Ḩadīdah")
    False
    >>> {romanised_key(n) for n in ("Deir ez-Zor", "Dayr az-Zawr", "Deir al-Zour", "Deir Ezzor")}
    {'daralzur'}
    >>> romanised_key("Telafar") == romanised_key("Tall ‘Afar")
    True
    >>> romanised_key("Gao")
    ''
    """
    words = _fold_articles(_words(name))
    if len(words) > 1 and words[0] == "al":
        words = words[1:]
    words = [_FINAL_H.sub("", w) for w in words]
    key = _folded("".join(words))
    return key if len(key) >= MIN_KEY_LENGTH else ""


def _folded(key: str) -> str:
    """The letter folds applied until nothing changes (one pass can make a pair that another
    fold takes: "cq" -> "ck"; a last word "h" leaves a final "ah"), so that the key of a key is
    itself. Two passes settle every name of the gazetteer; the bound is a guard."""
    for _ in range(_MAX_PASSES):
        before = key
        for pattern, repl in _FOLDS:
            key = pattern.sub(repl, key)
        key = _FINAL_H.sub("", key)
        if key == before:
            break
    return key


def article_variants(name: str) -> frozenset[str]:
    """Return spellings of a name with its Arabic article and final -h written the other ways.

    The leading article, when there is one (al, el, or an assimilated form such as ar before r),
    is written al, el, assimilated with a or e (before a sun letter: ar, er) and not at all (when
    at least four letters are left: "Al Kut" gives no "Kut", a word of English too often); the last word gets its
    final h after a vowel dropped, or one added after a final a ("Raqqah" -> "Raqqa",
    "Hama" -> "Hamah"). Meant for the names of places in :data:`ARTICLE_COUNTRIES`.

    Parameters
    ----------
    name
        A place name; the variants are built on its :func:`~gazetteer.normalize.normalize_name`
        key.

    Returns
    -------
    frozenset of str
        Normalised spellings (lower case), never the name's own key. Empty for a name without
        letters.

    Examples
    --------
    >>> sorted(article_variants("Ar Raqqah"))
    ['al raqqa', 'al raqqah', 'ar raqqa', 'el raqqa', 'el raqqah', 'er raqqa', 'er raqqah', 'raqqa', 'raqqah']
    >>> sorted(article_variants("Qalqilya"))
    ['qalqilyah']
    >>> sorted(article_variants("Aden"))
    []
    """
    words = _words(name)
    if not words:
        return frozenset()
    own = " ".join(words)
    articles: tuple[str, ...] = ("",)
    rest = words
    if len(words) > 1:
        first, following = words[0], words[1]
        assimilated = _ASSIMILATED.fullmatch(first)
        if _PLAIN_ARTICLE.fullmatch(first) or (assimilated and following.startswith(assimilated.group(1))):
            sun = re.match(_SUN, following)
            articles = ("al", "el", *((f"a{sun.group(0)}", f"e{sun.group(0)}") if sun else ()), "")
            rest = words[1:]
    last = rest[-1]
    if _FINAL_H.search(last):
        endings = (last, last[:-1])
    elif last.endswith("a") and len(last) > 2:
        endings = (last, last + "h")
    else:
        endings = (last,)
    found = set()
    for article in articles:
        for ending in endings:
            words_out = ([article] if article else []) + rest[:-1] + [ending]
            if article or len(articles) == 1 or sum(map(len, words_out)) >= _MIN_BARE:
                found.add(" ".join(words_out))
    found.discard(own)
    return frozenset(found)


@dataclass(frozen=True, slots=True)
class IndexForms:
    """What the gazetteer indexes for one canonical or curated name of a place (:func:`index_forms`)."""

    #: Normalised spellings for the exact index (as generated variants).
    variants: frozenset[str]
    #: The marked :func:`romanised_key` for the spelling index, or ``""``.
    key: str


_NO_FORMS = IndexForms(frozenset(), "")


def index_forms(name: str, country: str | None) -> IndexForms:
    """The article variants and the marked romanised key of a place's name, by its country.

    Parameters
    ----------
    name
        A canonical or curated name of the place (any form; it is normalised here).
    country
        The place's ISO 3166 alpha-2 code: a place outside :data:`ROMANISED_COUNTRIES` gets
        nothing, one outside :data:`ARTICLE_COUNTRIES` no article variants.

    Returns
    -------
    IndexForms

    Examples
    --------
    >>> forms = index_forms("Al Ḩudaydah", "YE")
    >>> forms.key, "hudaydah" in forms.variants
    ('~hudada', True)
    >>> index_forms("Al Ḩudaydah", "US")
    IndexForms(variants=frozenset(), key='')
    """
    if country not in ROMANISED_COUNTRIES:
        return _NO_FORMS
    key = romanised_key(name)
    found = article_variants(name) if country in ARTICLE_COUNTRIES else frozenset()
    return IndexForms(found, KEY_MARK + key if key else "")


def romanised_probe(name: str) -> str:
    """The marked :func:`romanised_key` under which a lookup asks the spelling index, or ``""``.

    Examples
    --------
    >>> romanised_probe("Hodeidah")
    '~hudada'
    """
    key = romanised_key(name)
    return KEY_MARK + key if key else ""
