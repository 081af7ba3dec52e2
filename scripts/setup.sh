#!/usr/bin/env bash
# Set up this checkout for geomap and its tests, from nothing:
#   1. Debian's Chromium for the browser tests (apt-get, as root), where it can be installed;
#   2. a virtual environment in .venv with geomap (editable) and its `test` extra, which pulls
#      everything the test suite needs (the spaCy model is a dependency of geomap itself).
# Then:  . .venv/bin/activate && python -m pytest
# Environment: PYTHON (default python3, 3.10 or newer), VENV (default .venv).
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON=${PYTHON:-python3}
VENV=${VENV:-.venv}

say() { echo "setup: $*" >&2; }

if ! "$PYTHON" -c 'import sys; sys.exit(sys.version_info < (3, 10))' 2>/dev/null; then
  say "geomap needs Python 3.10 or newer; '$PYTHON' is $("$PYTHON" --version 2>&1 || echo missing): set PYTHON=/path/to/python3.11"
  exit 2
fi

# 1. Chromium (browser tests and PNG maps).
chromium=""
for name in ${GEOMAP_CHROMIUM:-} chromium chromium-browser google-chrome google-chrome-stable; do
  if command -v "$name" >/dev/null 2>&1; then chromium=$(command -v "$name"); break; fi
done
if [ -n "$chromium" ]; then
  say "Chromium found: $chromium"
elif [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  say "installing Debian's chromium with apt-get"
  if DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null \
     && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; then
    say "Chromium installed: $(command -v chromium)"
  else
    say "Chromium could not be installed with apt-get: install it by hand (apt-get install chromium) or set GEOMAP_CHROMIUM to a Chrome/Chromium executable; until then the browser tests fail (GEOMAP_SKIP_BROWSER=1 skips them)"
  fi
else
  say "Chromium is not installed and this script cannot install it (that needs root and apt-get): run 'sudo apt-get install chromium' (or your system's Chromium package) or set GEOMAP_CHROMIUM to a Chrome/Chromium executable; until then the browser tests fail (GEOMAP_SKIP_BROWSER=1 skips them)"
fi

# 2. The virtual environment.
if [ ! -x "$VENV/bin/python" ]; then
  say "creating $VENV"
  "$PYTHON" -m venv "$VENV"
fi
"$VENV/bin/python" -m pip install -q --upgrade pip
say "installing geomap with its test extra into $VENV"
"$VENV/bin/python" -m pip install -q -e '.[test]'
say "done: activate with '. $VENV/bin/activate', then run 'python -m pytest'"
