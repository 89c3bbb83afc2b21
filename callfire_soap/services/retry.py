"""Rerunning a use case whose unit of work met a deadlock or a serialization failure.

Storage turns those database errors into domain.errors.Retryable (storage/uow.py), after
the transaction was rolled back: nothing was committed, so running the use case again is
the same as running it for the first time. Contacts are locked in ascending id order
everywhere, which keeps deadlocks rare; this covers what remains (locks taken implicitly,
serialization failures) without the client ever seeing a fault for it.

Only use cases whose arguments can be read twice may be rerun: a one-shot iterator (a
streamed list source) would be empty the second time. Those run once (attempts=1).
"""
from __future__ import annotations

import functools
import logging
import random
import threading
import time
from collections.abc import Callable
from typing import TypeVar

from ..domain.errors import Retryable

log = logging.getLogger("callfire_soap.retry")

T = TypeVar("T")

ATTEMPTS = 3
# Jittered backoff before attempt n+1: up to BACKOFF * 2**n seconds. Deadlocked peers that
# wake at the same moment would likely meet again; a few tens of milliseconds apart they don't.
BACKOFF = 0.025


class _Stats:
    """Process-wide counts, for tests and logs (metrics could read them too)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.retries = 0
        self.exhausted = 0

    def add(self, retries: int = 0, exhausted: int = 0) -> None:
        with self._lock:
            self.retries += retries
            self.exhausted += exhausted


stats = _Stats()


def retrying(work: Callable[[], T], what: str, attempts: int = ATTEMPTS) -> T:
    """work() again after a Retryable, at most ``attempts`` runs in all; the last
    Retryable propagates (the client gets UNAVAILABLE)."""
    for attempt in range(1, attempts + 1):
        try:
            return work()
        except Retryable as exc:
            if attempt >= attempts:
                stats.add(exhausted=1)
                log.warning("%s: %s, giving up after %d attempts", what, exc.message, attempt)
                raise
            stats.add(retries=1)
            log.info("%s: %s, retrying (attempt %d of %d)", what, exc.message, attempt + 1, attempts)
            time.sleep(random.uniform(0, BACKOFF * 2 ** attempt))
    raise AssertionError("unreachable")


def rerun_on_conflict(use_case: Callable[..., T]) -> Callable[..., T]:
    """Decorator for a use case whose arguments are plain values (safe to read twice)."""
    @functools.wraps(use_case)
    def wrapper(*args, **kwargs):
        return retrying(lambda: use_case(*args, **kwargs), use_case.__name__)
    return wrapper
