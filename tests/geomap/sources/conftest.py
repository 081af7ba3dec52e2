"""Fixtures of the input tests."""

from __future__ import annotations

import pytest


@pytest.fixture()
def no_network(monkeypatch):
    """Fail a test whose code so much as tries to resolve a name, open a socket, or fetch.

    pytest-socket (on for every test) blocks sockets and name look-ups and warns on each
    attempt; the warnings are recorded here, so that an attempt whose error the code under
    test swallowed still fails the test. The socket module itself is left alone: patching it
    here would outlive pytest-socket's own clean-up.
    """
    import warnings

    import geomap.sources.web

    attempts: list[str] = []

    def refuse(*args, **kwargs):
        attempts.append(f"fetch{args[:1]}")
        raise OSError("network use in a file-only test: fetch")

    monkeypatch.setattr(geomap.sources.web, "fetch", refuse)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        yield attempts
    attempts += [str(w.message) for w in caught if "tried to use socket" in str(w.message)]
    assert attempts == []
