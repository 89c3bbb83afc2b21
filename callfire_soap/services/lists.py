"""Contact-list use cases: create, query, get, delete, add to and remove from a list."""
from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from functools import partial

from ..domain.dnc import check_list_name
from ..domain.errors import BadRequest, DuplicateRequestId, NotFound
from ..domain.lists import ContactList
from ..domain.paging import Page
from ..domain.phone import DEFAULT_REGION, normalize, normalize_all
from .import_child import prepare_in_child
from .import_prepare import Prepared, RejectSink, prepare
from .list_import import ImportReport, ListImport
from .list_sources import (
    ContactsSource,
    FileSource,
    ListSource,
    NumbersSource,
    ValidatedNumbers,
    number_tokens,
    parse_numbers_source,
)
from .ports import UnitOfWork, UnitOfWorkFactory
from .retry import ATTEMPTS, rerun_on_conflict, retrying

log = logging.getLogger("callfire_soap.lists")

MAX_REQUEST_ID = 1024  # contact_lists.request_id
# An import that creates this many contacts refreshes the planner statistics afterwards.
ANALYZE_AFTER_CREATED = 10_000


# Called with the ImportReport of every committed import (the metrics module counts created
# contacts); services stay free of any metrics library.
import_observers: list = []


def _after_bulk_import(uow_factory: UnitOfWorkFactory, report: ImportReport,
                       analyze_after: int | None = None) -> None:
    """The list is committed: a failure here is logged, never the client's fault.
    analyze_after: the number of new contacts that calls for it (None: ANALYZE_AFTER_CREATED)."""
    for observe in import_observers:
        observe(report)
    if report.created < (ANALYZE_AFTER_CREATED if analyze_after is None else analyze_after):
        return
    try:
        uow_factory.refresh_statistics()
    except Exception:  # noqa: BLE001
        log.warning("could not refresh statistics after an import", exc_info=True)


def _clean_request_id(request_id: str | None) -> str | None:
    if request_id is None or not request_id.strip():
        return None
    request_id = request_id.strip()
    # Bytes, not characters: the unique index on it must stay within PostgreSQL's limit.
    if len(request_id.encode()) > MAX_REQUEST_ID:
        raise BadRequest(f"RequestId is longer than {MAX_REQUEST_ID} bytes")
    return request_id


def _prepared_outside_the_transaction(source: ListSource, validate: bool, region: str,
                                      reject: RejectSink | None = None,
                                      progress: Callable[[int], None] | None = None,
                                      child_process: bool = False) -> ListSource:
    """The CPU work of an import (parsing, checks, number normalisation, the invalid and
    duplicate scrubs) done before the unit of work opens. It is most of an import's time
    (phonenumbers alone: ~0.2 ms a number, 33 s for 180,000), and on SQLite the write
    transaction holds the database's write lock, which every other account's writer waits
    for (and gives up on after the busy timeout). A request's source is in memory already
    (at most 32 MiB); prepared, it costs about as much again. A streamed file (the CLI) is
    prepared batch by batch inside its transaction instead: in a thread, or with
    child_process by a child process (import_child)."""
    if validate and isinstance(source, NumbersSource):
        attribute, tokens = parse_numbers_source(source)
        return ValidatedNumbers(attribute, normalize_all(list(tokens), region))
    if isinstance(source, ContactsSource):
        return prepare(source, validate, region, reject, progress)
    if isinstance(source, FileSource) and isinstance(source.chunks, Sequence):
        return prepare(source, validate, region, reject, progress)
    if isinstance(source, FileSource) and child_process:
        return prepare_in_child(source.chunks, source.require_phone, validate, region, reject, progress)
    if isinstance(source, FileSource):
        return prepare(source, validate, region, reject, progress, stream=True)
    return source


def _attempts(source: ListSource) -> int:
    """A source that can be read twice may be imported again after a Retryable; a streamed
    one (a generator of Contact elements, chunks read from a file) would be empty then."""
    if isinstance(source, ContactsSource):
        return ATTEMPTS if isinstance(source.contacts, Sequence) else 1
    if isinstance(source, FileSource):
        return ATTEMPTS if isinstance(source.chunks, Sequence) else 1
    return ATTEMPTS  # Numbers text, ContactId list


def create_list(uow_factory: UnitOfWorkFactory, account_id: int, name: str, source: ListSource,
                validate: bool = True, request_id: str | None = None, region: str = DEFAULT_REGION,
                analyze_after: int | None = None) -> int:
    """Create a list from one source and return its id. A RequestId the account has used
    before returns that list's id and creates nothing; storage's unique key on
    (account, RequestId) makes this hold when two such requests race. analyze_after:
    see _after_bulk_import."""
    return create_list_reporting(uow_factory, account_id, name, source, validate, request_id, region,
                                 analyze_after)[0]


