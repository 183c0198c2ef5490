"""Failed authentications, counted per client address, so API keys cannot be guessed at speed.

An address that presented `limit` wrong keys (unknown or revoked) within a window of 60 s gets
429 with `Retry-After` for every request with a key until the window ends, without the key
being looked up: a guess costs the server no database query, and a blocked address cannot tell a
right key from a wrong one. A missing key is not a guess and is not counted; a valid key never
counts and never clears the count.

Each window starts at an address's first failure after the previous one ended (a fixed window
per address): at most `limit` failures an address a window, `limit` a minute in the long run.

The counts live in this process's memory: each worker of `serve --workers N` keeps its own (an
address may try `N x limit` keys a minute), and a restart forgets them. At most `max_clients`
addresses are tracked; beyond that the one whose window started first is forgotten, so a client
with very many addresses cannot grow it without bound.

Behind a reverse proxy every request comes from the proxy's address, so all clients share one
count (and one client's guesses lock out everyone's keys), unless the ASGI server is told to trust
the proxy's forwarded headers: `conflict-events serve` does not read them (uvicorn's
`proxy_headers=False`); `uvicorn app.main:app --forwarded-allow-ips=<proxy address>` does.
"""

import logging
import math
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

log = logging.getLogger("conflict_events")

WINDOW_S = 60.0
MAX_CLIENTS = 10_000


class FailureLimiter:
    """Failures per client address in a window; thread-safe (sync dependencies run in a pool)."""

    def __init__(
        self,
        limit: int,
        *,
        window_s: float = WINDOW_S,
        max_clients: int = MAX_CLIENTS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.limit, self.window_s, self.max_clients, self.clock = (
            limit,
            window_s,
            max_clients,
            clock,
        )
        self._lock = threading.Lock()
        # address -> [start of its window, failures in it], in the order the windows started.
        self._windows: OrderedDict[str | None, list[float]] = OrderedDict()

    def __len__(self) -> int:
        with self._lock:
            return len(self._windows)

    def retry_after(self, client: str | None) -> int | None:
        """Whole seconds until `client` may present a key again; None if it may now."""
        if self.limit <= 0:
            return None
        with self._lock:
            now = self.clock()
            self._forget_ended(now)
            window = self._windows.get(client)
            if window is None or window[1] < self.limit:
                return None
            return max(1, math.ceil(window[0] + self.window_s - now))

    def failed(self, client: str | None) -> None:
        """Count a wrong key presented by `client`."""
        if self.limit <= 0:
            return
        with self._lock:
            now = self.clock()
            self._forget_ended(now)
            window = self._windows.get(client)
            if window is None:
                window = self._windows[client] = [now, 0]
                while len(self._windows) > self.max_clients:
                    self._windows.popitem(last=False)
            window[1] += 1
            if window[1] == self.limit:
                log.warning(
                    "%d wrong API keys from %s within %g s: its keys are refused until the "
                    "window ends",
                    self.limit,
                    client,
                    self.window_s,
                )

    def _forget_ended(self, now: float) -> None:
        # Windows are kept in the order they started, so the ended ones are at the front.
        while self._windows:
            start = next(iter(self._windows.values()))[0]
            if start + self.window_s > now:
                break
            self._windows.popitem(last=False)


_creating = threading.Lock()


def failure_limiter(app: Any) -> FailureLimiter:
    """The app's limiter (any object with a `state` holding the settings), made on first use
    from its settings (CE_AUTH_FAILURES_PER_MINUTE)."""
    state = app.state
    limiter: FailureLimiter | None = getattr(state, "auth_failure_limiter", None)
    if limiter is None:
        with _creating:
            limiter = getattr(state, "auth_failure_limiter", None)
            if limiter is None:
                limiter = FailureLimiter(state.settings.auth_failures_per_minute)
                state.auth_failure_limiter = limiter
    return limiter
