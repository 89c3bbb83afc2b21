"""Figure: GetContact over HTTP against a JAX-WS peer. The project runs as its CLI runs it in
production (`callfire-soap serve --workers 2`); the peer is the ContactService port that
wsimport generates from the project's served WSDL, implemented for GetContact from an
in-memory map (java/GetContactPeer.java) on the JDK HTTP server with 8 threads and HTTP
Basic auth. Both get the same SOAP 1.2 request from `wrk -t2 -c8`; req/s, p50, p99 and the
server CPU time per request of both, and the ratio of the rates project/peer, are reported
(no target: it places the project against the Java stack the legacy service was built on).

Needs wrk, a JDK, and Debian's jaxws + libjaxws-java (JAXWS_CLASSPATH overrides the runtime
jar; Debian's jaxws-rt.jar names its dependencies in its manifest)."""
from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from contextlib import ExitStack
from pathlib import Path

import requests
from lxml import etree

from .common import Figure, child_server, free_port
from .http_getcontact import (
    CONNECTIONS,
    CONTACT,
    LOGIN,
    PASSWORD,
    ROUNDS,
    ab_latency,
    bare_command,
    seed_contact,
    wrk,
)

PEER_SOURCE = Path(__file__).with_name("java") / "GetContactPeer.java"
JAXWS_CLASSPATH = os.environ.get("JAXWS_CLASSPATH", "/usr/share/java/jaxws-rt.jar")
WORKERS = 2
# A source tree of an earlier version of the project (`git worktree add DIR COMMIT`): when
# set, that version is served too (PYTHONPATH) and measured in the same rounds, for a
# before/after comparison on the same host at the same time.
BEFORE_ENV = "CALLFIRE_BENCH_BEFORE"
BARE_THREADS = 8  # serve's default --threads, which the project runs with here
PEER_WARM_UP_SECONDS, SERVICE_WARM_UP_SECONDS = 30, 10
SOAP12_PATH = "/api/1.1/soap12/contact"
DATA = "{http://api.callfire.com/data}"


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise SystemExit(f"the JAX-WS peer figure needs {name} (apt-get install wrk jaxws libjaxws-java "
                         "default-jdk-headless)")
    return path


def _check(args: list, what: str) -> None:
    # The build JVMs live for seconds: C1 alone starts them about twice as fast.
    result = subprocess.run([str(a) for a in args], capture_output=True, text=True,
                            env={**os.environ, "WSIMPORT_OPTS": "-XX:TieredStopAtLevel=1"})
    if result.returncode != 0:
        raise RuntimeError(f"{what} failed:\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}")


def build(wsdl_url: str, workdir: Path) -> str:
    """wsimport the served WSDL, compile the stubs with the peer; returns the peer's classpath."""
    generated, classes = workdir / "generated", workdir / "classes"
    generated.mkdir()
    classes.mkdir()
    # -extension: without it wsimport ignores SOAP 1.2 bindings as "non-standard".
    _check([_tool("wsimport"), "-extension", "-Xnocompile", "-keep", "-quiet", "-s", generated, "-d", generated,
            wsdl_url], "wsimport")
    _check([_tool("javac"), "-J-XX:TieredStopAtLevel=1", "-nowarn", "-encoding", "UTF-8", "-cp", JAXWS_CLASSPATH,
            "-d", classes, *sorted(generated.rglob("*.java")), PEER_SOURCE], "javac")
    return os.pathsep.join([str(classes), JAXWS_CLASSPATH])


def _serve(port: int) -> list[str]:
    # The console script installed beside this interpreter: the CLI exactly as deployed.
    cli = Path(sys.executable).with_name("callfire-soap")
    return [str(cli if cli.exists() else _tool("callfire-soap")), "serve", "--host", "127.0.0.1",
            "--port", str(port), "--workers", str(WORKERS)]


def _peer(classpath: str, port: int, contact_id: int) -> list[str]:
    custom = [f"{name}={value}" for name, value in CONTACT["custom"].items()]
    return [_tool("java"), "-cp", classpath, "GetContactPeer", str(port), LOGIN, PASSWORD, str(contact_id),
            CONTACT["first_name"], CONTACT["last_name"], CONTACT["mobile_phone"], *custom]


