"""Who has a data folder open, and whether everyone who had it open stopped cleanly.

Each process that opens a folder holds a *session file* in ``chroma.sessions/``, locked (flock)
for as long as it has the folder open, and removed when it closes cleanly. The lock goes away
with the process however it ends, so a session file that can be locked by someone else belongs
to a process that stopped without closing: an unclean stop (kill -9, power loss, a crash). This
works with any number of processes on one folder, costs one directory listing on a clean open,
and does not trust pids (they are reused).

A new session file is locked under a hidden name first and then renamed into place, so that no
other process ever sees a session file that is not locked yet.
"""

from __future__ import annotations

import contextlib
import os
import sys
import uuid
from typing import IO, Any, List

SESSIONS_DIR = "chroma.sessions"

if sys.platform == "win32":  # pragma: no cover - exercised on Windows only
    import msvcrt

    def try_lock(fd: int) -> None:
        """Lock ``fd`` exclusively or raise OSError at once."""
        msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)

    def unlock(fd: int) -> None:
        msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)

else:
    import fcntl

    def try_lock(fd: int) -> None:
        """Lock ``fd`` exclusively or raise OSError at once."""
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)

    def unlock(fd: int) -> None:
        fcntl.flock(fd, fcntl.LOCK_UN)


class Session:
    """This process's session on one folder; ``stale`` are the sessions of processes that
    stopped without closing (found when this one opened, still locked by it until ``settle``)."""

    def __init__(self, folder: str) -> None:
        self.folder = os.path.join(folder, SESSIONS_DIR)
        os.makedirs(self.folder, exist_ok=True)
        self.name = f"{os.getpid()}-{uuid.uuid4().hex[:12]}"
        self._fh = self._create()
        self._stale: List[IO[Any]] = []
        self.stale: List[str] = self._claim_stale()

    def _create(self) -> IO[Any]:
        hidden = os.path.join(self.folder, "." + self.name)
        fh = open(hidden, "w")
        try:
            try_lock(fh.fileno())
            fh.write(str(os.getpid()))
            fh.flush()
            os.replace(hidden, os.path.join(self.folder, self.name))
        except BaseException:
            fh.close()
            with contextlib.suppress(OSError):
                os.remove(hidden)
            raise
        return fh

    def _claim_stale(self) -> List[str]:
        stale = []
        for name in sorted(os.listdir(self.folder)):
            if name in (self.name, "." + self.name):
                continue
            try:
                fh = open(os.path.join(self.folder, name), "r+")
            except OSError:  # closed meanwhile: that one stopped cleanly
                continue
            try:
                try_lock(fh.fileno())
            except OSError:  # held: a live process (or another opener checking it now)
                fh.close()
                continue
            if name.startswith("."):  # a process that died while creating its session
                fh.close()
                with contextlib.suppress(OSError):
                    os.remove(os.path.join(self.folder, name))
                continue
            self._stale.append(fh)
            stale.append(name)
        return stale

    def others_alive(self) -> bool:
        """Whether another process has the folder open now."""
        for name in os.listdir(self.folder):
            if name == self.name or name.startswith(".") or name in self.stale:
                continue
            try:
                with open(os.path.join(self.folder, name), "r+") as fh:
                    try:
                        try_lock(fh.fileno())
                    except OSError:
                        return True
                    unlock(fh.fileno())
            except OSError:
                continue
        return False

    def settle(self) -> None:
        """The unclean stops were dealt with (the database checked): forget them."""
        for fh in self._stale:
            with contextlib.suppress(OSError):
                os.remove(fh.name)
            fh.close()
        self._stale, self.stale = [], []

    def release(self) -> None:
        """Let go of the stale sessions without forgetting them (the check failed): the next
        open finds them again."""
        for fh in self._stale:
            with contextlib.suppress(OSError):
                unlock(fh.fileno())
            fh.close()
        self._stale = []

    def close(self) -> None:
        """A clean stop: the session file goes."""
        self.release()
        with contextlib.suppress(OSError):
            os.remove(os.path.join(self.folder, self.name))
        with contextlib.suppress(OSError):
            unlock(self._fh.fileno())
        self._fh.close()
