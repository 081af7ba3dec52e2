"""The keys under which the gazetteer indexes a place's canonical or curated name.

Every writer of a gazetteer database (the embedded build, a GeoNames import, an overlay) indexes
such a name under more than its own key:

- its transliteration variants (:func:`gazetteer.translit.variants`: "Kharkov" for "Kharkiv"),
  normalised, as exact names of origin ``VARIANT``;
- in a country whose names are romanised from Arabic, Persian, Ethiopic or Burmese script, its
  article variants ("Al Raqqa", "Raqqah" for "Ar Raqqah"), likewise
  (:func:`gazetteer.romanise.index_forms`);
- its spelling key (:func:`gazetteer.translit.spelling_key`) and, in those countries, its
  marked romanised key, in the spelling index.

:func:`strong_keys` gives them all in one place, so that the writers cannot drift apart.
"""

from __future__ import annotations

from dataclasses import dataclass

from .normalize import normalize_name
from .romanise import index_forms
from .translit import spelling_key, variants

__all__ = ["StrongKeys", "strong_keys"]


@dataclass(frozen=True, slots=True)
class StrongKeys:
    """The extra keys of one canonical or curated name (:func:`strong_keys`)."""

    #: Normalised ASCII keys for the exact index, of origin ``VARIANT``: the transliteration
    #: variants in their order, then the article variants sorted.
    variants: tuple[str, ...]
    #: Keys for the spelling index: the spelling key, then the marked romanised key, where made.
    spellings: tuple[str, ...]


def strong_keys(key: str, country: str | None) -> StrongKeys:
    """The variant and spelling keys a canonical or curated name is indexed under.

    Parameters
    ----------
    key
        The name's normalised key (:func:`~gazetteer.normalize.normalize_name`).
    country
        The place's ISO 3166 alpha-2 code, or ``None``: it decides whether the romanisation
        forms apply.

    Examples
    --------
    >>> "kharkov" in strong_keys("kharkiv", "UA").variants
    True
    >>> keys = strong_keys("al hudaydah", "YE")
    >>> "hudaydah" in keys.variants, keys.spellings[-1]
    (True, '~hudada')
    """
    normalised = (normalize_name(variant) for variant in variants(key))
    forms = index_forms(key, country)
    return StrongKeys(
        tuple(v for v in normalised if v and v.isascii()) + tuple(sorted(forms.variants)),
        tuple(k for k in (spelling_key(key), forms.key) if k),
    )
