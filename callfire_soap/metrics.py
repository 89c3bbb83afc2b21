"""Prometheus metrics: requests and latency per entrypoint and operation, faults by
FaultCode, failed logins, contacts created by list imports.

Under several worker processes every worker writes its samples to files in
PROMETHEUS_MULTIPROC_DIR (prometheus_client's multiprocess mode, set by ``serve --workers``
before the workers start, whatever pre-fork server runs them) and a scrape of any worker
adds up all of them. The variable must be set before prometheus_client is first imported.
"""
from __future__ import annotations

import os

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Histogram,
    disable_created_metrics,
    generate_latest,
    multiprocess,
)

from .metrics_env import MULTIPROC_ENV
from .services import lists as list_service

ENTRYPOINTS = ("soap12", "soap11", "rest", "wsdl", "other")

# The *_created series double every scrape for nothing a dashboard here uses.
disable_created_metrics()

REQUESTS = Counter(
    "callfire_requests", "HTTP requests answered, by entrypoint, operation (or route) and HTTP status",
    ["entrypoint", "operation", "status"])
LATENCY = Histogram(
    "callfire_request_duration_seconds", "Time to produce the response (to its last byte when streamed)",
    ["entrypoint", "operation"],
    buckets=(0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0))
FAULTS = Counter(
    "callfire_faults", "Faults answered, by FaultCode", ["entrypoint", "operation", "fault_code"])
FAILED_LOGINS = Counter(
    "callfire_failed_logins", "Requests refused for their credentials: wrong or unknown "
    "(invalid), or not checked after too many failures (throttled)", ["reason"])
IMPORTED_CONTACTS = Counter(
    "callfire_imported_contacts", "Contacts created by list imports (CreateContactList, AddContactsToList)")


# (entrypoint, operation, status) -> its REQUESTS and LATENCY children. labels() validates
# and looks its labels up under a lock on every call (~4 µs of the ~5 a request cost); the
# labels are bounded (accesslog.py), so this holds a few hundred entries at most.
_CHILDREN: dict[tuple[str, str, int], tuple] = {}


def observe_request(entrypoint: str, operation: str, status: int, fault_code: str | None,
                    seconds: float) -> None:
    key = (entrypoint, operation, status)
    children = _CHILDREN.get(key)
    if children is None:
        children = _CHILDREN[key] = (REQUESTS.labels(entrypoint, operation, str(status)),
                                     LATENCY.labels(entrypoint, operation))
    children[0].inc()
    children[1].observe(seconds)
    if fault_code:
        FAULTS.labels(entrypoint, operation, fault_code).inc()


def observe_failed_login(reason: str) -> None:
    FAILED_LOGINS.labels(reason).inc()


def _observe_import(report) -> None:
    if report.created:
        IMPORTED_CONTACTS.inc(report.created)


list_service.import_observers.append(_observe_import)


def exposition() -> tuple[bytes, str]:
    """(body, Content-Type) of a scrape: this process's metrics, or all workers' ones."""
    if os.environ.get(MULTIPROC_ENV):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
    else:
        registry = REGISTRY
    return generate_latest(registry), CONTENT_TYPE_LATEST
