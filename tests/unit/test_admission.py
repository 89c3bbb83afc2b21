"""The admission gate (callfire_soap/admission.py): one request at a time in arrival order,
never a wait longer than the bound, never a queue behind a long request."""
from __future__ import annotations

import threading
import time

import pytest

from callfire_soap import admission
from callfire_soap.accesslog import ObservedApp
from callfire_soap.admission import AdmissionGate, gate_from_env


def _wait_until(condition, seconds: float = 10.0) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "condition not reached"
        time.sleep(0.001)


def test_a_free_gate_admits_and_leaving_frees_it():
    gate = AdmissionGate(wait=10)
    assert gate.enter() is True
    gate.leave()
    assert gate.enter() is True
    gate.leave()
    assert gate._held_since is None


def test_waiting_requests_are_admitted_one_at_a_time_in_arrival_order():
    gate = AdmissionGate(wait=30)
    assert gate.enter()
    order, inside, overlap = [], [0], []

    def request(n: int) -> None:
        assert gate.enter() is True
        inside[0] += 1
        overlap.append(inside[0])
        order.append(n)
        time.sleep(0.002)
        inside[0] -= 1
        gate.leave()

    threads = []
    for n in range(5):
        thread = threading.Thread(target=request, args=(n,))
        thread.start()
        threads.append(thread)
        _wait_until(lambda n=n: len(gate._queue) == n + 1)  # queued before the next arrives
    gate.leave()
    for thread in threads:
        thread.join(10)
    assert order == [0, 1, 2, 3, 4]
    assert max(overlap) == 1
    assert gate._held_since is None


def test_a_request_waits_no_longer_than_the_bound_then_runs_beside_the_holder():
    gate = AdmissionGate(wait=0.05)
    assert gate.enter()  # a holder that does not leave during the test
    started = time.monotonic()
    assert gate.enter() is False
    assert time.monotonic() - started >= 0.05
    assert not gate._queue  # it left the queue
    assert gate._held_since is not None  # the holder still holds it
    gate.leave()
    assert gate._held_since is None


def test_no_request_queues_behind_a_long_holder():
    now = [100.0]
    gate = AdmissionGate(wait=30, clock=lambda: now[0])
    assert gate.enter()
    now[0] += 30  # the holder has held it for the whole bound: a long request
    result = []
    thread = threading.Thread(target=lambda: result.append(gate.enter()))
    thread.start()
    thread.join(5)  # queued, it would wait the 30 s bound
    assert result == [False]
    assert not gate._queue


def _turns_whose_wait_ends_with(monkeypatch, outcome):
    """Turns whose timed acquire (a queued request's wait) returns what ``outcome()`` returns,
    or raises what it raises, instead of waiting."""
    real_lock = threading.Lock

    class Turn:
        def __init__(self):
            self.lock = real_lock()

        def acquire(self, blocking=True, timeout=-1):
            return self.lock.acquire() if timeout == -1 else outcome()

        def release(self):
            self.lock.release()

    monkeypatch.setattr(admission.threading, "Lock", Turn)


def _interrupted():
    raise RuntimeError("interrupted while queued")


def test_a_turn_handed_over_as_the_wait_runs_out_is_kept(monkeypatch):
    gate = AdmissionGate(wait=30)
    assert gate.enter()

    def handed_over_as_the_wait_runs_out():
        gate.leave()  # the holder hands the gate over just as the wait runs out
        return False

    _turns_whose_wait_ends_with(monkeypatch, handed_over_as_the_wait_runs_out)
    assert gate.enter() is True  # it holds the gate: it was handed over
    assert gate._held_since is not None and not gate._queue
    gate.leave()
    assert gate._held_since is None


def test_another_accounts_request_is_not_held_up_by_a_long_one():
    """Through the application wrapper: a request that runs long does not keep a second one
    waiting past the bound, and the second one's logged duration counts its wait."""
    release = threading.Event()
    entered = threading.Event()

    def inner(environ, start_response):
        if environ["PATH_INFO"] == "/long":
            entered.set()
            release.wait(30)
        start_response("200 OK", [("Content-Type", "text/plain")])
        return [b"ok"]

    # A frozen clock: the long request never looks long, so the short one queues and must
    # give up waiting after the bound (with a real clock it may not queue at all).
    app = ObservedApp(inner, gate=AdmissionGate(wait=0.05, clock=lambda: 0.0))
    durations = []
    # Its own attribute (ObservedApp forwards the others to the wrapped application).
    object.__setattr__(app, "_record", lambda environ, note, request_id, status, sent, duration: durations.append(
        (environ["PATH_INFO"], duration)))

    def call(path: str) -> list[bytes]:
        return app({"PATH_INFO": path, "REQUEST_METHOD": "GET"}, lambda status, headers, exc_info=None: None)

    long_request = threading.Thread(target=call, args=("/long",))
    long_request.start()
    entered.wait(10)
    assert call("/short") == [b"ok"]  # answered while the long request still runs
    assert long_request.is_alive()
    release.set()
    long_request.join(10)
    assert dict(durations)["/short"] >= 0.05


