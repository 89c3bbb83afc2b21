"""Admission of requests into a server process's Python code, one at a time, first come first
served, for a bounded wait.

Why: the request threads of one process share its GIL. When several requests run at once,
each gives the GIL up at every I/O call (an SQLite step, a log write) and waits for it again
behind the others, so a 0.2 ms request is finished in 1–6 ms. Measured under granian 2×8 at
concurrency 8, a request's time in the application had p99 4.4 ms against 0.3 ms with one
thread per process (BENCHMARKS.md, "The tail"). Queueing the requests of a process behind
each other, in arrival order, gives one thread's tail and keeps the threads for what they
are for: a request that runs long (an import, a slow client's upload) must not hold up
another account's. So the queue is bounded:

* a request waits at most ``wait`` seconds for its turn, then runs beside the others;
* while the request holding the gate has held it ``wait`` seconds or more, arriving requests
  do not queue at all: it is a long one, and they run beside it as they would without a gate.

It pays where a request's waits are for the GIL, not for the network: on SQLite (reads from
the page cache) it is on by default; on PostgreSQL every statement is a round trip, and a
gate would keep the process idle through each one (GetContact under granian 2×8: 15% fewer
requests per second with it), so it is off there unless asked for.

A request that ran past the gate (returned False) must not call leave().
"""
from __future__ import annotations

import os
import threading
import time
from collections import deque

DEFAULT_WAIT_MS = 5.0
# A wait meant to bound a queue of short requests; a second is already far beyond that.
MAX_WAIT_MS = 1000.0
ENV_WAIT_MS = "CALLFIRE_ADMISSION_WAIT_MS"


class AdmissionGate:
    def __init__(self, wait: float, clock=time.monotonic):
        self.wait = wait
        self._clock = clock
        self._guard = threading.Lock()
        self._held_since: float | None = None  # None: the gate is free
        self._queue: deque[threading.Lock] = deque()

    def enter(self) -> bool:
        """Wait for this request's turn: True once it holds the gate (call leave() when it is
        done), False when it runs without it (the holder is a long request, or the wait ran
        out)."""
        with self._guard:
            if self._held_since is None:
                self._held_since = self._clock()
                return True
            if self._clock() - self._held_since >= self.wait:
                return False
            turn = threading.Lock()
            turn.acquire()
            self._queue.append(turn)
        try:
            if turn.acquire(timeout=self.wait):
                return True
        except BaseException:
            # Interrupted while queued: a turn left in the queue would be handed the gate
            # and never give it back.
            with self._guard:
                try:
                    self._queue.remove(turn)
                except ValueError:
                    self._hand_over()  # it was handed over already: pass it on
            raise
        with self._guard:
            try:
                self._queue.remove(turn)
            except ValueError:
                return True  # leave() handed the gate over between the timeout and here
            return False

    def leave(self) -> None:
        """Hand the gate to the request that has waited longest, or free it."""
        with self._guard:
            self._hand_over()

    def _hand_over(self) -> None:
        # Under self._guard.
        if self._queue:
            self._held_since = self._clock()
            self._queue.popleft().release()
        else:
            self._held_since = None


def gate_from_env(default_ms: float = DEFAULT_WAIT_MS) -> AdmissionGate | None:
    """The gate a server process uses: CALLFIRE_ADMISSION_WAIT_MS, else ``default_ms``; 0
    turns the gate off, so that every request runs as soon as a thread takes it."""
    value = os.environ.get(ENV_WAIT_MS, "").strip()
    try:
        wait_ms = float(value) if value else default_ms
    except ValueError:
        raise ValueError(f"{ENV_WAIT_MS} must be a number of milliseconds, not {value!r}") from None
    if not 0 <= wait_ms <= MAX_WAIT_MS:  # also refuses nan and inf
        raise ValueError(f"{ENV_WAIT_MS} must be between 0 and {MAX_WAIT_MS:g} (milliseconds), not {value}")
    return AdmissionGate(wait_ms / 1000) if wait_ms else None
