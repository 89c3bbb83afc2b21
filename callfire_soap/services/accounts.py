"""Accounts: creation, password hashing, and verified-credential caching."""
from __future__ import annotations

import base64
import hashlib
import hmac
import os
import threading
import time

from ..domain.errors import AccountExists, BadRequest
from .ports import UnitOfWorkFactory

# scrypt parameters: ~50 ms and 16 MiB per hash on the reference machine.
_N, _R, _P = 2**14, 8, 1
_MAXMEM = 64 * 1024 * 1024
MAX_LOGIN = 128
MAX_PASSWORD = 1024


def hash_password(password: str, salt: bytes | None = None) -> str:
    salt = salt or os.urandom(16)
    digest = hashlib.scrypt(password.encode(), salt=salt, n=_N, r=_R, p=_P, maxmem=_MAXMEM, dklen=32)
    return "scrypt$%d$%d$%d$%s$%s" % (
        _N, _R, _P, base64.b64encode(salt).decode(), base64.b64encode(digest).decode()
    )


def check_password(password: str, stored: str) -> bool:
    try:
        scheme, n, r, p, salt_b64, digest_b64 = stored.split("$")
        if scheme != "scrypt":
            return False
        expected = base64.b64decode(digest_b64)
        actual = hashlib.scrypt(
            password.encode(), salt=base64.b64decode(salt_b64), n=int(n), r=int(r), p=int(p),
            maxmem=_MAXMEM, dklen=len(expected),
        )
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(actual, expected)


def validate_login(login: str) -> None:
    if not login or len(login) > MAX_LOGIN or ":" in login or not login.isprintable():
        raise BadRequest("A login is 1 to %d printable characters without ':'" % MAX_LOGIN)


def create_account(uow_factory: UnitOfWorkFactory, login: str, password: str) -> int:
    """The new account's id; AccountExists when the login is taken (the check here, or the
    storage's unique key when a concurrent create of the same login wins)."""
    validate_login(login)
    if not password or len(password) > MAX_PASSWORD:
        raise BadRequest("A password is 1 to %d characters" % MAX_PASSWORD)
    with uow_factory() as uow:
        if uow.accounts.id_of(login) is not None:
            raise AccountExists(login)
        account_id = uow.accounts.add(login, hash_password(password))
        uow.commit()
    return account_id


class Authenticator:
    """Checks HTTP Basic credentials. A successful check is remembered for ``ttl`` seconds
    (keyed by a hash of login and password) so that requests do not each pay the KDF."""

    def __init__(self, uow_factory: UnitOfWorkFactory, ttl: float = 60.0, max_entries: int = 10_000):
        self.uow_factory = uow_factory
        self.ttl = ttl
        self.max_entries = max_entries
        self._cache: dict[bytes, tuple[int, float]] = {}
        self._lock = threading.Lock()
        # Unknown logins are checked against this hash so they cost what a wrong password costs.
        self._dummy_hash = hash_password(os.urandom(16).hex())

    def _key(self, login: str, password: str) -> bytes:
        return hashlib.sha256(login.encode() + b"\x00" + password.encode()).digest()

    def verify(self, login: str, password: str) -> int | None:
        if len(login) > MAX_LOGIN or len(password) > MAX_PASSWORD:
            # Still pay the KDF so that length is not an oracle for anything.
            check_password("x", self._dummy_hash)
            return None
        key = self._key(login, password)
        now = time.monotonic()
        with self._lock:
            hit = self._cache.get(key)
        if hit is not None and hit[1] > now:
            return hit[0]
        with self.uow_factory(write=False) as uow:
            found = uow.accounts.by_login(login)
        if found is None:
            check_password(password, self._dummy_hash)
            return None
        account_id, stored = found
        if not check_password(password, stored):
            return None
        with self._lock:
            if len(self._cache) >= self.max_entries:
                self._cache.clear()
            self._cache[key] = (account_id, now + self.ttl)
        return account_id
