"""NameEvidence: how surely a name denotes a place, by the gazetteer alone."""

from geomap.names import SPELLING_ONLY, NameEvidence

_PROBES = ("Kharkov", "Kharkiw", "Khersonn", "Kherzon", "Kherson", "KHERSON", "Alexandria", "Georgia",
           "Atlantis", "Zaporozhye", "Izyum", "Nowhere Springs", "the Donbass", "")
_THRESHOLDS = (0.0, 0.15, SPELLING_ONLY, 0.6, 0.8, 0.9, 1.0)


def test_reaches_agrees_with_strength_at_every_threshold(tiny_gazetteer):
    names = NameEvidence(tiny_gazetteer)
    spelled = [n for n in _PROBES if names.strength(n) > 0.0 and not names.exact(n)]
    assert spelled  # some probes match by spelling key alone: the case reaches() cuts short
    for name in _PROBES:
        for threshold in _THRESHOLDS:
            assert names.reaches(name, threshold) == (names.strength(name) >= threshold), (name, threshold)
            assert names.name_reaches(f"{name}’s", threshold) == (names.name_strength(f"{name}’s") >= threshold)


def test_reaches_above_spelling_only_never_works_out_spelling_keys(tiny_gazetteer, monkeypatch):
    def no_keys(name):
        raise AssertionError(f"spelling keys of {name!r} worked out")

    monkeypatch.setattr(tiny_gazetteer, "_spelling_probe", no_keys)
    names = NameEvidence(tiny_gazetteer)
    for name in _PROBES:
        for threshold in _THRESHOLDS:
            if threshold > SPELLING_ONLY:
                names.reaches(name, threshold)
