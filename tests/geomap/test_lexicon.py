"""The common-word lexicon read from a spaCy pipeline's lemmatizer index (a tiny fake pipeline)."""

from __future__ import annotations

from types import SimpleNamespace

from geomap.lexicon import Lexicon, lexicon_of


def test_the_lexicon_is_read_from_the_pipelines_lemmatizer_index(tmp_path):
    from spacy.lookups import Lookups

    lookups = Lookups()
    lookups.add_table("lemma_index", {"noun": ["dam", "police", "ice-cream"], "verb": ["hit"]})
    (tmp_path / "lemmatizer" / "lookups").mkdir(parents=True)
    lookups.to_disk(tmp_path / "lemmatizer" / "lookups")
    words = lexicon_of(SimpleNamespace(path=tmp_path))
    assert all(w in words for w in ("dam", "police", "hit"))
    assert "kherson" not in words and "ice-cream" not in words and len(words) == 3


def test_a_pipeline_without_an_index_has_no_common_words(tmp_path):
    assert len(lexicon_of(SimpleNamespace(path=tmp_path))) == 0
    assert len(lexicon_of(SimpleNamespace(path=None))) == 0
    assert "dam" not in Lexicon.empty()
