"""The server process's heap: fewer malloc arenas, so that a steady load does not grow it."""

import ctypes
import os

_M_ARENA_MAX = -8  # glibc's mallopt parameter
ARENAS = "2"


def limit_malloc_arenas() -> None:
    """glibc gives each thread that contends for malloc an arena of its own, up to eight per core,
    and memory freed in one is not reused by another: under the soak's mixed load the server grew
    7 MB a minute with them, and 1-2 MB a minute with two. Worker processes read the environment
    variable when they start; this process is told through mallopt. An operator's own
    MALLOC_ARENA_MAX wins. Does nothing where the C library is not glibc."""
    arenas = os.environ.setdefault("MALLOC_ARENA_MAX", ARENAS)
    try:
        libc = ctypes.CDLL("libc.so.6")
    except OSError:
        return
    if arenas.isdigit():
        libc.mallopt(_M_ARENA_MAX, int(arenas))
