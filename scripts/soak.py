#!/usr/bin/env python3
"""Concurrency soak: many SOAP clients, several accounts, mixed writes, against a
multi-worker server; afterwards the database is checked exactly against what the clients
were told. Prints operations, workers, accounts and mismatches (which must be 0).

    python scripts/soak.py --database postgresql+psycopg://postgres@127.0.0.1/test --workers 2
"""
from __future__ import annotations

import argparse
import random
import sys
import tempfile
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import requests
from lxml import etree

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from callfire_soap.backend import Backend  # noqa: E402
from callfire_soap.services.accounts import create_account  # noqa: E402
from callfire_soap.storage.scratch import scratch_database  # noqa: E402
from scripts.benchlib.common import child_server, free_port  # noqa: E402

SVC = "http://api.callfire.com/service/xsd"
DATA = "http://api.callfire.com/data"
ENV = "http://www.w3.org/2003/05/soap-envelope"
NS = {"svc": SVC, "data": DATA, "env": ENV}


class SoapError(Exception):
    pass


class Client:
    def __init__(self, endpoint: str, login: str, password: str):
        self.endpoint = endpoint
        self.session = requests.Session()
        self.session.auth = (login, password)

    def call(self, body: str) -> etree._Element | None:
        envelope = (f'<env:Envelope xmlns:env="{ENV}" xmlns:svc="{SVC}" xmlns:data="{DATA}">'
                    f"<env:Body>{body}</env:Body></env:Envelope>")
        reply = self.session.post(self.endpoint, data=envelope.encode(), timeout=120,
                                  headers={"Content-Type": "application/soap+xml; charset=utf-8"})
        root = etree.fromstring(reply.content)
        fault = root.find("env:Body/env:Fault", NS)
        if fault is not None or reply.status_code != 200:
            raise SoapError(etree.tostring(root).decode()[:500])
        children = list(root.find("env:Body", NS))
        return children[0] if children else None


@dataclass
class Expected:
    """What the clients were told, per account."""
    lists: dict[int, set[str]] = field(default_factory=dict)          # list id -> numbers
    request_ids: dict[str, int] = field(default_factory=dict)         # RequestId -> list id
    custom: dict[tuple[int, str], str] = field(default_factory=dict)  # (contact id, field) -> value
    dnc: dict[int, set[str]] = field(default_factory=dict)            # DNC list id -> numbers


def _numbers(pool: list[str]) -> str:
    return " ".join(pool)