def _contact(url: str, body: str, auth: str) -> dict:
    reply = requests.post(url, data=body, timeout=30, headers={
        "Content-Type": "application/soap+xml; charset=utf-8", "Authorization": auth})
    assert reply.status_code == 200, reply.text
    contact = etree.fromstring(reply.content).find(f".//{DATA}Contact")
    assert contact is not None, reply.text
    return dict(contact.attrib)


def _cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process and its live descendants (gunicorn's workers), from /proc."""
    parents, cpu = {}, {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue  # exited meanwhile
        parents[int(entry.name)] = int(fields[1])
        cpu[int(entry.name)] = int(fields[11]) + int(fields[12])
    total, queue = 0, [pid]
    while queue:
        current = queue.pop()
        total += cpu.get(current, 0)
        queue.extend(child for child, parent in parents.items() if parent == current)
    return total / os.sysconf("SC_CLK_TCK")


def _measured(proc, url: str, body: str, auth: str, seconds: int):
    """One wrk run and the server's CPU time per request in it (µs)."""
    before = _cpu_seconds(proc.pid)
    run = wrk(url, body, auth, seconds)
    cpu = (_cpu_seconds(proc.pid) - before) / run.requests * 1e6
    # wrk's own latency figures are wrong on this build (BENCHMARKS.md): ab measures them.
    run.p50_ms, run.p99_ms = ab_latency(url, body, auth, seconds)
    return run, cpu


def _median(runs, field: str) -> float:
    return statistics.median(getattr(run, field) for run in runs)


def run(database_url: str, seconds: int = 10) -> Figure:
    for name in ("wrk", "ab", "wsimport", "javac", "java"):
        _tool(name)
    missing = [jar for jar in JAXWS_CLASSPATH.split(os.pathsep) if not Path(jar).exists()]
    if missing:
        raise SystemExit(f"the JAX-WS peer figure needs {', '.join(missing)} (apt-get install libjaxws-java)")
    cid, body, auth = seed_contact(database_url)

    service_port, peer_port, bare_port = free_port(), free_port(), free_port()
    service_url = f"http://127.0.0.1:{service_port}{SOAP12_PATH}"
    peer_url = f"http://127.0.0.1:{peer_port}{SOAP12_PATH}"
    bare_url = f"http://127.0.0.1:{bare_port}{SOAP12_PATH}"
    before_tree = os.environ.get(BEFORE_ENV)
    before_port = free_port()
    before_url = f"http://127.0.0.1:{before_port}{SOAP12_PATH}"
    with ExitStack() as stack:
        tmp = stack.enter_context(tempfile.TemporaryDirectory(prefix="cf-jaxws-"))
        service = stack.enter_context(child_server(
            _serve(service_port), service_port, env={"CALLFIRE_DATABASE_URL": database_url},
            log=stack.enter_context(tempfile.TemporaryFile())))
        bare = stack.enter_context(child_server(bare_command("granian", bare_port, BARE_THREADS), bare_port,
                                                log=stack.enter_context(tempfile.TemporaryFile())))
        before = None
        if before_tree:
            before = stack.enter_context(child_server(
                _serve(before_port), before_port, log=stack.enter_context(tempfile.TemporaryFile()),
                env={"CALLFIRE_DATABASE_URL": database_url, "PYTHONPATH": before_tree}))
        peer_log = stack.enter_context(tempfile.TemporaryFile())
        classpath = build(service_url + "?wsdl", Path(tmp))
        with child_server(_peer(classpath, peer_port, cid), peer_port, log=peer_log) as peer:
            service_contact, peer_contact = _contact(service_url, body, auth), _contact(peer_url, body, auth)
            assert service_contact == peer_contact, (service_contact, peer_contact)
            # Unmeasured warm-up. The peer's JIT needs tens of seconds on a loaded host before
            # its rate settles (after one 8 s warm-up it still sped up 3-30x across the
            # measured runs); the project's workers only fill their connection pools.
            peer_warm_up = wrk(peer_url, body, auth, PEER_WARM_UP_SECONDS).rps
            service_warm_up = wrk(service_url, body, auth, SERVICE_WARM_UP_SECONDS).rps
            # Alternating runs, medians compared (the host's speed drifts between minutes).
            # Besides the rates, the CPU time each server spends per request: on a shared host
            # the scheduler shares CPU per runnable thread, so the rates also depend on how
            # many threads each side keeps busy; the CPU cost per request depends much less
            # on the neighbours.
            # The bare lxml handler under granian (bare_wsgi.py, the HTTP figure's baseline)
            # is measured too: no Python application served by granian can beat its rate, so
            # bare/peer is the ceiling of project/peer on this host.
            wrk(bare_url, body, auth, SERVICE_WARM_UP_SECONDS)
            contenders = {"peer": (peer, peer_url), "project": (service, service_url), "bare": (bare, bare_url)}
            if before is not None:
                assert _contact(before_url, body, auth) == service_contact
                wrk(before_url, body, auth, SERVICE_WARM_UP_SECONDS)
                contenders["before"] = (before, before_url)
            runs = {name: ([], []) for name in contenders}
            names = list(contenders)
            for n in range(ROUNDS):
                for name in names[n % len(names):] + names[:n % len(names)]:  # a different one first each round
                    run, cpu = _measured(*contenders[name], body, auth, seconds)
                    runs[name][0].append(run)
                    runs[name][1].append(cpu)
            (service_runs, service_cpu), (peer_runs, peer_cpu), (bare_runs, bare_cpu) = \
                runs["project"], runs["peer"], runs["bare"]

    service_rps, peer_rps = _median(service_runs, "rps"), _median(peer_runs, "rps")
    ratio = service_rps / peer_rps

    def describe(runs, cpu) -> str:
        return (f"{_median(runs, 'rps'):,.0f} req/s, p50 {_median(runs, 'p50_ms'):.2f} ms, "
                f"p99 {_median(runs, 'p99_ms'):.2f} ms, CPU {statistics.median(cpu):,.0f} µs/request")

    return Figure(
        name=f"GetContact over HTTP vs a JAX-WS peer, wrk -t2 -c{CONNECTIONS} "
             f"(callfire-soap serve --workers {WORKERS})",
        measured=describe(service_runs, service_cpu),
        baseline=describe(peer_runs, peer_cpu) + " (JAX-WS RI, JDK HTTP server, 8 threads)",
        ratio=ratio, target="none (reported)", met=None,
        notes=["runs (req/s, p50/p99 ms), project: "
               + ", ".join(f"{r.rps:,.0f} ({r.p50_ms:.2f}/{r.p99_ms:.2f})" for r in service_runs)
               + "; peer: " + ", ".join(f"{r.rps:,.0f} ({r.p50_ms:.2f}/{r.p99_ms:.2f})" for r in peer_runs),
               "CPU per request (µs), project: " + ", ".join(f"{c:,.0f}" for c in service_cpu)
               + "; peer: " + ", ".join(f"{c:,.0f}" for c in peer_cpu)
               + f"; peer/project: {statistics.median(peer_cpu) / statistics.median(service_cpu):.2f}",
               f"warm-up (req/s): project {service_warm_up:,.0f} in {SERVICE_WARM_UP_SECONDS} s, "
               f"peer {peer_warm_up:,.0f} in {PEER_WARM_UP_SECONDS} s",
               f"bare lxml handler under granian {WORKERS}x{BARE_THREADS} (the ceiling): "
               + describe(bare_runs, bare_cpu)
               + f"; bare/peer {_median(bare_runs, 'rps') / peer_rps:.2f}; runs "
               + ", ".join(f"{r.rps:,.0f} ({r.p50_ms:.2f}/{r.p99_ms:.2f})" for r in bare_runs),
               "p99 <= 5x p50 in every project round (ab): "
               + ("yes" if all(r.p99_ms <= 5 * r.p50_ms for r in service_runs) else "NO")]
        + ([f"before ({before_tree}), same rounds: " + describe(*runs["before"])
            + f"; before/peer {_median(runs['before'][0], 'rps') / peer_rps:.3f}; runs "
            + ", ".join(f"{r.rps:,.0f} ({r.p50_ms:.2f}/{r.p99_ms:.2f})" for r in runs["before"][0])
            + "; CPU " + ", ".join(f"{c:,.0f}" for c in runs["before"][1])] if before is not None else []),
    )
