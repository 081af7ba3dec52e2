#!/usr/bin/env python3
"""Vendor the JavaScript/CSS/font/image assets that folium's HTML pages load
from CDNs into ``geomap/assets/``, so ``geomap.outputs.offline.inline_html`` can make a
map page that works with no network.

Every asset is fetched from a package registry at the exact version folium
asks for (``npm pack NAME@VERSION``; the folium stylesheet that only exists in
folium's own source comes from folium's sdist via ``pip download``).  Only the
files a page needs are extracted, together with each package's licence, and
``geomap/assets/manifest.json`` records package, version, registry, licence,
the sha256 of every file and the CDN URL(s) each file stands in for.
``geomap/assets/README.md`` is generated from the same table.

Usage (from the project root)::

    python scripts/vendor_assets.py            # (re)generate geomap/assets
    python scripts/vendor_assets.py --check    # offline: verify files against manifest.json

The output is deterministic: running it again produces byte-identical files.
The whole ``geomap/assets`` directory is generated; do not edit it by hand.
"""

from __future__ import annotations

import argparse
import dataclasses
import hashlib
import io
import json
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path
from typing import Callable

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DEST = ROOT / "geomap" / "assets"
REGEN_COMMAND = "python scripts/vendor_assets.py"
FOLIUM_VERSION = "0.20.0"  # the folium release whose CDN list this table mirrors


# --------------------------------------------------------------------------
# Transformations applied to upstream files (each one documented in README)
# --------------------------------------------------------------------------

_FONT_FACE = re.compile(r"@font-face\s*\{[^}]*\}")


def trim_fontawesome_css(css: str) -> str:
    """Keep only the three Font Awesome 6 @font-face rules, woff2 source only.

    all.min.css also declares compatibility faces for the family names
    "Font Awesome 5 Free/Brands" and "FontAwesome" (v4); no rule in all.min.css
    (nor in any other vendored stylesheet) uses those names -- they exist only
    for third-party CSS written against FA 4/5.  Keeping them would make an
    inlined page carry each woff2 font up to three times.  The ttf fallback is
    dropped because every browser that can run Leaflet 1.9 reads woff2.
    """
    kept = 0

    def repl(m: re.Match) -> str:
        nonlocal kept
        rule = m.group(0)
        if 'font-family:"Font Awesome 6 ' not in rule:
            return ""
        kept += 1
        return re.sub(r',url\([^)]*\.ttf\) format\("truetype"\)', "", rule)

    out = _FONT_FACE.sub(repl, css)
    if kept != 3 or ".ttf" in out or "fa-v4compatibility" in out:
        raise RuntimeError("Font Awesome all.min.css is not laid out as expected; update trim_fontawesome_css")
    return out


def trim_glyphicons_css(css: str) -> str:
    """Reduce the Glyphicons Halflings @font-face to its woff2 source.

    The eot/woff/ttf/svg sources are only for browsers (IE <= 11, old Safari)
    that Leaflet 1.9 does not support either.
    """
    new_face = (
        "@font-face{font-family:'Glyphicons Halflings';"
        "src:url('../fonts/glyphicons-halflings-regular.woff2') format('woff2')}"
    )
    out, n = _FONT_FACE.subn(new_face, css)
    if n != 1:
        raise RuntimeError("glyphicons css is not laid out as expected; update trim_glyphicons_css")
    return out


# --------------------------------------------------------------------------
# The asset table
# --------------------------------------------------------------------------

MIT_TEXT = """\
Permission is hereby granted, free of charge, to any person obtaining a copy
of this software and associated documentation files (the "Software"), to deal
in the Software without restriction, including without limitation the rights
to use, copy, modify, merge, publish, distribute, sublicense, and/or sell
copies of the Software, and to permit persons to whom the Software is
furnished to do so, subject to the following conditions:

The above copyright notice and this permission notice shall be included in
all copies or substantial portions of the Software.

THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR
IMPLIED, INCLUDING BUT NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY,
FITNESS FOR A PARTICULAR PURPOSE AND NONINFRINGEMENT. IN NO EVENT SHALL THE
AUTHORS OR COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM, DAMAGES OR OTHER
LIABILITY, WHETHER IN AN ACTION OF CONTRACT, TORT OR OTHERWISE, ARISING FROM,
OUT OF OR IN CONNECTION WITH THE SOFTWARE OR THE USE OR OTHER DEALINGS IN
THE SOFTWARE.
"""