def client_loop(client: Client, me: int, rounds: int, pool: list[str], dnc_pool: list[str],
                expected: Expected, lock: threading.Lock, counter: list[int]) -> None:
    rng = random.Random(me)
    my_lists: list[int] = []
    request = f"<svc:CreateDncListRequest><svc:Name>soak {me}</svc:Name></svc:CreateDncListRequest>"
    (dnc_id,) = [int(client.call(request).text)]
    with lock:
        expected.dnc[dnc_id] = set()
    ops = 1
    for round_no in range(rounds):
        action = rng.choice(["create", "create", "add", "remove", "update", "dnc", "replay"]) if my_lists else "create"
        if action in ("create", "replay"):
            numbers = rng.sample(pool, 8)
            request_id = f"urn:soak:{me}:{round_no}:{uuid.uuid4().hex[:6]}"
            body = (f"<svc:CreateContactList><svc:RequestId>{request_id}</svc:RequestId><svc:Name>soak {me}</svc:Name>"
                    f"<svc:ContactSource><svc:Numbers>{_numbers(numbers)}</svc:Numbers></svc:ContactSource></svc:CreateContactList>")
            list_id = int(client.call(body).text)
            ops += 1
            if action == "replay":
                again = int(client.call(body).text)
                ops += 1
                if again != list_id:
                    raise AssertionError(f"RequestId replay gave {again}, first call {list_id}")
            my_lists.append(list_id)
            with lock:
                expected.lists[list_id] = set(numbers)
                expected.request_ids[request_id] = list_id
        elif action == "add":
            list_id = rng.choice(my_lists)
            numbers = rng.sample(pool, 4)
            client.call(f"<svc:AddContactsToList><svc:ContactListId>{list_id}</svc:ContactListId><svc:ContactSource>"
                        f"<svc:Numbers>{_numbers(numbers)}</svc:Numbers></svc:ContactSource></svc:AddContactsToList>")
            with lock:
                expected.lists[list_id] |= set(numbers)
        elif action == "remove":
            list_id = rng.choice(my_lists)
            with lock:
                current = sorted(expected.lists[list_id])
            numbers = rng.sample(current, min(2, len(current)))
            client.call(f"<svc:RemoveContactsFromList><svc:ContactListId>{list_id}</svc:ContactListId>"
                        f"<svc:Numbers>{_numbers(numbers)}</svc:Numbers></svc:RemoveContactsFromList>")
            with lock:
                expected.lists[list_id] -= set(numbers)
        elif action == "update":
            list_id = rng.choice(my_lists)
            result = client.call(f"<svc:QueryContacts><svc:MaxResults>3</svc:MaxResults>"
                                 f"<svc:ContactListId>{list_id}</svc:ContactListId></svc:QueryContacts>")
            ops += 1
            ids = [int(c.get("id")) for c in result.findall("data:Contact", NS)]
            if ids:
                value = f"r{round_no}"
                # Each client writes only its own custom field: concurrent updates of one
                # contact by several clients must all survive.
                client.call("<svc:UpdateContacts>" + "".join(
                    f'<data:Contact id="{cid}" C{me}="{value}"/>' for cid in ids) + "</svc:UpdateContacts>")
                with lock:
                    for cid in ids:
                        expected.custom[(cid, f"C{me}")] = value
        elif action == "dnc":
            numbers = rng.sample(dnc_pool, 2)
            client.call(f"<svc:AddNumbersToDncListRequest><svc:Id>{dnc_id}</svc:Id>"
                        f"<svc:Numbers>{_numbers(numbers)}</svc:Numbers></svc:AddNumbersToDncListRequest>")
            with lock:
                expected.dnc[dnc_id] |= set(numbers)
        ops += 1
    with lock:
        counter[0] += ops


def verify(database_url: str, accounts: dict[int, tuple[str, Expected]], pools: dict[int, list[str]]) -> list[str]:
    from sqlalchemy import func, or_, select

    from callfire_soap.storage.tables import contact_fields, contact_lists, contacts, dnc_numbers, list_members

    mismatches = []
    backend = Backend.open(database_url)
    with backend.engine.connect() as conn:
        for account_id, (login, expected) in accounts.items():
            for list_id, numbers in expected.lists.items():
                members = conn.execute(
                    select(contacts.c.home_phone).join(list_members, list_members.c.contact_id == contacts.c.id)
                    .where(list_members.c.list_id == list_id)).scalars().all()
                if sorted(members) != sorted(numbers):
                    mismatches.append(f"{login}: list {list_id} has {sorted(members)}, "
                                      f"clients were told {sorted(numbers)}")
            for request_id, list_id in expected.request_ids.items():
                found = conn.execute(select(contact_lists.c.id).where(
                    contact_lists.c.account_id == account_id, contact_lists.c.request_id == request_id)).scalars().all()
                if found != [list_id]:
                    mismatches.append(f"{login}: RequestId {request_id} -> lists {found}, expected [{list_id}]")
            for number in pools[account_id]:
                holders = conn.execute(select(func.count()).select_from(contacts).where(
                    contacts.c.account_id == account_id,
                    or_(contacts.c.home_phone == number, contacts.c.work_phone == number,
                        contacts.c.mobile_phone == number))).scalar_one()
                if holders > 1:
                    mismatches.append(f"{login}: {holders} contacts hold {number} (merge should reuse one)")
            for (contact_id, name), value in expected.custom.items():
                stored = conn.execute(select(contact_fields.c.value).where(
                    contact_fields.c.contact_id == contact_id, contact_fields.c.name == name)).scalar()
                if stored != value:
                    mismatches.append(f"{login}: contact {contact_id} {name}={stored!r}, last write was {value!r}")
            for dnc_id, numbers in expected.dnc.items():
                stored = set(conn.execute(
                    select(dnc_numbers.c.number).where(dnc_numbers.c.dnc_list_id == dnc_id)).scalars())
                if stored != numbers:
                    mismatches.append(f"{login}: DNC list {dnc_id} has {sorted(stored)}, expected {sorted(numbers)}")
    backend.close()
    return mismatches


