"""Accounts: creation, password hashing, and the operator's account commands
(the credential check is services/authenticator.py)."""
from __future__ import annotations

import base64
import hashlib
import hmac
import os

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


def unusable_hash() -> str:
    """A stored hash with today's cost parameters that no password matches (its digest is
    random, not derived): checking a password against it costs one KDF, as checking a real
    one does, and making it costs none."""
    return "scrypt$%d$%d$%d$%s$%s" % (
        _N, _R, _P, base64.b64encode(os.urandom(16)).decode(), base64.b64encode(os.urandom(32)).decode()
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


# -- operator commands: list, passwd, disable/enable, delete ------------------------------
# New passwords set by an operator (account create, account passwd) are at least this long.
MIN_PASSWORD = 12


class UnknownAccount(Exception):
    pass


def validate_new_password(password: str) -> None:
    if len(password) < MIN_PASSWORD or len(password) > MAX_PASSWORD:
        raise BadRequest("A password is %d to %d characters" % (MIN_PASSWORD, MAX_PASSWORD))


def list_accounts(uow_factory: UnitOfWorkFactory) -> list:
    """Every account as (id, login, enabled, created_at), oldest first."""
    with uow_factory(write=False) as uow:
        return uow.accounts.all()


def change_password(uow_factory: UnitOfWorkFactory, login: str, password: str) -> int:
    validate_new_password(password)
    digest = hash_password(password)
    return _change_account(uow_factory, login, lambda accounts, account_id: accounts.set_password(account_id, digest))


def set_enabled(uow_factory: UnitOfWorkFactory, login: str, enabled: bool) -> int:
    return _change_account(uow_factory, login, lambda accounts, account_id: accounts.set_enabled(account_id, enabled))


def delete_account(uow_factory: UnitOfWorkFactory, login: str) -> int:
    """The account and everything it owns, in one transaction (the foreign keys cascade)."""
    return _change_account(uow_factory, login, lambda accounts, account_id: accounts.delete(account_id))


def _change_account(uow_factory: UnitOfWorkFactory, login: str, change) -> int:
    """change(accounts repository, account id) on the login's account, in one unit of work;
    the account's id, or UnknownAccount."""
    with uow_factory() as uow:
        account_id = uow.accounts.id_of(login)
        if account_id is None:
            raise UnknownAccount(login)
        change(uow.accounts, account_id)
        uow.commit()
    return account_id
