"""The credential cache: the KDF is paid once per credential, revocations take effect
after the freshness window, an entry never names another account, and failures are
throttled without the KDF. Storage is a dict; time is a fake clock."""
from __future__ import annotations

import pytest

from callfire_soap.services import authenticator as auth_module
from callfire_soap.services.accounts import hash_password
from callfire_soap.services.authenticator import Authenticator, Throttled
from callfire_soap.services.throttle import FailureThrottle


class Clock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self):
        return self.now


class Rows:
    """A stand-in for the unit-of-work factory: uow.accounts.auth_row(login) reads self.rows."""

    def __init__(self):
        self.rows: dict[str, tuple[int, str, bool]] = {}
        self.reads = 0

    def __call__(self, write=True):
        return self

    def __enter__(self):
        self.accounts = self
        return self

    def __exit__(self, *exc):
        return None

    def auth_row(self, login):
        self.reads += 1
        return self.rows.get(login)


@pytest.fixture
def kdf(monkeypatch):
    """Counts scrypt runs (hash_password's own runs are not counted)."""
    calls = []
    real = auth_module.check_password

    def counted(password, stored):
        calls.append(password)
        return real(password, stored)

    monkeypatch.setattr(auth_module, "check_password", counted)
    return calls


@pytest.fixture
def setup(kdf):
    clock, rows = Clock(), Rows()
    rows.rows["alice"] = (1, hash_password("alice-password"), True)
    authenticator = Authenticator(rows, fresh=2.0, clock=clock,
                                  throttle=FailureThrottle(burst=3, refill_seconds=10, clock=clock))
    kdf.clear()
    return authenticator, clock, rows


def test_a_steady_client_pays_the_kdf_once(setup, kdf):
    authenticator, clock, rows = setup
    for _ in range(50):
        assert authenticator.verify("alice", "alice-password", "10.0.0.1") == 1
        clock.now += 0.5
    assert len(kdf) == 1
    # Within the window no read at all; after it, one cheap read per window.
    assert rows.reads <= 1 + 50 * 0.5 / 2.0 + 1


def test_password_change_stops_the_old_password_within_the_window(setup, kdf):
    authenticator, clock, rows = setup
    assert authenticator.verify("alice", "alice-password") == 1
    rows.rows["alice"] = (1, hash_password("new-password-1"), True)
    clock.now += 1.9
    assert authenticator.verify("alice", "alice-password") == 1  # still inside the bound
    clock.now += 0.2
    assert authenticator.verify("alice", "alice-password") is None
    assert authenticator.verify("alice", "new-password-1") == 1


@pytest.mark.parametrize("revoke", ["disable", "delete"])
def test_disable_and_delete_stop_cached_credentials(setup, revoke):
    authenticator, clock, rows = setup
    assert authenticator.verify("alice", "alice-password") == 1
    if revoke == "disable":
        rows.rows["alice"] = rows.rows["alice"][:2] + (False,)
    else:
        del rows.rows["alice"]
    clock.now += 2.1
    assert authenticator.verify("alice", "alice-password") is None
    if revoke == "disable":
        rows.rows["alice"] = rows.rows["alice"][:2] + (True,)
        assert authenticator.verify("alice", "alice-password") == 1


def test_an_entry_never_names_another_account(setup, kdf):
    authenticator, clock, rows = setup
    assert authenticator.verify("alice", "alice-password") == 1
    # alice deleted and created again (a new id), even with the very same stored hash.
    rows.rows["alice"] = (7, rows.rows["alice"][1], True)
    clock.now += 2.1
    kdf.clear()
    assert authenticator.verify("alice", "alice-password") == 7
    assert len(kdf) == 1  # checked again, not taken from the entry


def test_failures_are_throttled_without_the_kdf(setup, kdf):
    authenticator, clock, rows = setup
    assert authenticator.verify("alice", "alice-password", "10.0.0.1") == 1  # cached
    kdf.clear()
    for _ in range(3):
        assert authenticator.verify("alice", "guess", "10.0.0.9") is None
    with pytest.raises(Throttled) as refused:
        authenticator.verify("alice", "guess", "10.0.0.9")
    assert 0 < refused.value.retry_after <= 10
    assert len(kdf) == 3
    # The login's bucket is empty: uncached credentials from anywhere wait ...
    with pytest.raises(Throttled):
        authenticator.verify("alice", "another-guess", "10.0.0.2")
    # ... but the client that is already authenticated is not locked out.
    assert authenticator.verify("alice", "alice-password", "10.0.0.1") == 1
    clock.now += 10
    assert authenticator.verify("alice", "guess", "10.0.0.9") is None  # one token back


def test_unknown_logins_cost_a_kdf_and_count_as_failures(setup, kdf):
    authenticator, clock, rows = setup
    assert authenticator.verify("nobody", "pw", "10.0.0.3") is None
    assert len(kdf) == 1
    for _ in range(2):
        authenticator.verify("nobody-%d" % _, "pw", "10.0.0.3")
    with pytest.raises(Throttled):  # the address's bucket, whatever the login
        authenticator.verify("someone-else", "pw", "10.0.0.3")
