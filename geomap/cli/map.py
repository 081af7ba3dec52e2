"""``geomap map``: an interactive HTML map (page or fragment) and a PNG picture."""

from __future__ import annotations

import argparse
import sys

from ..errors import InputError
from ..outputs.map import fragment_html, page_html, render
from ..outputs.screenshot import find_chromium, screenshot
from ..outputs.write import check_output, write_atomic
from .session import Session, _apply_decisions


def _cmd_map(session: Session) -> int:
    args = session.args
    if args.output and str(args.output).lower().endswith(".png"):
        raise InputError(f"-o {args.output}: -o writes the HTML map; for a picture use --png {args.output}")
    png = check_output(args.png, session.inputs) if args.png else None
    out = None
    if png is None or args.output:
        out = check_output(args.output or session.default_output(".html"), session.inputs)
    if png is not None:
        png_width, png_height = _png_size(args)  # fail before the slow work on a bad size ...
        find_chromium()  # ... or when there is no browser
    sources = session.sources()
    pipeline = session.pipeline()
    decisions = session.load_decisions(pipeline.gazetteer)
    documents = session.online(list(pipeline.parse_many(sources)))
    documents = _apply_decisions(decisions, documents, pipeline.gazetteer)
    tiles = _map_tiles(args)
    if out is not None:
        size = _map_size(args)
        fmap = render(documents, gazetteer=pipeline.gazetteer, tiles=tiles, cluster=args.cluster,
                      open_place=args.popup, fit=args.bounds or args.fit, heat=args.heat, **size)
        text = (fragment_html(fmap, self_contained=args.self_contained) if args.fragment
                else page_html(fmap, self_contained=args.self_contained))
        write_atomic(out, text)
    if png is not None:
        picture = render(documents, gazetteer=pipeline.gazetteer, tiles=tiles, static=True, cluster=args.cluster,
                         open_place=args.popup, fit=args.bounds or args.fit)
        screenshot(page_html(picture, self_contained=True), png, width=png_width, height=png_height,
                   offline=tiles is None)
    places = {pm.place.id for d in documents for pm in d.mentions if pm.place}
    unresolved = sum(len(d.unresolved) for d in documents)
    if not args.quiet:
        print(f"geomap: {len(places)} places mapped from {len(documents)} document(s)"
              + (f", {unresolved} mention(s) unresolved" if unresolved else ""), file=sys.stderr)
    for written in (out, png):
        if written is not None:
            print(written)
    return session.status()


def _map_tiles(args: argparse.Namespace) -> str | None:
    """The tile layer: the user's choice, else OpenStreetMap, but none for self-contained pages and PNGs."""
    if args.tiles is None:
        return None if args.self_contained or args.png else "OpenStreetMap"
    if args.tiles.lower() == "none":
        return None
    if (args.self_contained or args.png) and not args.quiet:
        print(f"geomap: note: tiles from {args.tiles} still load from the network", file=sys.stderr)
    return args.tiles


def _map_size(args: argparse.Namespace) -> dict[str, str | int]:
    """``width``/``height`` for render(): CSS sizes; a fragment needs a fixed height."""
    def css(value: str | None, default: str | int) -> str | int:
        if value is None:
            return default
        return value if value.endswith("%") else int(value)

    return {"width": css(args.width, "100%"), "height": css(args.height, 480 if args.fragment else "100%")}


def _png_size(args: argparse.Namespace) -> tuple[int, int]:
    sizes = []
    for name, value, default in (("--width", args.width, 1200), ("--height", args.height, 800)):
        if value is None:
            sizes.append(default)
        elif value.endswith("%"):
            raise InputError(f"{name} {value} is a percentage, but a PNG needs pixels: give e.g. {name} {default}")
        elif not 16 <= int(value) <= 10000:
            raise InputError(f"{name} {value} is out of range for a PNG: give 16 to 10000 pixels")
        else:
            sizes.append(int(value))
    return sizes[0], sizes[1]
