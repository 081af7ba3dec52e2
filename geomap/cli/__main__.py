"""``python -m geomap.cli``: the ``geomap`` command."""

import sys

from .main import main

sys.exit(main())
