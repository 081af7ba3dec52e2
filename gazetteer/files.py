"""Gazetteer database files: where they live, how they are checked, how they are replaced.

Shared by every writer of a database (the embedded build, the GeoNames import, the overlaid
copies) and by :func:`gazetteer.open_default`:

- :func:`default_path` and :func:`default_cache_dir` (``$GEOMAP_GAZETTEER``, ``$GEOMAP_CACHE_DIR``);
- :func:`check_file` (the header, in microseconds) and :func:`verify` (SQLite's full check, once
  per version of a file, remembered in a ``<name>.verified`` stamp beside it);
- :func:`database_beside`: a temporary file next to the destination, renamed onto it only when
  complete, so that a reader never opens half a database.
"""

from __future__ import annotations

import logging
import os
import shutil
import sqlite3
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from glob import escape as glob_escape
from pathlib import Path

from .errors import GazetteerBuildError, GazetteerCorrupt
from .store import SCHEMA_VERSION

__all__ = [
    "ENV_CACHE",
    "ENV_PATH",
    "check_file",
    "database_beside",
    "default_cache_dir",
    "default_path",
    "identity",
    "quick_check",
    "remove_stale_temporaries",
    "stored_kind",
    "verify",
    "write_stamp",
]

log = logging.getLogger(__name__)

#: Environment variable naming the gazetteer database file to use instead of the cache.
ENV_PATH = "GEOMAP_GAZETTEER"
#: Environment variable naming the cache directory.
ENV_CACHE = "GEOMAP_CACHE_DIR"


def default_cache_dir() -> Path:
    """The directory of the cached embedded gazetteer (``$GEOMAP_CACHE_DIR`` or the user cache)."""
    env = os.environ.get(ENV_CACHE)
    if env:
        return Path(env)
    from platformdirs import user_cache_dir

    return Path(user_cache_dir("geomap"))


def default_path() -> Path:
    """Path of the embedded gazetteer database (``$GEOMAP_GAZETTEER`` overrides it)."""
    env = os.environ.get(ENV_PATH)
    if env:
        return Path(env)
    return default_cache_dir() / f"gazetteer-v{SCHEMA_VERSION}.sqlite"


_SQLITE_MAGIC = b"SQLite format 3\x00"


def check_file(path: str | os.PathLike[str]) -> None:
    """Cheap structural check of a database file: SQLite header, page size and length.

    A file cut short (a partial copy, a full disk), grown by garbage, or that is not an SQLite
    database at all fails here, in microseconds, before anything reads it.

    Raises
    ------
    GazetteerCorrupt
        Naming the file and how to fix it.

    Examples
    --------
    >>> import tempfile, os
    >>> bad = os.path.join(tempfile.mkdtemp(), "bad.sqlite")
    >>> _ = open(bad, "wb").write(b"not a database")
    >>> check_file(bad)
    Traceback (most recent call last):
    ...
    gazetteer.errors.GazetteerCorrupt: gazetteer ... is not an SQLite database: delete it and run `geomap gazetteer build`
    """
    path = Path(path)
    fix = "delete it and run `geomap gazetteer build`"
    try:
        size = path.stat().st_size
        with path.open("rb") as handle:
            header = handle.read(100)
    except OSError as exc:
        raise GazetteerCorrupt(f"gazetteer {path} cannot be read ({exc.strerror or exc}): check its permissions") from exc
    if len(header) < 100 or not header.startswith(_SQLITE_MAGIC):
        raise GazetteerCorrupt(f"gazetteer {path} is not an SQLite database: {fix}")
    page_size = int.from_bytes(header[16:18], "big")
    page_size = 65536 if page_size == 1 else page_size
    if page_size < 512 or page_size & (page_size - 1):
        raise GazetteerCorrupt(f"gazetteer {path} has a damaged header: {fix}")
    pages = int.from_bytes(header[28:32], "big")
    change_counter, valid_for = header[24:28], header[92:96]
    if pages and change_counter == valid_for and size != pages * page_size:
        raise GazetteerCorrupt(
            f"gazetteer {path} is truncated or damaged ({size:,} bytes where its header says "
            f"{pages * page_size:,}): {fix}"
        )


