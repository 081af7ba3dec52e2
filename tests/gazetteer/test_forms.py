"""gazetteer.forms: the extra keys of a canonical or curated name, the same for every writer."""

from __future__ import annotations

from gazetteer.forms import strong_keys
from gazetteer.romanise import index_forms
from gazetteer.translit import spelling_key


def test_every_country_gets_transliteration_variants_and_the_spelling_key():
    keys = strong_keys("kharkiv", "UA")
    assert "kharkov" in keys.variants
    assert keys.spellings == (spelling_key("kharkiv"),)


def test_romanised_countries_also_get_article_variants_and_the_marked_romanised_key():
    yemen, elsewhere = strong_keys("al hudaydah", "YE"), strong_keys("al hudaydah", "US")
    forms = index_forms("al hudaydah", "YE")
    assert forms.variants and set(forms.variants) <= set(yemen.variants)
    assert not set(forms.variants) & set(elsewhere.variants)
    assert yemen.spellings == (spelling_key("al hudaydah"), forms.key)
    assert elsewhere.spellings == (spelling_key("al hudaydah"),)
    assert all(v and v.isascii() for v in yemen.variants)
