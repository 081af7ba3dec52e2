"""The GeoNames dump files: which an import needs, where they are, how their lines are read.

:func:`find_files` locates the files in a directory (``.txt`` or the ``.zip`` GeoNames serves);
:class:`DumpLines` streams one of them as tab-separated fields, counting and logging the
bad lines and failing on a truncated file or too many bad lines. :mod:`gazetteer.geonames`
imports what they hold.
"""

from __future__ import annotations

import io
import logging
import os
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from .errors import GazetteerDataError
from .model import PlaceKind
from .writer import Progress

__all__ = [
    "ADMIN_COLUMNS",
    "ALTERNATE_COLUMNS",
    "COUNTRY_COLUMNS",
    "PLACE_COLUMNS",
    "PLACE_FILES",
    "DumpLines",
    "GeoNamesFiles",
    "find_files",
    "kind_of_feature",
]

# The import's messages go to one logger, whichever module reads the file.
log = logging.getLogger("gazetteer.geonames")

#: Places files, in order of preference.
PLACE_FILES = ("allCountries", "cities500", "cities1000", "cities5000", "cities15000")

#: Columns of the places files (``geoname`` table of the GeoNames readme).
PLACE_COLUMNS = 19
#: Columns of ``countryInfo.txt``.
COUNTRY_COLUMNS = 19
#: Columns of ``admin1CodesASCII.txt`` and ``admin2Codes.txt``.
ADMIN_COLUMNS = 4
#: Columns of ``alternateNamesV2.txt`` (10) and of the older ``alternateNames.txt`` (8).
ALTERNATE_COLUMNS = (10, 8)

_COUNTRY_CODES = frozenset({"PCLI", "PCLD", "PCLF", "PCLS", "PCL", "PCLIX", "TERR"})
_REGION_CODES = frozenset({"RGN", "RGNE", "RGNH", "ZN", "AREA"})


def kind_of_feature(feature_class: str, feature_code: str) -> PlaceKind:
    """The :class:`PlaceKind` of a GeoNames feature class and code.

    Examples
    --------
    >>> kind_of_feature("A", "ADM1"), kind_of_feature("P", "PPLA"), kind_of_feature("H", "SEA")
    (<PlaceKind.ADMIN1: 'admin1'>, <PlaceKind.CITY: 'city'>, <PlaceKind.PHYSICAL: 'physical'>)
    """
    if feature_class == "A":
        if feature_code.startswith("ADM1"):
            return PlaceKind.ADMIN1
        if feature_code.startswith("ADM") and feature_code[3:4].isdigit():
            return PlaceKind.ADMIN2
        if feature_code in _COUNTRY_CODES:
            return PlaceKind.COUNTRY
        if feature_code == "ZN":
            return PlaceKind.REGION
        return PlaceKind.OTHER
    if feature_class == "P":
        return PlaceKind.CITY
    if feature_class == "L":
        if feature_code == "CONT":
            return PlaceKind.CONTINENT
        if feature_code in _REGION_CODES:
            return PlaceKind.REGION
        return PlaceKind.OTHER
    if feature_class in ("H", "T", "U", "V"):
        return PlaceKind.PHYSICAL
    return PlaceKind.OTHER


@dataclass(frozen=True, slots=True)
class GeoNamesFiles:
    """The dump files found in a directory (``None`` for an optional file that is absent)."""

    places: Path
    country_info: Path
    admin1: Path
    admin2: Path | None = None
    alternate_names: Path | None = None



def _find(directory: Path, stem: str) -> Path | None:
    for suffix in (".txt", ".zip"):
        candidate = directory / f"{stem}{suffix}"
        if candidate.is_file():
            return candidate
    return None


