"""Writing a file whole or not at all: `write_atomically`, which every `save` of chainrule uses
(`Module.save`, a page's `.save`, `save_svg`).

The text goes to a temporary file beside the target, is flushed to disk, and is renamed over
the target: os.replace is atomic on POSIX and Windows, so a reader sees the old file or the
new one, never a part. A failure (a folder that cannot be written, a full disk) raises an
OSError naming the path the caller gave and the cause, removes the temporary file, and leaves
any earlier file at that path as it was.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import stat
from pathlib import Path

__all__ = ["write_atomically"]

_BINARY = getattr(os, "O_BINARY", 0)  # Windows: no newline translation


def write_atomically(path: str | os.PathLike[str], text: str, where: str) -> Path:
    """Write `text` (UTF-8) to `path` whole or not at all, and return `path` as a Path.

    `where` names the operation in the error: `write_atomically(p, "{}", "save")` on a full
    disk raises `OSError: [Errno 28] save: could not write 'model.json': No space left on
    device; the file there is unchanged` (the OSError subclass of the errno, as `open` raises).
    """
    target = os.fspath(path)
    existed = os.path.isfile(target)
    try:
        _replace(target, text.encode("utf-8"))
    except OSError as exc:
        kept = "; the file there is unchanged" if existed else ""
        message = f"{where}: could not write {target!r}: {exc.strerror or exc}{kept}"
        raise (OSError(exc.errno, message) if exc.errno is not None else OSError(message)) from exc
    return Path(path)


def _replace(target: str, data: bytes) -> None:
    """Write `data` to a new file beside `target`, fsync it, and rename it over `target`; on any
    failure remove the new file and leave `target` untouched."""
    directory = os.path.dirname(os.path.abspath(target))
    temporary = os.path.join(directory, f".{os.path.basename(target)}.{secrets.token_hex(4)}.tmp")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL | _BINARY, 0o666)  # the umask applies, as for open()
    try:
        try:
            view = memoryview(data)
            while view:  # os.write may write less than it was given
                view = view[os.write(fd, view) :]
            os.fsync(fd)
        finally:
            os.close(fd)
        if os.path.exists(target):  # keep the permissions of the file being replaced
            os.chmod(temporary, stat.S_IMODE(os.stat(target).st_mode))
        os.replace(temporary, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise
    _sync_directory(directory)


def _sync_directory(directory: str) -> None:
    """Flush the rename to disk too, where the platform can (POSIX; not Windows)."""
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        with contextlib.suppress(OSError):
            os.fsync(fd)
    finally:
        os.close(fd)
