"""The public API is small and pinned: changing it must be deliberate."""

import gazetteer
import geomap


def test_geomap_public_api_is_pinned():
    assert sorted(geomap.__all__) == sorted([
        "DecisionError", "Document", "Excerpt", "GeomapError", "InputError", "MappedPlace", "Mention",
        "ModelError", "OutputError", "Pipeline", "Place", "PlaceKind", "PlaceMention", "Resolution",
        "ResolverOptions", "SourceDocument", "Span", "SpanError", "__version__", "default_pipeline", "group_places", "parse",
        "render",
    ])
    for name in geomap.__all__:
        assert hasattr(geomap, name), name


def test_gazetteer_public_api_is_pinned():
    assert sorted(gazetteer.__all__) == sorted([
        "Candidate", "Gazetteer", "GazetteerBuildError", "GazetteerCorrupt", "GazetteerDataError",
        "GazetteerError", "GazetteerInfo", "GazetteerNotFound", "MatchOrigin", "NameMatch", "Place",
        "PlaceKind", "Resolution", "Resolver", "ResolverOptions", "Toponym", "UnknownPlaceError",
        "build_embedded", "default_path", "normalize_name", "open_default",
        # the resolver's ranker (issue #14): the scorer seam, the two shipped scorers, model files
        "HAND_TUNED", "LinearScorer", "RankerError", "Scorer", "default_scorer", "load_scorer",
        # what Gazetteer.name_kinds returns (the extractor's light look-up of a name's places)
        "NameKind",
    ])


def test_exceptions_mix_in_builtins():
    assert issubclass(geomap.InputError, ValueError)
    assert issubclass(geomap.OutputError, OSError)
    assert issubclass(gazetteer.GazetteerNotFound, FileNotFoundError)
    assert issubclass(gazetteer.UnknownPlaceError, KeyError)


def test_import_is_light():
    import subprocess
    import sys

    code = "import sys, geomap, gazetteer; print('spacy' in sys.modules, 'folium' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.split() == ["False", "False"]


def test_place_kind_vocabulary_is_stable():
    assert [k.value for k in geomap.PlaceKind] == [
        "country", "admin1", "admin2", "region", "city", "physical", "continent", "other"]
