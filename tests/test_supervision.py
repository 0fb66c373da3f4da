"""The supervisor of `./kindred run`: restarts with back-off, and stops only a part that keeps crashing.

Real processes (small Python programs), real signals; only the back-off is shortened.
"""

from __future__ import annotations

import os
import signal
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from launcher.stack import Backoff, Child, CrashLimit, Stack, Supervisor, isolated_env

SLEEPER = [sys.executable, "-c", "import time; time.sleep(120)"]
CRASHER = [sys.executable, "-c", "import sys; print('broken configuration'); sys.exit(3)"]
FAST = Backoff(first=0.1, most=0.4)


def child(name: str, cmd: list[str], tmp_path: Path) -> Child:
    """A supervised process whose health URL nobody answers (the supervisor only reports health)."""
    return Child(name, cmd, dict(os.environ), "http://127.0.0.1:9/health", tmp_path / f"{name}.log", echo=False)


@pytest.fixture
def children(tmp_path: Path) -> Iterator[list[Child]]:
    """Children started by a test; every one is stopped afterwards."""
    started: list[Child] = []
    yield started
    for c in started:
        c.stop(timeout=5)


def wait_for(condition, timeout: float = 10) -> None:  # noqa: ANN001 - a callable
    """Poll `condition` until it holds; fail the test if it does not within `timeout`."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.05)
    raise AssertionError("condition not met in time")


def test_backoff_doubles_with_each_recent_crash_up_to_its_ceiling() -> None:
    assert [Backoff(first=1, most=30).delay(n) for n in range(1, 8)] == [1, 2, 4, 8, 16, 30, 30]


def test_a_killed_part_is_restarted_and_the_others_keep_running(tmp_path: Path, children: list[Child]) -> None:
    actions, gateway = child("actions", SLEEPER, tmp_path), child("gateway", SLEEPER, tmp_path)
    children += [actions, gateway]
    for c in children:
        c.start()
    said: list[str] = []
    supervisor = Supervisor(children, backoff=FAST, say=said.append)
    stopping = threading.Event()
    thread = threading.Thread(target=supervisor.run, args=(stopping, 0.05))
    thread.start()
    try:
        first, gateway_pid = actions.process.pid, gateway.process.pid
        os.kill(first, signal.SIGKILL)  # kill -9, as an operator or the kernel's OOM killer would
        wait_for(lambda: actions.running() and actions.process.pid != first)
        assert gateway.running() and gateway.process.pid == gateway_pid
        died = next(line for line in said if "DIED" in line)
        assert "actions" in died and "restarting it in 0.1 s" in died and str(actions.log_path) in died
        # A second crash soon after waits twice as long.
        second = actions.process.pid
        os.kill(second, signal.SIGKILL)
        wait_for(lambda: actions.running() and actions.process.pid != second)
        assert "restarting it in 0.2 s" in [line for line in said if "DIED" in line][1]
    finally:
        stopping.set()
        thread.join(10)
    assert not thread.is_alive()


def test_a_part_stopped_on_purpose_is_not_restarted(tmp_path: Path, children: list[Child]) -> None:
    actions = child("actions", SLEEPER, tmp_path)
    children.append(actions)
    actions.start()
    actions.stop(timeout=5)
    said: list[str] = []
    supervisor = Supervisor(children, backoff=FAST, say=said.append)
    for _ in range(5):
        assert supervisor.check() is None
        time.sleep(0.15)
    assert not actions.running() and said == []


def test_a_part_that_keeps_crashing_stops_everything_naming_it_and_its_log(
    tmp_path: Path, children: list[Child]
) -> None:
    # A Stack of its own configuration (never started), given these small processes to watch.
    stack = Stack(tmp_path / "no-model.tar.gz", isolated_env(tmp_path / "var"), echo=False)
    rasa, gateway = child("rasa", CRASHER, tmp_path), child("gateway", SLEEPER, tmp_path)
    children += [rasa, gateway]
    stack.children = children
    for c in children:
        c.start()
    said: list[str] = []
    supervisor = Supervisor(children, backoff=FAST, limit=CrashLimit(times=4, window=60), say=said.append)
    began = time.monotonic()
    code = stack.watch(threading.Event(), supervisor)
    assert code == 1
    assert time.monotonic() - began < 15
    died = [line for line in said if "DIED" in line]
    assert [d.split("restarting it in ")[1].split(" s")[0] for d in died] == ["0.1", "0.2", "0.4"]
    verdict = said[-1]
    assert "rasa keeps crashing (4 times in 60 s, last exit code 3)" in verdict
    assert str(rasa.log_path) in verdict
    assert "broken configuration" in rasa.log_path.read_text()
    # Everything else was stopped with it.
    assert not gateway.running()


def test_crashes_older_than_the_window_do_not_count(tmp_path: Path, children: list[Child]) -> None:
    rasa = child("rasa", CRASHER, tmp_path)
    children.append(rasa)
    said: list[str] = []
    supervisor = Supervisor(children, backoff=Backoff(first=0.05, most=0.05), limit=CrashLimit(2, 0.3), say=said.append)
    rasa.start()
    for _ in range(3):
        # Each crash comes longer than the window after the one before: never "keeps crashing".
        rasa.process.wait(5)
        assert supervisor.check() is None
        time.sleep(0.4)
        assert supervisor.check() is None  # restarts it
    assert len([line for line in said if "DIED" in line]) == 3
    assert all("restarting it in 0.05 s (crash 1 " in line for line in said if "DIED" in line)
