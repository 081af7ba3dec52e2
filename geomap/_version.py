"""The version of geomap, in one place: the package, the CLI and the user agents read it here."""

__version__ = "0.1.0"