@dataclasses.dataclass(frozen=True)
class File:
    source: str  # path inside the package archive
    dest: str  # path under geomap/assets/<asset name>/
    transform: Callable[[str], str] | None = None
    note: str = ""


@dataclasses.dataclass(frozen=True)
class Asset:
    name: str  # directory under geomap/assets
    package: str
    version: str
    registry: str  # "npm" or "pypi-sdist"
    license: str  # SPDX expression
    files: tuple[File, ...]
    urls: dict[str, str]  # folium CDN URL -> dest (relative to the asset dir)
    license_source: str | None = None  # licence file inside the archive
    license_text: str | None = None  # when the package ships none
    homepage: str = ""
    notes: str = ""


ASSETS: tuple[Asset, ...] = (
    Asset(
        name="leaflet",
        package="leaflet",
        version="1.9.3",
        registry="npm",
        license="BSD-2-Clause",
        license_source="package/LICENSE",
        homepage="https://leafletjs.com",
        files=(
            File("package/dist/leaflet.js", "leaflet.js"),
            File("package/dist/leaflet.css", "leaflet.css"),
            File("package/dist/images/layers.png", "images/layers.png"),
            File("package/dist/images/layers-2x.png", "images/layers-2x.png"),
            File("package/dist/images/marker-icon.png", "images/marker-icon.png"),
            File("package/dist/images/marker-icon-2x.png", "images/marker-icon-2x.png"),
            File("package/dist/images/marker-shadow.png", "images/marker-shadow.png"),
        ),
        urls={
            "https://cdn.jsdelivr.net/npm/leaflet@1.9.3/dist/leaflet.js": "leaflet.js",
            "https://cdn.jsdelivr.net/npm/leaflet@1.9.3/dist/leaflet.css": "leaflet.css",
        },
        notes="Minified build only (no leaflet-src.js, no source maps).",
    ),
    Asset(
        name="jquery",
        package="jquery",
        version="3.7.1",
        registry="npm",
        license="MIT",
        license_source="package/LICENSE.txt",
        homepage="https://jquery.com",
        files=(File("package/dist/jquery.min.js", "jquery.min.js"),),
        urls={"https://code.jquery.com/jquery-3.7.1.min.js": "jquery.min.js"},
        notes="folium's popups build their content with jQuery.",
    ),
    Asset(
        name="bootstrap",
        package="bootstrap",
        version="5.2.2",
        registry="npm",
        license="MIT",
        license_source="package/LICENSE",
        homepage="https://getbootstrap.com",
        files=(
            File("package/dist/js/bootstrap.bundle.min.js", "js/bootstrap.bundle.min.js"),
            File("package/dist/css/bootstrap.min.css", "css/bootstrap.min.css"),
        ),
        urls={
            "https://cdn.jsdelivr.net/npm/bootstrap@5.2.2/dist/js/bootstrap.bundle.min.js": "js/bootstrap.bundle.min.js",
            "https://cdn.jsdelivr.net/npm/bootstrap@5.2.2/dist/css/bootstrap.min.css": "css/bootstrap.min.css",
        },
    ),
    Asset(
        name="leaflet-awesome-markers",
        package="drmonty-leaflet-awesome-markers",
        version="2.0.2",
        registry="npm",
        license="MIT",
        license_text=(
            "Leaflet.awesome-markers 2.0.2\n"
            "Copyright (c) 2012-2013, Lennard Voogdt\n\n"
            "The npm package drmonty-leaflet-awesome-markers@2.0.2 (a re-packaging of\n"
            "https://github.com/lvoogdt/Leaflet.awesome-markers) ships no licence file.\n"
            "Its package.json declares the MIT licence (\"licenses\": [{\"type\": \"MIT\", \"url\":\n"
            "\"http://github.com/lvoogdt/Leaflet.awesome-markers/blob/2.0/develop/LICENSE\"}]),\n"
            "its CSS header says \"License: MIT\", and the JS header names the copyright\n"
            "holder above.  The MIT licence text follows.\n\n" + MIT_TEXT
        ),
        homepage="https://github.com/lvoogdt/Leaflet.awesome-markers",
        files=(
            File("package/js/leaflet.awesome-markers.js", "leaflet.awesome-markers.js"),
            File("package/css/leaflet.awesome-markers.css", "leaflet.awesome-markers.css"),
            File("package/css/images/markers-soft.png", "images/markers-soft.png"),
            File("package/css/images/markers-soft@2x.png", "images/markers-soft@2x.png"),
            File("package/css/images/markers-shadow.png", "images/markers-shadow.png"),
            File("package/css/images/markers-shadow@2x.png", "images/markers-shadow@2x.png"),
        ),
        urls={
            "https://cdnjs.cloudflare.com/ajax/libs/Leaflet.awesome-markers/2.0.2/leaflet.awesome-markers.js": "leaflet.awesome-markers.js",
            "https://cdnjs.cloudflare.com/ajax/libs/Leaflet.awesome-markers/2.0.2/leaflet.awesome-markers.css": "leaflet.awesome-markers.css",
        },
        notes=(
            "The upstream project is not on npm under its own name; drmonty-leaflet-awesome-markers "
            "is a shim that re-publishes its 2.0.2 dist files (the JS reports L.AwesomeMarkers.version "
            "'2.0.1', as upstream's 2.0.2 tag does).  Only the images the CSS references are kept "
            "(markers-matte/plain are unused)."
        ),
    ),
    Asset(
        name="fontawesome-free",
        package="@fortawesome/fontawesome-free",
        version="6.2.0",
        registry="npm",
        license="CC-BY-4.0 AND OFL-1.1 AND MIT",
        license_source="package/LICENSE.txt",
        homepage="https://fontawesome.com",
        files=(
            File(
                "package/css/all.min.css",
                "css/all.min.css",
                transform=trim_fontawesome_css,
                note=(
                    "@font-face rules trimmed: kept the three 'Font Awesome 6 Free/Brands' faces with "
                    "their woff2 source only; dropped the ttf sources and the unused FA5/FA4 "
                    "compatibility faces ('Font Awesome 5 Free/Brands', 'FontAwesome')."
                ),
            ),
            File("package/webfonts/fa-solid-900.woff2", "webfonts/fa-solid-900.woff2"),
            File("package/webfonts/fa-regular-400.woff2", "webfonts/fa-regular-400.woff2"),
            File("package/webfonts/fa-brands-400.woff2", "webfonts/fa-brands-400.woff2"),
        ),
        urls={
            "https://cdn.jsdelivr.net/npm/@fortawesome/fontawesome-free@6.2.0/css/all.min.css": "css/all.min.css",
        },
        notes=(
            "Icons CC BY 4.0, fonts SIL OFL 1.1, code MIT (see LICENSE.txt).  Only all.min.css and "
            "the three woff2 fonts it uses are kept (no ttf, no JS/SVG framework, no "
            "fa-v4compatibility font, which only the dropped FA4 compatibility face referenced)."
        ),
    ),
    Asset(
        name="bootstrap3-glyphicons",
        package="glyphicons-only-bootstrap",
        version="1.0.1",
        registry="npm",
        license="MIT",
        license_text=(
            "glyphicons-only-bootstrap 1.0.1 -- the Glyphicons Halflings part of Bootstrap v3.3.7\n"
            "Copyright (c) 2011-2016 Twitter, Inc.\n\n"
            "The npm package glyphicons-only-bootstrap@1.0.1 ships no licence file.  Its\n"
            "package.json declares \"license\": \"MIT\", its README says the licence belongs to\n"
            "Bootstrap, and its CSS header reads \"Bootstrap v3.3.7 (http://getbootstrap.com)\n"
            "Copyright 2011-2016 Twitter, Inc.  Licensed under MIT\".  The Glyphicons Halflings\n"
            "font was made available by its creator (Jan Kovarik, glyphicons.com) for\n"
            "Bootstrap free of cost and is distributed with Bootstrap 3 under Bootstrap's\n"
            "licence.  The MIT licence text follows.\n\n" + MIT_TEXT
        ),
        homepage="https://github.com/ohpyupi/glyphicons-only-bootstrap",
        files=(
            File(
                "package/css/bootstrap.min.css",
                "css/bootstrap-glyphicons.min.css",
                transform=trim_glyphicons_css,
                note="@font-face reduced to the woff2 source (eot/woff/ttf/svg sources dropped).",
            ),
            File("package/fonts/glyphicons-halflings-regular.woff2", "fonts/glyphicons-halflings-regular.woff2"),
        ),
        urls={
            "https://netdna.bootstrapcdn.com/bootstrap/3.0.0/css/bootstrap-glyphicons.css": "css/bootstrap-glyphicons.min.css",
        },
        notes=(
            "SUBSTITUTE: folium links the Bootstrap 3.0.0 'bootstrap-glyphicons.css' from a CDN "
            "that is not a package registry, and that exact file is not on npm or PyPI.  This "
            "package carries the Glyphicons Halflings CSS + font of Bootstrap 3.3.7, with the same "
            "'glyphicon glyphicon-NAME' classes folium emits; it is not byte-identical to the "
            "3.0.0 file (which could not be fetched here to compare).  folium's default "
            "folium.Icon (prefix 'glyphicon', icon 'info-sign') uses it."
        ),
    ),
    Asset(
        name="leaflet-markercluster",
        package="leaflet.markercluster",
        version="1.1.0",
        registry="npm",
        license="MIT",
        license_source="package/MIT-LICENCE.txt",
        homepage="https://github.com/Leaflet/Leaflet.markercluster",
        files=(
            File("package/dist/leaflet.markercluster.js", "leaflet.markercluster.js"),
            File("package/dist/MarkerCluster.css", "MarkerCluster.css"),
            File("package/dist/MarkerCluster.Default.css", "MarkerCluster.Default.css"),
        ),
        urls={
            "https://cdnjs.cloudflare.com/ajax/libs/leaflet.markercluster/1.1.0/leaflet.markercluster.js": "leaflet.markercluster.js",
            "https://cdnjs.cloudflare.com/ajax/libs/leaflet.markercluster/1.1.0/MarkerCluster.css": "MarkerCluster.css",
            "https://cdnjs.cloudflare.com/ajax/libs/leaflet.markercluster/1.1.0/MarkerCluster.Default.css": "MarkerCluster.Default.css",
        },
        notes="Loaded by folium.plugins.MarkerCluster.",
    ),
    Asset(
        name="leaflet-fullscreen",
        package="leaflet.fullscreen",
        version="3.0.0",
        registry="npm",
        license="MIT",
        license_source="package/LICENSE",
        homepage="https://github.com/brunob/leaflet.fullscreen",
        files=(
            File("package/Control.FullScreen.js", "Control.FullScreen.js"),
            File("package/Control.FullScreen.css", "Control.FullScreen.css"),
            File("package/icon-fullscreen.svg", "icon-fullscreen.svg"),
        ),
        urls={
            "https://cdn.jsdelivr.net/npm/leaflet.fullscreen@3.0.0/Control.FullScreen.min.js": "Control.FullScreen.js",
            "https://cdn.jsdelivr.net/npm/leaflet.fullscreen@3.0.0/Control.FullScreen.css": "Control.FullScreen.css",
        },
        notes=(
            "Loaded by folium.plugins.Fullscreen and by geomap's full-screen button.  folium links "
            "Control.FullScreen.min.js, which jsDelivr minifies on the fly from the package's "
            "Control.FullScreen.js (the package ships no minified file): the unminified source is "
            "vendored in its place."
        ),
    ),
    Asset(
        name="leaflet-search",
        package="leaflet-search",
        version="2.9.7",
        registry="npm",
        license="MIT",
        license_source="package/license.txt",
        homepage="https://github.com/stefanocudini/leaflet-search",
        files=(
            File("package/dist/leaflet-search.min.js", "dist/leaflet-search.min.js"),
            File("package/dist/leaflet-search.min.css", "dist/leaflet-search.min.css"),
            File("package/images/loader.gif", "images/loader.gif"),
            File("package/images/search-icon.png", "images/search-icon.png"),
        ),
        urls={
            "https://cdn.jsdelivr.net/npm/leaflet-search@2.9.7/dist/leaflet-search.min.js": "dist/leaflet-search.min.js",
            "https://cdn.jsdelivr.net/npm/leaflet-search@2.9.7/dist/leaflet-search.min.css": "dist/leaflet-search.min.css",
        },
        notes=(
            "Loaded by folium.plugins.Search and by geomap's place search box.  Only the minified "
            "build and the two images its stylesheet references are kept."
        ),
    ),
    Asset(
        name="folium-leaflet-heat",
        package="folium",
        version=FOLIUM_VERSION,
        registry="pypi-sdist",
        license="BSD-2-Clause",
        license_text=(
            "leaflet_heat.min.js in folium's sdist is Leaflet.heat (c) 2014, Vladimir Agafonkin,\n"
            "with simpleheat (c) 2014, Vladimir Agafonkin, as its header says; both are\n"
            "BSD-2-Clause (https://github.com/Leaflet/Leaflet.heat/blob/gh-pages/LICENSE).\n"
            "folium itself is MIT.  The BSD-2-Clause text follows.\n\n"
            "Copyright (c) 2014, Vladimir Agafonkin\nAll rights reserved.\n\n"
            "Redistribution and use in source and binary forms, with or without modification, are\n"
            "permitted provided that the following conditions are met:\n\n"
            "   1. Redistributions of source code must retain the above copyright notice, this list of\n"
            "      conditions and the following disclaimer.\n\n"
            "   2. Redistributions in binary form must reproduce the above copyright notice, this list\n"
            "      of conditions and the following disclaimer in the documentation and/or other materials\n"
            "      provided with the distribution.\n\n"
            "THIS SOFTWARE IS PROVIDED BY THE COPYRIGHT HOLDERS AND CONTRIBUTORS \"AS IS\" AND ANY\n"
            "EXPRESS OR IMPLIED WARRANTIES, INCLUDING, BUT NOT LIMITED TO, THE IMPLIED WARRANTIES OF\n"
            "MERCHANTABILITY AND FITNESS FOR A PARTICULAR PURPOSE ARE DISCLAIMED. IN NO EVENT SHALL THE\n"
            "COPYRIGHT HOLDER OR CONTRIBUTORS BE LIABLE FOR ANY DIRECT, INDIRECT, INCIDENTAL, SPECIAL,\n"
            "EXEMPLARY, OR CONSEQUENTIAL DAMAGES (INCLUDING, BUT NOT LIMITED TO, PROCUREMENT OF\n"
            "SUBSTITUTE GOODS OR SERVICES; LOSS OF USE, DATA, OR PROFITS; OR BUSINESS INTERRUPTION)\n"
            "HOWEVER CAUSED AND ON ANY THEORY OF LIABILITY, WHETHER IN CONTRACT, STRICT LIABILITY, OR\n"
            "TORT (INCLUDING NEGLIGENCE OR OTHERWISE) ARISING IN ANY WAY OUT OF THE USE OF THIS\n"
            "SOFTWARE, EVEN IF ADVISED OF THE POSSIBILITY OF SUCH DAMAGE.\n"
        ),
        homepage="https://github.com/python-visualization/folium",
        files=(
            File(f"folium-{FOLIUM_VERSION}/folium/templates/leaflet_heat.min.js", "leaflet_heat.min.js"),
        ),
        urls={
            "https://cdn.jsdelivr.net/gh/python-visualization/folium@main/folium/templates/leaflet_heat.min.js": "leaflet_heat.min.js",
        },
        notes=(
            "folium.plugins.HeatMap (and geomap's --heat layer) load Leaflet.heat from folium's own "
            "GitHub repository through a CDN, unversioned (folium@main).  The copy in folium "
            f"{FOLIUM_VERSION}'s sdist on PyPI is vendored as is."
        ),
    ),
    Asset(
        name="folium-awesome-rotate",
        package="folium",
        version=FOLIUM_VERSION,
        registry="pypi-sdist",
        license="MIT",
        license_source=f"folium-{FOLIUM_VERSION}/LICENSE.txt",
        homepage="https://github.com/python-visualization/folium",
        files=(
            File(
                f"folium-{FOLIUM_VERSION}/folium/templates/leaflet.awesome.rotate.css",
                "leaflet.awesome.rotate.css",
            ),
        ),
        urls={
            "https://cdn.jsdelivr.net/gh/python-visualization/folium/folium/templates/leaflet.awesome.rotate.min.css": "leaflet.awesome.rotate.css",
        },
        notes=(
            "folium links this stylesheet (the .fa-rotate-N classes behind folium.Icon(angle=N)) "
            "straight from its GitHub repository through a CDN, unversioned and auto-minified.  "
            "It is not in folium's wheel; folium's sdist on PyPI has the unminified source, "
            "which is vendored as is."
        ),
    ),
)