def verify(path: str | os.PathLike[str]) -> None:
    """Full check of a database file: :func:`check_file`, then SQLite's ``quick_check``.

    The slow part runs once per version of the file: a stamp beside it (``<name>.verified``)
    records the size, modification time and inode of the file that passed, so that later opens
    cost a ``stat``. A file changed since (in place, or replaced) is checked again.

    Raises
    ------
    GazetteerCorrupt
        The file is damaged.
    """
    path = Path(path)
    check_file(path)
    if _stamp_matches(path):
        return
    problems = quick_check(path)
    if problems:
        raise GazetteerCorrupt(
            f"gazetteer {path} is damaged ({'; '.join(problems)[:200]}): delete it and run "
            "`geomap gazetteer build`"
        )
    write_stamp(path)


def quick_check(path: Path) -> list[str]:
    """SQLite's structural check of every page (about 0.3 s for 80 MB); ``[]`` when sound."""
    try:
        conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
        try:
            rows = conn.execute("PRAGMA quick_check(5)").fetchall()
        finally:
            conn.close()
    except sqlite3.DatabaseError as exc:
        return [str(exc)]
    return [] if rows == [("ok",)] else [str(r[0]) for r in rows]


def _stamp_path(path: Path) -> Path:
    return path.with_name(path.name + ".verified")


def identity(path: Path) -> str:
    """"size mtime inode" of a file: changes when the file is rewritten or replaced."""
    st = path.stat()
    return f"{st.st_size} {st.st_mtime_ns} {st.st_ino}"


def _stamp_matches(path: Path) -> bool:
    try:
        return _stamp_path(path).read_text("ascii").strip() == identity(path)
    except (OSError, UnicodeDecodeError):
        return False


def write_stamp(path: Path) -> None:
    """Record that this version of ``path`` is sound (best effort: a read-only cache skips it)."""
    stamp = _stamp_path(path)
    try:
        fd, tmp = tempfile.mkstemp(prefix=stamp.name + ".", suffix=".tmp", dir=path.parent)
        with os.fdopen(fd, "w", encoding="ascii") as handle:
            handle.write(identity(path) + "\n")
        os.replace(tmp, stamp)
    except OSError as exc:
        log.debug("cannot write %s: %s", stamp, exc)


def remove_stale_temporaries(target: Path) -> None:
    """Delete what interrupted builds left; only called under the build lock."""
    for leftover in target.parent.glob(glob_escape(target.name) + ".*.tmp"):
        try:
            leftover.unlink()
            log.info("removed %s, left by an interrupted build", leftover)
        except OSError as exc:
            log.debug("cannot remove %s: %s", leftover, exc)


def stored_kind(path: Path) -> str | None:
    """The ``kind`` a database's metadata records, read without any check, or ``None``."""
    try:
        conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
        try:
            row = conn.execute("SELECT value FROM meta WHERE key = 'kind'").fetchone()
        finally:
            conn.close()
    except sqlite3.Error:
        return None
    return str(row[0]) if row else None


@contextmanager
def database_beside(target: Path, what: str, fix: str, *, copy_of: Path | None = None) -> Iterator[Path]:
    """A temporary file next to ``target`` (a copy of ``copy_of`` when given) to write a database
    in: renamed onto ``target`` (mode 0644) when the block ends, removed when it raises, so that
    ``target`` is replaced only in full.

    Raises :class:`GazetteerBuildError` "cannot write ``what`` to <folder> (...): ``fix``" when the
    temporary file cannot be made.
    """
    tmp: Path | None = None
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp_name = tempfile.mkstemp(prefix=target.name + ".", suffix=".tmp", dir=target.parent)
        os.close(fd)
        tmp = Path(tmp_name)
        if copy_of is not None:
            shutil.copyfile(copy_of, tmp)
    except OSError as exc:
        if tmp is not None:
            tmp.unlink(missing_ok=True)
        raise GazetteerBuildError(f"cannot write {what} to {target.parent} ({exc.strerror or exc}): {fix}") from exc
    try:
        yield tmp
        os.chmod(tmp, 0o644)
        os.replace(tmp, target)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
