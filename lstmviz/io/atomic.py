"""Safe writes: a file is written completely beside its target, then put in place in one step.

* The target keeps its permissions (a new file gets the usual 0666 minus the umask); a symbolic link
  is written through to the file it points at; a file with several hard links is updated in place
  (after the new content is safely on disk), so that every name sees it.
* The temporary file has no name while it is written (Linux's O_TMPFILE) where the file system allows
  it, so a kill leaves nothing behind; elsewhere it is ``.NAME.lstmviz-PID.tmp``, and temporary files
  of processes that no longer run are removed by the next write beside them.
* A target that is not a regular file (``/dev/stdout``, a pipe) is written to directly.
* :class:`Outputs` puts several files in place only when every one of them was written.
"""
from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import os
import re
import stat
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import BinaryIO

_TEMP = re.compile(r"^\.(?P<name>.+)\.lstmviz-(?P<pid>\d+)\.tmp$")


class PendingFile:
    """The new content of one target, written but not yet in place."""

    def __init__(self, path: str | os.PathLike):
        self.requested = Path(path)
        self.direct = _is_special(self.requested)
        self.target = self.requested if self.direct else Path(os.path.realpath(self.requested))
        self.temp: Path | None = None
        if self.direct:
            self.file = open(self.requested, "wb")  # closed by commit or discard
            return
        _remove_stale_temps(self.target)
        self.mode = _mode_for(self.target)
        self.fd, self.temp = _open_temp(self.target, self.mode)
        self.file = os.fdopen(self.fd, "wb")

    def complete(self) -> None:
        """Flush and sync the content (a full disk says so here, before anything is put in place)."""
        self.file.flush()
        if self.direct:
            self.file.close()
            return
        os.fsync(self.file.fileno())
        if self.temp is None:  # unnamed: give it a name only now, for the rename
            self.temp = _temp_name(self.target)
            _name_unnamed(self.file.fileno(), self.temp)
        self.file.close()

    def place(self) -> None:
        """Put the completed content in place, in one step."""
        if self.direct:
            return
        if _hard_linked(self.target):
            _copy_in_place(self.temp, self.target)
            os.unlink(self.temp)
        else:
            os.chmod(self.temp, self.mode)
            os.replace(self.temp, self.target)
        self.temp = None

    def commit(self) -> None:
        self.complete()
        self.place()

    def discard(self) -> None:
        with contextlib.suppress(OSError):
            self.file.close()
        with contextlib.suppress(OSError, AttributeError, ValueError):
            self.file.raw.close()  # a close whose flush failed (a full disk) still lets go of the file
        if self.temp is not None:
            with contextlib.suppress(OSError):
                os.unlink(self.temp)
            self.temp = None


@contextlib.contextmanager
def atomic_writer(path: str | os.PathLike) -> Iterator[BinaryIO]:
    """Yield a binary file; on success it replaces ``path`` in one step, on error nothing changes."""
    pending = PendingFile(path)
    try:
        yield pending.file
        pending.commit()
    except BaseException:
        pending.discard()
        raise


def write_text_atomic(path: str | os.PathLike, text: str) -> None:
    with atomic_writer(path) as f:
        f.write(text.encode("utf-8"))


class Outputs:
    """Several output files of one command: all are put in place, or none (a failure removes the rest)."""

    def __init__(self) -> None:
        self.pending: list[PendingFile] = []

    def write(self, path: str | os.PathLike, write: Callable[[BinaryIO], None]) -> None:
        """Write one file completely (flushed and synced), without putting it in place yet."""
        pending = PendingFile(path)
        self.pending.append(pending)
        write(pending.file)
        pending.complete()

    def commit(self) -> None:
        for pending in self.pending:
            pending.place()
        self.pending = []

    def discard(self) -> None:
        for pending in self.pending:
            pending.discard()
        self.pending = []

    def __enter__(self) -> Outputs:
        return self

    def __exit__(self, kind, error, traceback) -> None:
        if kind is None:
            self.commit()
        else:
            self.discard()


# -- helpers ------------------------------------------------------------------------------------------------
def _is_special(path: Path) -> bool:
    """An existing target that is not a regular file or a link to one: a device, a pipe, a socket."""
    try:
        return not stat.S_ISREG(os.stat(path).st_mode)
    except FileNotFoundError:
        return False


def _mode_for(target: Path) -> int:
    try:
        return stat.S_IMODE(os.stat(target).st_mode)
    except FileNotFoundError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask


def _hard_linked(target: Path) -> bool:
    try:
        return os.stat(target).st_nlink > 1
    except FileNotFoundError:
        return False


def _temp_name(target: Path) -> Path:
    return target.with_name(f".{target.name}.lstmviz-{os.getpid()}.tmp")


def _open_temp(target: Path, mode: int) -> tuple[int, Path | None]:
    """An unnamed file in the target's folder (O_TMPFILE), or a named one where that is not supported."""
    folder = target.parent
    flag = getattr(os, "O_TMPFILE", 0)
    if flag and os.path.isdir("/proc/self/fd") and ctypes.util.find_library("c"):  # named through /proc at the end
        try:
            return os.open(folder, flag | os.O_WRONLY, mode & 0o777 or 0o600), None
        except OSError:
            pass  # the file system has no unnamed files
    temp = _temp_name(target)
    with contextlib.suppress(FileNotFoundError):
        os.unlink(temp)  # this process's own leftover
    return os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), temp


AT_FDCWD, AT_SYMLINK_FOLLOW = -100, 0x400


def _name_unnamed(fd: int, name: Path) -> None:
    """linkat() an O_TMPFILE file to ``name`` (Python's os.link does not follow /proc's magic link)."""
    libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
    if libc.linkat(AT_FDCWD, f"/proc/self/fd/{fd}".encode(), AT_FDCWD, os.fsencode(name), AT_SYMLINK_FOLLOW):
        errno = ctypes.get_errno()
        raise OSError(errno, os.strerror(errno), str(name))


def _copy_in_place(source: Path, target: Path) -> None:
    """Overwrite a hard-linked file's content (every name keeps pointing at it)."""
    with open(source, "rb") as src, open(target, "r+b") as dst:
        dst.truncate(0)
        while chunk := src.read(1 << 20):
            dst.write(chunk)
        dst.flush()
        os.fsync(dst.fileno())


def _remove_stale_temps(target: Path) -> None:
    """Remove temporary files beside ``target`` that processes no longer running left behind."""
    with contextlib.suppress(OSError):
        for entry in os.scandir(target.parent):
            m = _TEMP.match(entry.name)
            if m and m["name"] == target.name and not process_running(int(m["pid"])):
                with contextlib.suppress(OSError):
                    os.unlink(entry.path)


def process_running(pid: int) -> bool:
    """Whether a process with this id runs (this one included)."""
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