def create_list_reporting(uow_factory: UnitOfWorkFactory, account_id: int, name: str, source: ListSource,
                          validate: bool = True, request_id: str | None = None, region: str = DEFAULT_REGION,
                          analyze_after: int | None = None, reject: RejectSink | None = None,
                          progress: Callable[[int], None] | None = None,
                          child_process: bool = False) -> tuple[int, ImportReport | None]:
    """create_list, also returning the import's report (None when a RequestId replayed an
    earlier list). reject: called for every dropped candidate; progress: with the rows of
    each batch handled (see import_prepare); child_process: a streamed file is prepared by a
    child process rather than a thread (import_child)."""
    name = check_list_name(name)  # contact and DNC lists follow one naming rule
    request_id = _clean_request_id(request_id)
    # Counted on the source as given: the rerun policy (README, *Atomicity*) is the
    # source's, whatever preparing it made of it.
    attempts = _attempts(source)
    source = _prepared_outside_the_transaction(source, validate, region, reject, progress, child_process)
    try:
        return retrying(partial(_create_list, uow_factory, account_id, name, source, validate, request_id,
                                region, analyze_after), "create_list", attempts)
    finally:
        if isinstance(source, Prepared):
            source.close()  # a failure before the import read it leaves its preparing running


def _create_list(uow_factory: UnitOfWorkFactory, account_id: int, name: str, source: ListSource,
                 validate: bool, request_id: str | None, region: str, analyze_after: int | None
                 ) -> tuple[int, ImportReport | None]:
    try:
        with uow_factory() as uow:
            if request_id is not None:
                earlier = uow.lists.id_for_request(account_id, request_id)
                if earlier is not None:
                    return earlier, None
            list_id = uow.lists.create(account_id, name, request_id)
            report = ListImport(uow, account_id, list_id, validate, region).run(source)
            uow.commit()
    except DuplicateRequestId:
        # Lost a race on the same RequestId: the other request's list is the answer.
        with uow_factory(write=False) as uow:
            earlier = uow.lists.id_for_request(account_id, request_id)
        if earlier is None:
            raise
        log.info("RequestId %r raced another request; answering with list %s", request_id, earlier)
        return earlier, None
    log.info("list %s created: %s", list_id, report)
    _after_bulk_import(uow_factory, report, analyze_after)
    return list_id, report


def query_lists(uow_factory: UnitOfWorkFactory, account_id: int, page: Page) -> tuple[int, list[ContactList]]:
    """The account's lists, oldest first; deleted lists are left out."""
    with uow_factory(write=False) as uow:
        return uow.lists.query(account_id, page)


def get_list(uow_factory: UnitOfWorkFactory, account_id: int, list_id: int) -> ContactList:
    """Any list of the account, a deleted one included (Status DELETED)."""
    with uow_factory(write=False) as uow:
        found = uow.lists.get(account_id, list_id)
    if found is None:
        raise NotFound(f"ContactList {list_id} not found")
    return found


@rerun_on_conflict
def delete_list(uow_factory: UnitOfWorkFactory, account_id: int, list_id: int) -> None:
    """Soft delete; unknown, foreign and already deleted ids are ignored."""
    with uow_factory() as uow:
        uow.lists.mark_deleted(account_id, list_id)
        uow.commit()


def _require_active(uow: UnitOfWork, account_id: int, list_id: int) -> None:
    if not uow.lists.lock_active(account_id, list_id):
        raise NotFound(f"ContactList {list_id} not found")


def add_to_list(uow_factory: UnitOfWorkFactory, account_id: int, list_id: int, source: ListSource,
                validate: bool = True, region: str = DEFAULT_REGION) -> ImportReport:
    """Same sources and safeguards as create; contacts already on the list stay once."""
    attempts = _attempts(source)  # as create_list_reporting
    source = _prepared_outside_the_transaction(source, validate, region)
    try:
        return retrying(partial(_add_to_list, uow_factory, account_id, list_id, source, validate, region),
                        "add_to_list", attempts)
    finally:
        if isinstance(source, Prepared):
            source.close()


def _add_to_list(uow_factory: UnitOfWorkFactory, account_id: int, list_id: int, source: ListSource,
                 validate: bool, region: str) -> ImportReport:
    with uow_factory() as uow:
        _require_active(uow, account_id, list_id)
        report = ListImport(uow, account_id, list_id, validate, region).run(source)
        uow.commit()
    log.info("list %s added: %s", list_id, report)
    _after_bulk_import(uow_factory, report)
    return report


@rerun_on_conflict
def remove_from_list(uow_factory: UnitOfWorkFactory, account_id: int, list_id: int,
                     contact_ids: Sequence[int] = (), numbers: str | None = None,
                     region: str = DEFAULT_REGION) -> int:
    """Remove memberships (never contacts) by contact id or by number. A number matches
    contacts holding it as given or in its normalised form. Returns memberships removed."""
    with uow_factory() as uow:
        _require_active(uow, account_id, list_id)
        removed = 0
        if contact_ids:
            removed += uow.lists.remove_members(list_id, list(dict.fromkeys(contact_ids)))
        if numbers:
            forms: dict[str, None] = {}
            for token in number_tokens(numbers):
                forms[token] = None
                normalised = normalize(token, region)
                if normalised:
                    forms[normalised] = None
            removed += uow.lists.remove_members_by_number(account_id, list_id, list(forms))
        uow.commit()
    return removed