def run_soak(database_url: str, workers: int = 2, clients: int = 16, accounts: int = 4, rounds: int = 20) -> dict:
    backend = Backend.open(database_url)
    account_state: dict[int, tuple[str, Expected]] = {}
    pools: dict[int, list[str]] = {}
    logins = {}
    for index in range(accounts):
        login = f"soak-{index}-{uuid.uuid4().hex[:6]}"
        account_id = create_account(backend.uow, login, "soak-password")
        account_state[account_id] = (login, Expected())
        logins[index] = account_id
        # 60 valid NANP numbers per account, shared by that account's clients (merges happen).
        pools[account_id] = [f"1213{300 + index}{n:04d}" for n in range(60)]
    backend.close()
    dnc_pool = [f"1310555{n:04d}" for n in range(40)]

    port = free_port()
    lock = threading.Lock()
    counter = [0]
    errors: list[str] = []
    elapsed = 0.0
    with tempfile.TemporaryFile() as log:
        try:
            with child_server([sys.executable, "-m", "callfire_soap.cli", "serve", "--port", str(port),
                               "--workers", str(workers), "--threads", "4", "--database", database_url],
                              port, log=log):
                endpoint = f"http://127.0.0.1:{port}/api/1.1/soap12/contact"

                def worker(me: int):
                    account_id = logins[me % accounts]
                    login, expected = account_state[account_id]
                    try:
                        client_loop(Client(endpoint, login, "soak-password"), me, rounds, pools[account_id],
                                    dnc_pool, expected, lock, counter)
                    except Exception as exc:  # noqa: BLE001 - reported as a mismatch
                        errors.append(f"client {me}: {exc!r}"[:800])

                started = time.monotonic()
                threads = [threading.Thread(target=worker, args=(i,)) for i in range(clients)]
                for thread in threads:
                    thread.start()
                for thread in threads:
                    thread.join()
                elapsed = time.monotonic() - started
        except RuntimeError as exc:  # the server did not stop: an error like any other
            errors.append(str(exc))
        log.seek(0)
        server_log = log.read().decode(errors="replace")
    if "Traceback" in server_log:
        errors.append("server log has a traceback: " + server_log[server_log.index("Traceback"):][:1500])
    mismatches = errors + verify(database_url, account_state, pools)
    return {"operations": counter[0], "workers": workers, "clients": clients, "accounts": accounts,
            "seconds": round(elapsed, 1), "mismatches": len(mismatches), "details": mismatches[:20]}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database", help="PostgreSQL URL (a scratch schema is used); default SQLite")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--accounts", type=int, default=4)
    parser.add_argument("--rounds", type=int, default=20)
    args = parser.parse_args()
    with scratch_database(args.database) as url:
        report = run_soak(url, args.workers, args.clients, args.accounts, args.rounds)
    print(f"soak: operations={report['operations']} workers={report['workers']} clients={report['clients']} "
          f"accounts={report['accounts']} seconds={report['seconds']} mismatches={report['mismatches']}")
    for line in report["details"]:
        print("  " + line)
    return 0 if report["mismatches"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
