"""Make a process die with its parent (Linux `prctl(PR_SET_PDEATHSIG)`).

Used for the demo's children (SIGTERM when the demo dies, however it dies) and for
gunicorn's workers (SIGKILL when their master dies), so that no process is left holding
a port after its parent is gone. Elsewhere than on Linux it does nothing.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import signal
import sys

PR_SET_PDEATHSIG = 1

_LIBC = ctypes.CDLL(ctypes.util.find_library("c") or None, use_errno=True) \
    if sys.platform.startswith("linux") else None


def die_with_parent(sig: int = signal.SIGTERM, parent: int | None = None) -> None:
    """Ask the kernel to send `sig` to this process when its parent exits.

    With `parent` (the pid this process expects as its parent), a parent that already
    died before the call (this process was re-parented) is noticed: the signal is then
    sent at once. Safe to call between fork and exec (`preexec_fn`).
    """
    if _LIBC is None:
        return
    _LIBC.prctl(PR_SET_PDEATHSIG, int(sig), 0, 0, 0)
    if parent is not None and os.getppid() != parent:
        os.kill(os.getpid(), sig)
