"""The mentions cache of the gold corpora: its key covers the extractor's code and gazetteer."""

from __future__ import annotations

from geomap.training.corpus import _EXTRACTOR_CODE, _fingerprint


def test_the_cache_key_changes_with_any_module_of_the_extractor(tmp_path):
    gold = tmp_path / "gold.jsonl"
    gold.write_text('{"id": "a", "text": "Kyiv", "toponyms": []}\n', encoding="utf-8")
    code = tmp_path / "code"
    code.mkdir()
    (code / "extract.py").write_text("A = 1\n", encoding="utf-8")
    (code / "qualifiers.py").write_text("B = 1\n", encoding="utf-8")
    key = _fingerprint(gold, code)
    assert _fingerprint(gold, code) == key
    (code / "qualifiers.py").write_text("B = 2\n", encoding="utf-8")  # a helper module, not extract.py
    changed = _fingerprint(gold, code)
    assert changed != key
    (code / "recognise.py").write_text("", encoding="utf-8")  # a module added
    assert _fingerprint(gold, code) != changed
    gold.write_text('{"id": "b", "text": "Kyiv", "toponyms": []}\n', encoding="utf-8")
    assert len({key, changed, _fingerprint(gold, code)}) == 3


def test_the_cache_key_reads_the_package_that_holds_the_extractor():
    modules = {p.name for p in _EXTRACTOR_CODE.glob("*.py")}
    assert {"extract.py", "recognise.py", "names.py", "qualifiers.py", "context.py", "tokens.py"} <= modules


def test_a_changed_gazetteer_misses_the_cache(tmp_path):
    # Recognition reads the gazetteer (which names it knows, how strongly): mentions found
    # with one build must not be reused with another.
    from types import SimpleNamespace

    from geomap.training.corpus import extracted

    gold = tmp_path / "gold.jsonl"
    gold.write_text('{"id": "a", "text": "Kyiv", "toponyms": []}\n', encoding="utf-8")
    calls = []

    def extractor(fingerprint):
        def extract_many(texts):
            calls.append(fingerprint)
            return [[] for _ in texts]
        return SimpleNamespace(gazetteer=SimpleNamespace(meta={"fingerprint": fingerprint}), extract_many=extract_many)

    extracted(gold, extractor("build 1"), tmp_path / "cache")
    extracted(gold, extractor("build 1"), tmp_path / "cache")  # a hit
    extracted(gold, extractor("build 2"), tmp_path / "cache")
    assert calls == ["build 1", "build 2"]
    assert _fingerprint(gold, gazetteer="build 1") != _fingerprint(gold, gazetteer="build 2")