# --------------------------------------------------------------------------
# Fetching
# --------------------------------------------------------------------------


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _run(cmd: list[str], cwd: Path) -> str:
    proc = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True)
    if proc.returncode != 0:
        raise RuntimeError(f"command failed ({proc.returncode}): {' '.join(cmd)}\n{proc.stderr[-4000:]}")
    return proc.stdout


def fetch_npm(package: str, version: str, tmp: Path) -> tuple[Path, dict]:
    """``npm pack`` the exact version into tmp; return the tarball and npm's record of it."""
    out = _run(["npm", "pack", "--json", "--silent", f"{package}@{version}", "--pack-destination", str(tmp)], tmp)
    info = json.loads(out[out.index("[") :])[0]
    if info.get("version") != version or info.get("name") != package:
        raise RuntimeError(f"npm returned {info.get('name')}@{info.get('version')} for {package}@{version}")
    return tmp / info["filename"], {"integrity": info.get("integrity")}


def fetch_pypi_sdist(package: str, version: str, tmp: Path) -> tuple[Path, dict]:
    dest = tmp / f"pypi-{package}-{version}"
    dest.mkdir()
    _run(
        [sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", "--no-binary", ":all:",
         f"{package}=={version}", "-d", str(dest)],
        tmp,
    )
    (sdist,) = list(dest.glob("*.tar.gz"))
    return sdist, {"sha256": sha256(sdist.read_bytes())}


