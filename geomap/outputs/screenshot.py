"""Static pictures of maps (PNG) for PDF and Word reports, taken with headless Chromium.

geomap does not bundle a browser: it runs the system's Chromium (Debian/Ubuntu:
``apt-get install chromium``; any Chrome or Chromium works, or set ``GEOMAP_CHROMIUM`` to its
path). The page is written to a private temporary directory together with a fresh browser
profile, and Chromium's own ``--screenshot`` mode takes the picture once the page has settled
(``--virtual-time-budget``).

With ``offline=True`` (the default) Chromium cannot resolve any host name, so the page makes no
network request: use a self-contained page without tiles (``render(..., tiles=None,
static=True)`` and ``page_html(..., self_contained=True)``), which draws the country-outline
base layer instead. Pass ``offline=False`` for a page with tiles; the picture then shows the
tiles that loaded within the time budget.

Examples
--------
>>> from geomap.outputs.map import page_html, render              # doctest: +SKIP
>>> page = page_html(render(docs, gazetteer=g, tiles=None, static=True), self_contained=True)
>>> screenshot(page, "map.png", width=1200, height=800)        # doctest: +SKIP
PosixPath('map.png')
"""

from __future__ import annotations

import logging
import os
import shutil
import struct
import subprocess
import tempfile
from pathlib import Path

from ..errors import ChromiumNotFound, ScreenshotError
from .write import write_atomic

__all__ = ["ScreenshotError", "ChromiumNotFound", "find_chromium", "screenshot", "png_size"]

log = logging.getLogger(__name__)

#: Executable names tried, in order, when ``GEOMAP_CHROMIUM`` is not set.
CANDIDATES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable", "chrome")

_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def find_chromium() -> str:
    """The path of a Chromium (or Chrome) executable.

    ``$GEOMAP_CHROMIUM`` wins; otherwise the first of :data:`CANDIDATES` on ``PATH``.

    Raises
    ------
    ChromiumNotFound
        With the command that installs it.
    """
    configured = os.environ.get("GEOMAP_CHROMIUM")
    if configured:
        path = shutil.which(configured)
        if path is None:
            raise ChromiumNotFound(f"GEOMAP_CHROMIUM={configured} is not an executable: point it at Chromium "
                                   "or unset it")
        return path
    for name in CANDIDATES:
        path = shutil.which(name)
        if path:
            return path
    raise ChromiumNotFound("a PNG needs Chromium, which was not found (looked for "
                           f"{', '.join(CANDIDATES)}): install it with `apt-get install chromium` "
                           "or set GEOMAP_CHROMIUM to a Chrome/Chromium executable")


def png_size(data: bytes) -> tuple[int, int]:
    """``(width, height)`` of PNG bytes.

    Raises
    ------
    ValueError
        The bytes are not a PNG.

    Examples
    --------
    >>> png_size(b"\\x89PNG\\r\\n\\x1a\\n" + b"\\x00\\x00\\x00\\rIHDR" + (640).to_bytes(4, "big") + (480).to_bytes(4, "big"))
    (640, 480)
    """
    if len(data) < 24 or not data.startswith(_PNG_SIGNATURE) or data[12:16] != b"IHDR":
        raise ValueError("not a PNG image")
    return struct.unpack(">II", data[16:24])


def screenshot(
    html: str,
    path: str | os.PathLike[str],
    *,
    width: int = 1200,
    height: int = 800,
    scale: float = 1.0,
    offline: bool = True,
    chromium: str | None = None,
    timeout: float = 60.0,
    settle_ms: int = 3000,
) -> Path:
    """Render an HTML page in headless Chromium and save a PNG of ``width`` x ``height`` CSS pixels.

    Parameters
    ----------
    html
        The whole page (e.g. :func:`geomap.outputs.map.page_html` of a static map).
    path
        Where the PNG goes; written atomically.
    scale
        Device pixel ratio: 2 gives a picture twice as wide and high, for print.
    offline
        Block every network request (no host name resolves).
    chromium
        The browser executable (default: :func:`find_chromium`).
    timeout
        Seconds before Chromium is stopped.
    settle_ms
        Virtual time the page gets to finish drawing (animations, timers).

    Raises
    ------
    ChromiumNotFound
        No browser.
    ScreenshotError
        The browser failed or produced no valid picture.
    """
    if width < 16 or height < 16 or width > 10000 or height > 10000:
        raise ScreenshotError(f"picture size {width}x{height} is out of range: use 16 to 10000 pixels a side")
    browser = chromium or find_chromium()
    with tempfile.TemporaryDirectory(prefix="geomap-png-") as tmp:
        page = Path(tmp) / "map.html"
        page.write_text(html, encoding="utf-8")
        shot = Path(tmp) / "map.png"
        command = [
            browser, "--headless", "--disable-gpu", "--hide-scrollbars", "--mute-audio", "--no-first-run",
            "--no-default-browser-check", "--disable-background-networking", "--disable-component-update",
            "--disable-sync", "--disable-quic", "--disable-extensions",
            f"--user-data-dir={Path(tmp) / 'profile'}",
            f"--window-size={width},{height}",
            f"--force-device-scale-factor={scale:g}",
            f"--virtual-time-budget={settle_ms}",
            f"--screenshot={shot}",
        ]
        if hasattr(os, "geteuid") and os.geteuid() == 0:
            command.append("--no-sandbox")  # Chromium refuses to run as root with its sandbox
        if offline:
            command.append("--host-resolver-rules=MAP * ~NOTFOUND")
        command.append(page.as_uri())
        log.debug("running %s", " ".join(command))
        try:
            result = subprocess.run(command, capture_output=True, text=True, timeout=timeout,
                                    stdin=subprocess.DEVNULL)
        except subprocess.TimeoutExpired:
            raise ScreenshotError(f"Chromium took more than {timeout:g} s to draw the map: try a smaller map "
                                  "or a longer timeout") from None
        except OSError as exc:
            raise ScreenshotError(f"cannot run {browser} ({exc.strerror or exc}): check the Chromium "
                                  "installation or GEOMAP_CHROMIUM") from None
        data = shot.read_bytes() if shot.exists() else b""
        try:
            png_size(data)
        except ValueError:
            detail = _last_error_line(result.stderr) or f"exit status {result.returncode}"
            raise ScreenshotError(f"Chromium produced no picture ({detail}): run with -vv for its output") from None
        log.debug("chromium stderr: %s", result.stderr)
    return write_atomic(path, data)


def _last_error_line(stderr: str) -> str:
    lines = [line.strip() for line in stderr.splitlines() if line.strip()]
    interesting = [line for line in lines if "dbus" not in line.lower()]
    return (interesting or lines or [""])[-1][:200]