def find_files(directory: str | os.PathLike[str]) -> GeoNamesFiles:
    """Locate the GeoNames dump files in ``directory``.

    Raises
    ------
    GazetteerDataError
        The directory or a required file is missing (the message says which and where to get it).
    """
    directory = Path(directory)
    if not directory.is_dir():
        raise GazetteerDataError(f"--geonames {directory} is not a directory: give the directory holding "
                                 "the GeoNames dump files (allCountries.txt or cities500.txt, ...)")
    places = next((p for p in (_find(directory, stem) for stem in PLACE_FILES) if p is not None), None)
    missing = []
    if places is None:
        missing.append("allCountries.txt (or cities500.txt)")
    country_info = _find(directory, "countryInfo")
    admin1 = _find(directory, "admin1CodesASCII")
    if country_info is None:
        missing.append("countryInfo.txt")
    if admin1 is None:
        missing.append("admin1CodesASCII.txt")
    if missing:
        raise GazetteerDataError(
            f"GeoNames directory {directory} lacks {', '.join(missing)}: download them from "
            "https://download.geonames.org/export/dump/ into it"
        )
    alternate = _find(directory, "alternateNamesV2") or _find(directory, "alternateNames")
    return GeoNamesFiles(places=places, country_info=country_info, admin1=admin1,  # type: ignore[arg-type]
                         admin2=_find(directory, "admin2Codes"), alternate_names=alternate)


# -- reading dump files ------------------------------------------------------------------------


@dataclass
class DumpLines:
    """Tab-separated lines of one dump file, with bad-line accounting.

    Yields ``(line_number, fields)``; lines with another column count than ``columns`` are
    skipped and counted (:meth:`bad`), as are lines the caller rejects. A file that ends in
    the middle of a line is an error: it was cut short.
    """

    path: Path
    columns: tuple[int, ...]
    max_bad: int
    progress: Progress
    comments: bool = False
    skipped: int = 0
    first_bad: str = ""
    _line: int = 0

    @property
    def name(self) -> str:
        return self.path.name

    def _open(self) -> tuple[io.BufferedIOBase, int]:
        if self.path.suffix.lower() != ".zip":
            return self.path.open("rb"), self.path.stat().st_size
        try:
            archive = zipfile.ZipFile(self.path)
            texts = [i for i in archive.infolist() if i.filename.endswith(".txt")
                     and not i.filename.lower().startswith("readme")]
            # alternateNamesV2.zip also holds iso-languagecodes.txt: take the namesake file.
            member = next((i for i in texts if Path(i.filename).stem == self.path.stem),
                          texts[0] if len(texts) == 1 else None)
            if member is None:
                raise GazetteerDataError(f"{self.path} holds no {self.path.stem}.txt: download it again")
            return archive.open(member), member.file_size
        except zipfile.BadZipFile as exc:
            raise GazetteerDataError(f"{self.path} is not a readable zip ({exc}): download it again") from exc

    def __iter__(self) -> Iterator[tuple[int, list[str]]]:
        stage = self.name
        handle, total = self._open()
        done = 0
        self.progress(stage, 0, total)
        try:
            with handle:
                for raw in handle:
                    self._line += 1
                    done += len(raw)
                    if not raw.endswith(b"\n"):
                        raise GazetteerDataError(
                            f"{self.path}, line {self._line}: the file ends in the middle of a line (a "
                            "truncated download?): download it again")
                    if self._line % 50_000 == 0:
                        self.progress(stage, done, total)
                    try:
                        text = raw.decode("utf-8").rstrip("\r\n")
                    except UnicodeDecodeError:
                        self.bad("not UTF-8")
                        continue
                    if self.comments and (text.startswith("#") or not text.strip()):
                        continue
                    fields = text.split("\t")
                    if len(fields) not in self.columns:
                        self.bad(f"{len(fields)} columns where {' or '.join(map(str, self.columns))} are expected")
                        continue
                    yield self._line, fields
        except zipfile.BadZipFile as exc:  # a CRC error while streaming a damaged archive
            raise GazetteerDataError(f"{self.path} is damaged ({exc}): download it again") from exc
        except EOFError as exc:
            raise GazetteerDataError(f"{self.path} is cut short ({exc}): download it again") from exc
        self.progress(stage, total, total)

    def bad(self, reason: str) -> None:
        """Count the current line as skipped; fail when there are too many."""
        self.skipped += 1
        where = f"{self.path}, line {self._line}"
        if not self.first_bad:
            self.first_bad = f"{where}: {reason}"
        if self.skipped <= 5:
            log.warning("%s: %s; line skipped", where, reason)
        if self.skipped > self.max_bad:
            raise GazetteerDataError(
                f"{self.path} has more than {self.max_bad} bad lines (the first: {self.first_bad}; the "
                f"last: line {self._line}, {reason}): it is damaged or not a GeoNames {self.name}; "
                "download it again (or raise --max-bad-lines)")
