"""One account's worst requests do not make another account's reads or writes fail (issue 12).

The noisy account sends, at the same time, the two heaviest kinds of request the limits
allow: a CreateContactList of invalid numbers (the costliest tokens: ten digits that
phonenumbers must turn down one by one) and UpdateContacts of the widest contacts (200
custom fields of 64-character names and 1,024-character values each). Meanwhile a second
account reads (GetContact, QueryContacts) and writes (UpdateContacts) in a loop.

On SQLite every writer waits for the one write lock: numbers are normalised before the
write transaction opens (services/lists.py), so the lock is held only for the writes, and
writers wait for it rather than fail. The neighbour's latencies are reported after the run
("noisy-neighbour:" lines); the test asserts that none of its requests fails and that it
completed writes while the import ran (no timing assertion: machines differ).
The sizes are chosen to overlap for a few seconds of the suite; CALLFIRE_NOISY_SCALE
multiplies them: from 17 up the import carries the 200,000 numbers a request may hold
(services/list_sources.MAX_NUMBERS), about a minute of phonenumbers' work.
"""
from __future__ import annotations

import os
import random
import statistics
import threading
import time

from callfire_soap.app import DEFAULT_MAX_BODY
from callfire_soap.domain.contacts import MAX_CUSTOM_FIELDS, MAX_CUSTOM_NAME, MAX_VALUE, Contact
from callfire_soap.domain.phone import normalize
from callfire_soap.services.list_sources import MAX_NUMBERS
from tests.support import database_kind, envelope, soap_post

SCALE = float(os.environ.get("CALLFIRE_NOISY_SCALE", "1"))
INVALID = min(int(12_000 * SCALE), MAX_NUMBERS)  # ~200 us of phonenumbers each
# ~220 KB each on the wire: as many as one request body may carry at most.
WIDE_CONTACTS = min(int(20 * SCALE), DEFAULT_MAX_BODY // (MAX_CUSTOM_FIELDS * (MAX_CUSTOM_NAME + MAX_VALUE + 4)))


def _invalid_numbers(count: int) -> list[str]:
    """Ten-digit tokens that phonenumbers rejects only after its slow path."""
    rng = random.Random(12)
    numbers: list[str] = []
    while len(numbers) < count:
        token = str(rng.randrange(10**9, 10**10))
        if token[0] in "01" and normalize(token) is None:
            numbers.append(token)
    return numbers


def _wide_contact(contact_id: int, round_: int) -> str:
    custom = " ".join(f'{("f%03d" % i).ljust(MAX_CUSTOM_NAME, "x")}="{str(round_) * MAX_VALUE}"'
                      for i in range(MAX_CUSTOM_FIELDS))
    return f'<data:Contact id="{contact_id}" firstName="wide{round_}" {custom}/>'


def _latency_line(kind: str, samples: list[float]) -> str:
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))]
    return (f"{kind} n={len(samples)} median {statistics.median(samples) * 1000:.0f} ms "
            f"p95 {p95 * 1000:.0f} ms max {max(samples) * 1000:.0f} ms")


def test_worst_requests_do_not_fail_another_accounts_reads_and_writes(endpoint, make_account, seed):
    noisy, neighbour = make_account(), make_account()
    [contact_id] = seed(neighbour, [Contact(first_name="n", home_phone="12132212384")])
    wide_ids = seed(noisy, [Contact(first_name=f"w{i}") for i in range(WIDE_CONTACTS)])
    numbers = " ".join(_invalid_numbers(INVALID))
    noisy_replies: dict[str, object] = {}
    running = threading.Semaphore(0)

    import_window: list[float] = []

    def import_invalid_numbers():
        import_window.append(time.monotonic())
        try:
            noisy_replies["import"] = soap_post(endpoint, envelope(
                f"<svc:CreateContactList><svc:Name>noisy</svc:Name><svc:ContactSource><svc:Numbers>{numbers}"
                "</svc:Numbers></svc:ContactSource></svc:CreateContactList>"), noisy.auth, "CreateContactList",
                timeout=300)
        finally:
            import_window.append(time.monotonic())
            running.release()

    def update_wide_contacts():
        try:
            body = "".join(_wide_contact(cid, 1) for cid in wide_ids)
            noisy_replies["wide"] = soap_post(endpoint, envelope(f"<svc:UpdateContacts>{body}</svc:UpdateContacts>"),
                                              noisy.auth, "UpdateContacts", timeout=300)
        finally:
            running.release()

    threads = [threading.Thread(target=import_invalid_numbers), threading.Thread(target=update_wide_contacts)]
    for thread in threads:
        thread.start()

    requests_ = {
        "GetContact": lambda n: envelope(f"<svc:GetContact><svc:Id>{contact_id}</svc:Id></svc:GetContact>"),
        "QueryContacts": lambda n: envelope("<svc:QueryContacts><svc:MaxResults>10</svc:MaxResults>"
                                            "</svc:QueryContacts>"),
        "UpdateContacts": lambda n: envelope(f'<svc:UpdateContacts><data:Contact id="{contact_id}" '
                                             f'firstName="n{n}"/></svc:UpdateContacts>'),
    }
    latencies: dict[str, list[float]] = {kind: [] for kind in requests_}
    writes: list[tuple[float, float]] = []
    failures: list[str] = []
    finished = 0
    n = 0
    # Every other request a write: the writes are what a held write lock would stop.
    order = ["UpdateContacts", "GetContact", "UpdateContacts", "QueryContacts"]
    while finished < len(threads) or n < len(order):
        kind = order[n % len(order)]
        n += 1
        started = time.monotonic()
        reply = soap_post(endpoint, requests_[kind](n), neighbour.auth, kind, timeout=300)
        latencies[kind].append(time.monotonic() - started)
        if kind == "UpdateContacts":
            writes.append((started, time.monotonic()))
        if reply.status != 200:
            failures.append(f"{kind}: {reply.status} {reply.fault_code}")
        while running.acquire(blocking=False):
            finished += 1
    for thread in threads:
        thread.join(timeout=300)

    for name, reply in noisy_replies.items():
        assert reply.status == 200, f"{name}: {reply.response.text[:500]}"
    kind = database_kind()
    for operation, samples in latencies.items():
        print(f"noisy-neighbour: {kind} {_latency_line(operation, samples)}")
    print(f"noisy-neighbour: {kind} {INVALID:,} invalid numbers and {WIDE_CONTACTS} contacts of "
          f"{MAX_CUSTOM_FIELDS} custom fields beside {n} neighbour requests, {len(failures)} failed")
    assert failures == []
    # Writes got through while the import ran, rather than queueing behind it for its whole
    # length (what a write lock held during number validation did).
    start, end = import_window
    assert sum(start < began and ended < end for began, ended in writes) >= 2, (writes, import_window)
