"""Unit tests: services and domain in process against the fakes of fakes.py (no database,
no sockets, no SOAP)."""
from __future__ import annotations

import pytest

from .fakes import FakeUnitOfWorkFactory


@pytest.fixture
def uow_factory() -> FakeUnitOfWorkFactory:
    return FakeUnitOfWorkFactory()


@pytest.fixture
def account_id(uow_factory) -> int:
    return uow_factory.add_account()


@pytest.fixture
def other_account(uow_factory) -> int:
    return uow_factory.add_account()
