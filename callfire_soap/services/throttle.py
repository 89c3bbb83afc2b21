"""Failed-login throttling: a token bucket per login and one per client address, in each
process. Every failed check takes a token from both; when either is empty, credentials that
are not already cached are refused at once (HTTP 429 with Retry-After) without running the
KDF, so guessing costs the guesser time and the server almost nothing. A client whose
credentials are cached is never throttled, so guessing a login's password from elsewhere
does not lock out its legitimate, already-authenticated user."""
from __future__ import annotations

import os
import threading
import time

# Failures allowed in a row; CALLFIRE_FAILED_LOGIN_BURST overrides (0 turns throttling off).
BURST = 10
REFILL_SECONDS = 6.0  # then one more every 6 s (10 a minute) per login and per address
MAX_BUCKETS = 100_000


class FailureThrottle:
    def __init__(self, burst: int | None = None, refill_seconds: float = REFILL_SECONDS,
                 max_buckets: int = MAX_BUCKETS, clock=time.monotonic):
        self.burst = int(os.environ.get("CALLFIRE_FAILED_LOGIN_BURST", BURST)) if burst is None else burst
        self.refill_seconds = refill_seconds
        self.max_buckets = max_buckets
        self.clock = clock
        self._buckets: dict[tuple[str, str], tuple[float, float]] = {}  # key -> (tokens, at)
        self._lock = threading.Lock()

    def _tokens(self, key, now: float) -> float:
        tokens, at = self._buckets.get(key, (self.burst, now))
        return min(self.burst, tokens + (now - at) / self.refill_seconds)

    def wait(self, login: str, address: str | None) -> float:
        """Seconds until a check is allowed again for this login and address (0: now)."""
        if self.burst <= 0:
            return 0.0
        now = self.clock()
        with self._lock:
            lacking = max(1 - self._tokens(key, now) for key in self._keys(login, address))
        return 0.0 if lacking <= 0 else lacking * self.refill_seconds

    def failed(self, login: str, address: str | None) -> None:
        if self.burst <= 0:
            return
        now = self.clock()
        with self._lock:
            if len(self._buckets) >= self.max_buckets:
                self._forget_full(now)
            for key in self._keys(login, address):
                self._buckets[key] = (max(0.0, self._tokens(key, now) - 1), now)

    def _forget_full(self, now: float) -> None:
        full = [key for key in self._buckets if self._tokens(key, now) >= self.burst]
        for key in full:
            del self._buckets[key]
        if len(self._buckets) >= self.max_buckets:  # a flood of distinct keys
            self._buckets.clear()

    @staticmethod
    def _keys(login: str, address: str | None):
        keys = [("login", login[:256])]
        if address:
            keys.append(("addr", address))
        return keys
