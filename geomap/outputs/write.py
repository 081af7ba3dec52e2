"""Writing outputs safely.

Outputs are written atomically: to a temporary file beside the destination, then renamed, so
that a failure never leaves a half-written file or destroys the previous one.
"""

from __future__ import annotations

import io
import os
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TextIO

from ..errors import OutputError
from ..sources.files import DIRECTORY_SUFFIXES

__all__ = ["check_output", "write_atomic"]


def check_output(path: str | os.PathLike[str], inputs: Sequence[str] = ()) -> Path:
    """Refuse an output path that is an input or whose directory cannot be created.

    "An input" is the same file by any name (a relative path, a symbolic or hard link) or an
    article file inside an input directory.
    """
    out = Path(path)
    for name in inputs if out.is_file() else ():
        if name == "-" or "://" in name:
            continue
        source = Path(name)
        try:
            if source.is_dir():
                same = (out.resolve().is_relative_to(source.resolve())
                        and out.name.lower().endswith(DIRECTORY_SUFFIXES))
            else:
                same = source.exists() and os.path.samefile(out, source)
        except OSError:
            continue
        if same:
            raise OutputError(f"output {out} is also an input: choose another -o path")
    if out.exists() and out.is_dir():
        raise OutputError(f"output {out} is a directory: give a file name")
    return out


def _mode_for(out: Path) -> int:
    """The permissions of the file being replaced (a private file stays private), else 0o644."""
    try:
        return out.stat().st_mode & 0o7777
    except OSError:
        return 0o644


def write_atomic(path: str | os.PathLike[str], data: str | bytes | Callable[[TextIO], None]) -> Path:
    """Write ``data`` to ``path`` completely or not at all.

    ``data`` may also be a function that writes the text to the stream it is given, a piece at
    a time (a long output is then never held whole in memory).

    The data goes to a temporary file beside ``path``, is flushed to disk, and is then renamed
    over ``path``: a reader sees the old file or the new one, never a mixture, and a failure
    (a full disk, an interruption) leaves the old file as it was. A replaced file keeps its
    permissions.

    Raises
    ------
    OutputError
        The directory cannot be created or written.
    """
    out = Path(path)
    payload = data.encode("utf-8") if isinstance(data, str) else data
    write = payload if callable(payload) else None
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{out.name}.", suffix=".tmp", dir=out.parent)
    except OSError as exc:
        raise OutputError(
            f"cannot write {out} ({exc.strerror or exc}): choose a writable -o path"
        ) from None
    try:
        with os.fdopen(fd, "wb") as handle:
            if write is not None:
                text = io.TextIOWrapper(handle, encoding="utf-8", newline="", write_through=False)
                write(text)
                text.flush()
                text.detach()
            else:
                handle.write(payload)
            handle.flush()
            os.fsync(handle.fileno())  # the data is on disk before the name points at it
        os.chmod(tmp, _mode_for(out))
        os.replace(tmp, out)
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        raise OutputError(f"cannot write {out} ({exc.strerror or exc}): choose a writable -o path") from None
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return out