def read_members(tarball: Path) -> dict[str, bytes]:
    """Regular-file members of a .tgz, by name (nothing is extracted to disk)."""
    members: dict[str, bytes] = {}
    with tarfile.open(tarball, "r:gz") as tar:
        for m in tar.getmembers():
            if m.isfile():
                f = tar.extractfile(m)
                assert f is not None
                members[m.name] = f.read()
    return members


# --------------------------------------------------------------------------
# Building
# --------------------------------------------------------------------------


def build(dest: Path) -> dict:
    with tempfile.TemporaryDirectory(prefix="geomap-vendor-") as td:
        tmp = Path(td)
        stage = tmp / "assets"
        stage.mkdir()
        manifest_assets: dict[str, dict] = {}
        fetched: dict[tuple[str, str, str], tuple[Path, dict, dict[str, bytes]]] = {}
        for asset in ASSETS:
            key = (asset.registry, asset.package, asset.version)
            if key not in fetched:  # several assets may come from one archive (folium's sdist)
                print(f"fetching {asset.package}@{asset.version} ({asset.registry})", file=sys.stderr)
                if asset.registry == "npm":
                    archive, archive_info = fetch_npm(asset.package, asset.version, tmp)
                elif asset.registry == "pypi-sdist":
                    archive, archive_info = fetch_pypi_sdist(asset.package, asset.version, tmp)
                else:  # pragma: no cover
                    raise ValueError(asset.registry)
                fetched[key] = (archive, archive_info, read_members(archive))
            archive, archive_info, members = fetched[key]
            adir = stage / asset.name
            files: dict[str, dict] = {}
            for f in asset.files:
                if f.source not in members:
                    raise RuntimeError(f"{asset.package}@{asset.version} has no {f.source}")
                raw = members[f.source]
                data = raw
                if f.transform is not None:
                    data = f.transform(raw.decode("utf-8")).encode("utf-8")
                out = adir / f.dest
                out.parent.mkdir(parents=True, exist_ok=True)
                out.write_bytes(data)
                entry = {"source": f.source, "size": len(data), "sha256": sha256(data)}
                if f.transform is not None:
                    entry["modified"] = f.note
                    entry["upstream_sha256"] = sha256(raw)
                files[f"{asset.name}/{f.dest}"] = entry
            if asset.license_source:
                lic_name = Path(asset.license_source).name
                lic_data = members[asset.license_source]
                lic_origin = asset.license_source
            else:
                assert asset.license_text
                lic_name, lic_data = "LICENSE", asset.license_text.encode("utf-8")
                lic_origin = "written by scripts/vendor_assets.py: the package ships no licence file"
            (adir / lic_name).write_bytes(lic_data)
            dests = {f.dest for f in asset.files}
            for url, d in asset.urls.items():
                if d not in dests:
                    raise RuntimeError(f"{asset.name}: URL {url} maps to unknown file {d}")
            manifest_assets[asset.name] = {
                "package": asset.package,
                "version": asset.version,
                "registry": asset.registry,
                "archive": {"name": archive.name, **archive_info},
                "license": asset.license,
                "license_file": f"{asset.name}/{lic_name}",
                "license_file_sha256": sha256(lic_data),
                "license_file_origin": lic_origin,
                "homepage": asset.homepage,
                "notes": asset.notes,
                "files": files,
                "urls": {url: f"{asset.name}/{d}" for url, d in asset.urls.items()},
            }
        manifest = {
            "schema": 1,
            "generated_by": REGEN_COMMAND,
            "folium_version": FOLIUM_VERSION,
            "assets": manifest_assets,
        }
        (stage / "manifest.json").write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n", encoding="utf-8")
        (stage / "README.md").write_text(render_readme(manifest), encoding="utf-8")

        if dest.exists():
            shutil.rmtree(dest)
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copytree(stage, dest)
    return manifest


