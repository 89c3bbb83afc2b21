"""Checking HTTP Basic credentials without paying the KDF on every request, while a
password change, a disabled account or a deleted one takes effect within ``fresh`` seconds
on every process.

A verified credential is cached as (account id, stored hash) under a digest of login and
password. An entry younger than ``fresh`` seconds is trusted as is. An older one is
re-checked against the account row (one indexed SELECT, no KDF): it stays while the row
has the same id and the same stored hash and is enabled, and is dropped otherwise. The KDF
runs only on a miss or after the stored hash changed. Because the id and the hash must
both match, an entry can never authenticate as another account, not even one that reused
a login.

Failures are throttled per login and per client address (services/throttle.py): once a
bucket is empty, credentials that are not already cached are refused without the KDF.
"""
from __future__ import annotations

import hashlib
import threading
import time
from dataclasses import dataclass

from .accounts import MAX_LOGIN, MAX_PASSWORD, check_password, unusable_hash
from .throttle import FailureThrottle

# The bound on how long revoked credentials keep working on a running server.
FRESH_SECONDS = 2.0


class Throttled(Exception):
    """Too many recent failures for this login or address; the credentials were not checked."""

    def __init__(self, retry_after: float):
        super().__init__(retry_after)
        self.retry_after = retry_after


@dataclass
class _Entry:
    account_id: int
    stored: str
    checked: float  # monotonic time the account row last confirmed this entry


class Authenticator:
    def __init__(self, uow_factory, fresh: float = FRESH_SECONDS, max_entries: int = 10_000,
                 throttle: FailureThrottle | None = None, clock=time.monotonic):
        self.uow_factory = uow_factory
        self.fresh = fresh
        self.max_entries = max_entries
        self.throttle = throttle or FailureThrottle(clock=clock)
        self.clock = clock
        self._cache: dict[bytes, _Entry] = {}
        self._lock = threading.Lock()
        # Unknown or disabled logins are checked against this hash so they cost what a
        # wrong password costs.
        self._dummy_hash = unusable_hash()

    @staticmethod
    def _key(login: str, password: str) -> bytes:
        return hashlib.sha256(login.encode() + b"\x00" + password.encode()).digest()

    def verify(self, login: str, password: str, address: str | None = None) -> int | None:
        """The account id, or None for wrong credentials; raises Throttled instead of
        checking uncached credentials after too many failures."""
        key = self._key(login, password)
        now = self.clock()
        entry = self._cache.get(key)
        if entry is not None and now - entry.checked < self.fresh:
            return entry.account_id
        if entry is None:
            wait = self.throttle.wait(login, address)
            if wait:
                raise Throttled(wait)
        if len(login) > MAX_LOGIN or len(password) > MAX_PASSWORD:
            # Still pay the KDF so that length is not an oracle for anything.
            return self._fail(login, address, password)
        with self.uow_factory(write=False) as uow:
            row = uow.accounts.auth_row(login)
        if row is None or not row[2]:
            self._drop(key)
            return self._fail(login, address, password)
        account_id, stored, _enabled = row
        if entry is not None and entry.account_id == account_id and entry.stored == stored:
            entry.checked = now
            return account_id
        self._drop(key)
        if not check_password(password, stored):
            return self._fail(login, address)
        with self._lock:
            if len(self._cache) >= self.max_entries:
                self._cache.clear()
            self._cache[key] = _Entry(account_id, stored, now)
        return account_id

    def _fail(self, login: str, address: str | None, password: str | None = None) -> None:
        if password is not None:
            check_password(password[:MAX_PASSWORD], self._dummy_hash)
        self.throttle.failed(login, address)
        return None

    def _drop(self, key: bytes) -> None:
        with self._lock:
            self._cache.pop(key, None)
