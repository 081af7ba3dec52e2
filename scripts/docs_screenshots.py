#!/usr/bin/env python3
"""Take the screenshots of the map views and the review page shown in the README (docs/*.png).

Usage (from the project root, with Chromium installed; no network is used)::

    python scripts/docs_screenshots.py [--chromium /usr/bin/chromium]

It maps ``examples/frontline_report.txt`` (and reviews ``tests/fixtures/story_article.txt``) with
the real model and gazetteer, opens the pages in
headless Chromium through Playwright (``executable_path``, never ``playwright install``) with
every request but the page's own file aborted, and writes:

- ``docs/story-view.png``: the first view of a self-contained map, framed on the story;
- ``docs/map-helpers.png``: the search box finding a place, with the full-screen button and
  the heat layer;
- ``docs/review-decide.png``: the review page after clicks settled "Kherson" as the oblast and
  "Moss" (a surname) as not a place.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ARTICLE = ROOT / "examples" / "frontline_report.txt"
REVIEWED = ROOT / "tests" / "fixtures" / "story_article.txt"  # a colonel called Moss, taken for a town
DOCS = ROOT / "docs"


def _cli(*args: str) -> None:
    from geomap.cli import main

    if main([*args, "-q"]) != 0:
        raise SystemExit(f"geomap {' '.join(args)} failed")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--chromium", default=None, help="Chromium executable (default: geomap's own search)")
    args = ap.parse_args(argv)
    from playwright.sync_api import sync_playwright

    from geomap.outputs.screenshot import find_chromium

    chromium = args.chromium or find_chromium()
    with tempfile.TemporaryDirectory(prefix="geomap-docs-") as tmp, sync_playwright() as pw:
        tmpdir = Path(tmp)
        story, review = tmpdir / "story.html", tmpdir / "review.html"
        _cli("map", str(ARTICLE), "--self-contained", "--heat", "-o", str(story))
        _cli("review", str(REVIEWED), "--tiles", "none", "-o", str(review), "--decisions",
             str(tmpdir / "decisions.yaml"))
        browser = pw.chromium.launch(executable_path=chromium, headless=True,
                                     args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"])
        context = browser.new_context(viewport={"width": 1200, "height": 760})
        context.route("**/*", lambda r: r.continue_() if r.request.url.startswith("file:") else r.abort())
        page = context.new_page()

        page.goto(story.as_uri())
        page.wait_for_selector("[data-geomap-ready]")
        # the heat layer off for the plain first view
        page.evaluate("() => { const a = Object.values(window.geomapMaps)[0];"
                      " a.map.eachLayer(l => { if (l._heat) { a.map.removeLayer(l); } }); }")
        page.wait_for_timeout(300)
        page.screenshot(path=str(DOCS / "story-view.png"))

        page.goto(story.as_uri())
        page.wait_for_selector("[data-geomap-ready]")
        page.click(".leaflet-control-search .search-button")
        page.locator(".leaflet-control-search input.search-input").press_sequentially("khar", delay=20)
        page.wait_for_selector(".search-tooltip .search-tip")
        page.wait_for_timeout(200)
        page.screenshot(path=str(DOCS / "map-helpers.png"))

        page.set_viewport_size({"width": 1300, "height": 820})
        page.goto(review.as_uri())
        page.wait_for_function("document.body.dataset.ready === '1'")
        page.check("#show-all")
        cards = page.evaluate("""() => Array.from(document.querySelectorAll('article.item'))
          .map(c => [c.id, c.querySelector('.surface').textContent])""")
        card = next(i for i, surface in cards if surface == "Kherson")
        moss = next(i for i, surface in cards if surface == "Moss")
        page.click(f"#{moss} input[value=not-a-place]")
        page.click(f"#{card} .choices label:text-is(' Kherson Oblast (admin1, UA)') input")
        page.click(f"#{card} header")
        page.evaluate(f"document.getElementById('{card}').scrollIntoView({{block: 'start'}})")
        page.wait_for_timeout(400)
        page.screenshot(path=str(DOCS / "review-decide.png"))
        browser.close()
    for name in ("story-view.png", "map-helpers.png", "review-decide.png"):
        print(DOCS / name)
    return 0


if __name__ == "__main__":
    sys.exit(main())