def render_readme(manifest: dict) -> str:
    lines = [
        "# Vendored web assets for offline folium maps",
        "",
        "Generated by `scripts/vendor_assets.py` -- do not edit by hand.  Regenerate with",
        "",
        "```sh",
        REGEN_COMMAND,
        "```",
        "",
        "run from the project root (it needs `npm` and `pip`, and reaches only the npm",
        "registry and PyPI).  The output is deterministic.  Verify the files offline with",
        f"`{REGEN_COMMAND} --check`.",
        "",
        f"These are the files that folium {manifest['folium_version']} pages load from CDNs",
        "(`folium/folium.py` `_default_js`/`_default_css`, and",
        "`folium/plugins/marker_cluster.py` `MarkerCluster.default_js/default_css`, and the",
        "`Fullscreen`, `Search` and `HeatMap` plugins that geomap's map helpers use).",
        "`geomap.outputs.offline.inline_html()` replaces each CDN `<script src>` / stylesheet",
        "`<link>` with the vendored file inlined (CSS `url()` references become `data:`",
        "URIs), using the CDN URL -> file map in `manifest.json`.  `manifest.json` also",
        "records, for every file, its sha256, size and path inside the package archive.",
        "",
        "| directory | package | version | registry | licence | CDN URL(s) folium uses |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for name, a in manifest["assets"].items():
        urls = "<br>".join(f"`{u}`" for u in a["urls"])
        lines.append(
            f"| `{name}/` | `{a['package']}` | {a['version']} | {a['registry']} | {a['license']} | {urls} |"
        )
    lines += ["", "## Per asset", ""]
    for name, a in manifest["assets"].items():
        lines.append(f"### `{name}/` -- {a['package']} {a['version']}")
        lines.append("")
        lines.append(f"- source: {a['registry']} package `{a['package']}` {a['version']} (`{a['archive']['name']}`)")
        lines.append(f"- licence: {a['license']} -- `{a['license_file']}` ({a['license_file_origin']})")
        if a["homepage"]:
            lines.append(f"- upstream: {a['homepage']}")
        if a["notes"]:
            lines.append(f"- notes: {a['notes']}")
        lines.append("- files:")
        for path, f in a["files"].items():
            extra = f" -- modified: {f['modified']}" if "modified" in f else ""
            lines.append(f"  - `{path}` ({f['size']} bytes) from `{f['source']}`{extra}")
        lines.append("")
    lines += [
        "## Trimming",
        "",
        "Only the files a folium page loads are kept (minified builds, no source maps,",
        "no unminified/ESM builds, no examples).  Two stylesheets are edited, each",
        "recorded in `manifest.json` with the upstream file's sha256:",
        "",
        "- Font Awesome `css/all.min.css`: only the three `Font Awesome 6 Free/Brands`",
        "  `@font-face` rules are kept, each with its woff2 source only.  The ttf",
        "  fallbacks and the FA 4/5 compatibility faces (font families `FontAwesome`,",
        "  `Font Awesome 5 Free/Brands`, which no vendored rule uses) are dropped, so",
        "  each font is inlined once: the inlined stylesheet is ~0.5 MB instead of",
        "  ~1.2 MB.",
        "- Glyphicons: the `@font-face` keeps only its woff2 source (eot/woff/ttf/svg are",
        "  for browsers Leaflet 1.9 does not support).",
        "",
        "Source-map comments are stripped at inlining time (by `geomap.outputs.offline`), not",
        "here, so the vendored JS keeps the upstream bytes.",
        "",
    ]
    return "\n".join(lines)


# --------------------------------------------------------------------------
# Checks
# --------------------------------------------------------------------------


def folium_cdn_urls() -> set[str] | None:
    """The CDN URLs the installed folium (and its MarkerCluster, Fullscreen, HeatMap and Search
    plugins) emit."""
    try:
        import folium.folium as ff
        from folium.plugins import MarkerCluster
    except ImportError:
        return None
    urls = {u for _, u in ff._default_js} | {u for _, u in ff._default_css}
    urls |= {u for _, u in MarkerCluster.default_js} | {u for _, u in MarkerCluster.default_css}
    from folium.plugins import Fullscreen, HeatMap, Search

    for plugin in (Fullscreen, HeatMap, Search):  # the plugins geomap's map helpers use
        urls |= {u for _, u in plugin.default_js} | {u for _, u in plugin.default_css}
    return urls


def check(dest: Path) -> list[str]:
    problems: list[str] = []
    manifest_path = dest / "manifest.json"
    if not manifest_path.exists():
        return [f"{manifest_path} missing"]
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    vendored_urls: set[str] = set()
    for name, a in manifest["assets"].items():
        paths = dict(a["files"])
        paths[a["license_file"]] = {"sha256": a["license_file_sha256"]}
        for rel, f in paths.items():
            p = dest / rel
            if not p.is_file():
                problems.append(f"missing: {rel}")
            elif sha256(p.read_bytes()) != f["sha256"]:
                problems.append(f"sha256 mismatch: {rel}")
        vendored_urls |= set(a["urls"])
    wanted = folium_cdn_urls()
    if wanted is not None:
        for url in sorted(wanted - vendored_urls):
            problems.append(f"folium uses a CDN URL that is not vendored: {url}")
    return problems


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--dest", type=Path, default=DEFAULT_DEST, help="output directory (default: geomap/assets)")
    ap.add_argument("--check", action="store_true", help="verify existing files against manifest.json; no network")
    args = ap.parse_args(argv)
    if not args.check:
        wanted = folium_cdn_urls()
        if wanted is not None:
            table = {u for a in ASSETS for u in a.urls}
            missing = wanted - table
            if missing:
                print("warning: the installed folium uses CDN URLs this table does not cover:", file=sys.stderr)
                for u in sorted(missing):
                    print(f"  {u}", file=sys.stderr)
        build(args.dest)
    problems = check(args.dest)
    for p in problems:
        print(p, file=sys.stderr)
    if not problems:
        total = sum(p.stat().st_size for p in args.dest.rglob("*") if p.is_file())
        print(f"{args.dest}: OK ({total} bytes)")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
