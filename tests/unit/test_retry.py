"""Rerunning a use case after a deadlock or serialization failure (services/retry.py) and
storage's translation of those errors (storage/uow.py)."""
from __future__ import annotations

import pytest
from sqlalchemy.exc import OperationalError

from callfire_soap.domain.contacts import Contact
from callfire_soap.domain.errors import BadRequest, Retryable
from callfire_soap.services import list_import, retry
from callfire_soap.services import lists as list_service
from callfire_soap.services.list_sources import ContactsSource, NumbersSource
from callfire_soap.storage.uow import retryable_reason

A = "12132212384"


@pytest.fixture(autouse=True)
def no_backoff(monkeypatch):
    monkeypatch.setattr(retry, "BACKOFF", 0)


def flaky(failures: int, result="done", error=Retryable):
    calls = []

    def work():
        calls.append(1)
        if len(calls) <= failures:
            raise error("deadlock")
        return result
    return work, calls


@pytest.mark.parametrize("failures", [0, 1, retry.ATTEMPTS - 1])
def test_a_retryable_failure_is_rerun_until_it_succeeds(failures):
    work, calls = flaky(failures)
    before = retry.stats.retries
    assert retry.retrying(work, "test") == "done"
    assert len(calls) == failures + 1 and retry.stats.retries - before == failures


def test_retries_are_bounded_and_the_last_failure_propagates():
    work, calls = flaky(retry.ATTEMPTS)
    with pytest.raises(Retryable):
        retry.retrying(work, "test")
    assert len(calls) == retry.ATTEMPTS


def test_other_errors_are_not_rerun():
    work, calls = flaky(1, error=BadRequest)
    with pytest.raises(BadRequest):
        retry.retrying(work, "test")
    assert len(calls) == 1


def _fail_first_runs(monkeypatch, failures: int) -> list[int]:
    runs: list[int] = []
    real = list_import.ListImport.run

    def run(self, source):
        runs.append(1)
        if len(runs) <= failures:
            raise Retryable("deadlock")
        return real(self, source)

    monkeypatch.setattr(list_import.ListImport, "run", run)
    return runs


@pytest.mark.parametrize("source", [NumbersSource(A), ContactsSource([Contact(home_phone=A)])], ids=["numbers", "list"])
def test_a_list_import_from_a_rereadable_source_is_rerun(uow_factory, account_id, monkeypatch, source):
    runs = _fail_first_runs(monkeypatch, 1)
    list_id = list_service.create_list(uow_factory, account_id, "L", source)
    assert len(runs) == 2
    with uow_factory(write=False) as uow:
        assert uow.lists.get(account_id, list_id).size == 1


def test_a_list_import_from_a_one_shot_source_is_not_rerun(uow_factory, account_id, monkeypatch):
    runs = _fail_first_runs(monkeypatch, 1)
    once = ContactsSource(c for c in [Contact(home_phone=A)])  # a rerun would import nothing
    with pytest.raises(Retryable):
        list_service.create_list(uow_factory, account_id, "L", once)
    assert len(runs) == 1
    existing = list_service.create_list(uow_factory, account_id, "M", NumbersSource(A))
    runs.clear()
    with pytest.raises(Retryable):
        list_service.add_to_list(uow_factory, account_id, existing, once)
    assert len(runs) == 1


class _PgError(Exception):
    def __init__(self, sqlstate):
        super().__init__(sqlstate)
        self.sqlstate = sqlstate


@pytest.mark.parametrize("sqlstate, retryable", [("40P01", True), ("40001", True), ("23505", False),
                                                 (None, False)])
def test_storage_marks_deadlocks_and_serialization_failures_retryable(sqlstate, retryable):
    error = OperationalError("UPDATE contacts ...", {}, _PgError(sqlstate))
    assert (retryable_reason(error) is not None) == retryable
    assert retryable_reason(ValueError("x")) is None


# -- validation outside the write transaction (SQLite noisy neighbour) -----------------------
class _TrackingFactory:
    """The fake factory, counting the write units of work open at any moment."""

    def __init__(self, inner):
        self.inner = inner
        self.open_writes = 0

    def __call__(self, write: bool = True):
        factory = self

        class Tracked:
            def __enter__(self):
                self.uow = factory.inner(write).__enter__()
                factory.open_writes += write
                return self.uow

            def __exit__(self, *exc):
                factory.open_writes -= write
                return self.uow.__exit__(*exc)
        return Tracked()

    def __getattr__(self, name):
        return getattr(self.inner, name)


@pytest.mark.parametrize("operation", ["create", "add"])
def test_validated_numbers_are_normalised_before_the_write_transaction(uow_factory, account_id, monkeypatch,
                                                                      operation):
    from callfire_soap.domain import phone
    from callfire_soap.services.list_sources import NumbersSource as Numbers

    tracking = _TrackingFactory(uow_factory)
    existing = list_service.create_list(uow_factory, account_id, "existing", Numbers(A))
    seen: list[int] = []

    def normalize_all(raws, region=phone.DEFAULT_REGION):
        seen.append(tracking.open_writes)
        return phone.normalize_all(raws, region)

    monkeypatch.setattr(list_service, "normalize_all", normalize_all)
    monkeypatch.setattr(list_import, "normalize_all", normalize_all)
    source = Numbers("12132212385 123abc 12132212386")
    if operation == "create":
        list_id = list_service.create_list(tracking, account_id, "L", source)
    else:
        list_id = existing
        list_service.add_to_list(tracking, account_id, existing, source)
    assert seen and all(open_writes == 0 for open_writes in seen)
    with uow_factory(write=False) as uow:
        assert uow.lists.get(account_id, list_id).size == (2 if operation == "create" else 3)