def test_the_application_runs_requests_of_a_process_one_at_a_time():
    """Through the application wrapper: a second request does not enter the application while
    the first is in it (within the bound), enters when it leaves, and the gate is free after."""
    release, inside = threading.Event(), []

    def inner(environ, start_response):
        inside.append(environ["PATH_INFO"])
        if environ["PATH_INFO"] == "/first":
            release.wait(30)
        start_response("200 OK", [("Content-Type", "text/plain")])
        return [b"ok"]

    gate = AdmissionGate(wait=30, clock=lambda: 0.0)
    app = ObservedApp(inner, gate=gate)
    object.__setattr__(app, "_record", lambda *args: None)

    def call(path: str) -> None:
        app({"PATH_INFO": path, "REQUEST_METHOD": "GET"}, lambda status, headers, exc_info=None: None)

    first = threading.Thread(target=call, args=("/first",))
    first.start()
    _wait_until(lambda: inside == ["/first"])
    second = threading.Thread(target=call, args=("/second",))
    second.start()
    _wait_until(lambda: len(gate._queue) == 1)
    time.sleep(0.1)
    assert inside == ["/first"]  # queued, not in the application
    release.set()
    first.join(10)
    second.join(10)
    assert inside == ["/first", "/second"]
    assert gate._held_since is None and not gate._queue


@pytest.mark.parametrize(("value", "wait"), [(None, 0.005), ("", 0.005), ("2", 0.002), ("0.5", 0.0005)])
def test_the_wait_comes_from_the_environment(monkeypatch, value, wait):
    if value is None:
        monkeypatch.delenv(admission.ENV_WAIT_MS, raising=False)
    else:
        monkeypatch.setenv(admission.ENV_WAIT_MS, value)
    assert gate_from_env().wait == pytest.approx(wait)


def test_zero_turns_the_gate_off_and_nonsense_is_refused(monkeypatch):
    monkeypatch.setenv(admission.ENV_WAIT_MS, "0")
    assert gate_from_env() is None
    for bad in ("fast", "-1"):
        monkeypatch.setenv(admission.ENV_WAIT_MS, bad)
        with pytest.raises(ValueError, match=admission.ENV_WAIT_MS):
            gate_from_env()


def test_the_gate_is_on_for_sqlite_and_off_for_postgresql_unless_asked(monkeypatch):
    monkeypatch.delenv(admission.ENV_WAIT_MS, raising=False)
    assert gate_from_env(admission.DEFAULT_WAIT_MS).wait == pytest.approx(0.005)
    assert gate_from_env(0) is None
    monkeypatch.setenv(admission.ENV_WAIT_MS, "3")
    assert gate_from_env(0).wait == pytest.approx(0.003)


@pytest.mark.parametrize("bad", ["nan", "inf", "-inf", "1001", "1e300"])
def test_waits_that_are_not_finite_or_too_long_are_refused(monkeypatch, bad):
    monkeypatch.setenv(admission.ENV_WAIT_MS, bad)
    with pytest.raises(ValueError, match=admission.ENV_WAIT_MS):
        gate_from_env()


def test_a_request_interrupted_while_queued_leaves_no_turn_behind(monkeypatch):
    gate = AdmissionGate(wait=30)
    assert gate.enter()
    _turns_whose_wait_ends_with(monkeypatch, _interrupted)
    with pytest.raises(RuntimeError):
        gate.enter()
    assert not gate._queue and gate._held_since is not None  # the holder still holds it
    gate.leave()
    assert gate._held_since is None  # and freeing it works: nobody dead was handed it


def test_a_request_interrupted_just_after_its_turn_came_passes_the_gate_on(monkeypatch):
    gate = AdmissionGate(wait=30)
    assert gate.enter()
    def handed_over_then_interrupted():
        gate.leave()
        _interrupted()

    _turns_whose_wait_ends_with(monkeypatch, handed_over_then_interrupted)
    with pytest.raises(RuntimeError):
        gate.enter()
    assert gate._held_since is None and not gate._queue
