"""`./kindred test` without PostgreSQL or Redis: the launcher starts throwaway ones and leaves nothing behind.

The configured addresses are pointed at closed ports, as on a machine where neither runs; the machine's
own servers are never touched.
"""

from __future__ import annotations

import dataclasses
import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from launcher import servers
from launcher.paths import APP_PY, ROOT
from launcher.stack import free_port

# Existing PostgreSQL and Redis tests, run again here against servers the launcher started itself.
SUITES = [
    "tests/test_migrations.py::test_postgresql",
    "tests/test_staff.py::test_claims_racing_on_postgresql_have_one_winner",
    "tests/test_scaleout.py",  # two Rasa replicas: PostgreSQL tracker store and app data, Redis lock store
]

# A run that holds its servers until a signal comes; Ctrl-C works even where the tests run with SIGINT ignored.
HOLD_SERVERS = """
import json, signal, sys, time
from launcher import servers
signal.signal(signal.SIGINT, signal.default_int_handler)
with servers.for_tests(json.loads(sys.argv[1])) as found:
    started = {"folder": str(found.folder), "pids": [s.process.pid for s in found.started], "env": found.env}
    print(json.dumps(started), flush=True)
    time.sleep(600)
"""


def nothing_answers() -> dict[str, str]:
    """Configured addresses where no server listens (the machine's own servers stay as they are)."""
    return {
        "KINDRED_TEST_POSTGRES": f"postgresql://postgres@127.0.0.1:{free_port()}/postgres",
        "KINDRED_TEST_REDIS": f"redis://127.0.0.1:{free_port()}/5",
    }


def live_processes() -> list[tuple[int, int, int, str]]:
    """(pid, process group, uid, command line) of every process that is not a zombie."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            fields = stat[stat.rindex(")") + 2 :].split()
            uid = int((entry / "status").read_text().split("Uid:")[1].split()[0])
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except (OSError, IndexError, ValueError):
            continue
        if fields[0] != "Z":
            found.append((int(entry.name), int(fields[2]), uid, cmdline))
    return found


def leftovers(folder: Path, pids: list[int]) -> list[tuple[int, int, int, str]]:
    """Processes of the servers: theirs, in their groups, or naming their folder (PostgreSQL's backends lead
    process groups of their own, and carry the folder's name in their titles)."""
    return [p for p in live_processes() if p[0] in pids or p[1] in pids or folder.name in p[3]]


def wait_for_no_leftovers(folder: Path, pids: list[int]) -> None:
    """Give servers told to stop by a dying parent a few moments."""
    for _ in range(100):
        if not leftovers(folder, pids):
            return
        time.sleep(0.1)


def assert_nothing_left(folder: Path, pids: list[int], env: dict[str, str]) -> None:
    """No server process left, nothing on their ports, no folder."""
    wait_for_no_leftovers(folder, pids)
    assert leftovers(folder, pids) == []
    assert not folder.exists()
    assert servers.postgres_problem(env["KINDRED_TEST_POSTGRES"]) is not None
    assert servers.redis_problem(env["KINDRED_TEST_REDIS"]) is not None


def redis_commands(url: str) -> int:
    """How many commands the Redis at `url` has processed."""
    parts = urlsplit(url)
    with socket.create_connection((parts.hostname, parts.port), timeout=5) as s:
        s.sendall(b"INFO stats\r\n")
        reply = b""
        while b"total_commands_processed:" not in reply or not reply.endswith(b"\r\n"):
            chunk = s.recv(65536)
            assert chunk, reply
            reply += chunk
    return int(re.search(rb"total_commands_processed:(\d+)", reply).group(1))


def test_throwaway_servers_run_in_var_unprivileged_and_go_away() -> None:
    with servers.for_tests(nothing_answers()) as found:
        assert [s.name for s in found.started] == ["PostgreSQL", "Redis"]
        # var/ is private to Kindred's account (0700): an unprivileged server account runs its servers
        # in the system's temporary folder instead, in a folder of its own.
        account = servers.server_account()
        inside_var = account is None or bool((ROOT / "var").stat().st_mode & 0o001)  # others may pass
        assert found.folder.parent == (ROOT / "var" / "test-servers" if inside_var else servers.SPARE_RUNS)
        pids = [s.process.pid for s in found.started]
        owners = {uid for pid, _, uid, _ in live_processes() if pid in pids}
        assert len(owners) == 1 and (os.geteuid() != 0 or 0 not in owners), owners  # never root
        assert servers.postgres_problem(found.env["KINDRED_TEST_POSTGRES"]) is None
        assert servers.redis_problem(found.env["KINDRED_TEST_REDIS"]) is None
    assert_nothing_left(found.folder, pids, found.env)


def test_a_clone_the_account_cannot_reach_runs_them_in_the_temporary_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Root hands the servers to another account, which cannot enter a private clone: they run in the
    system's temporary folder. Anyone else runs them as themselves, in the clone's own folder."""
    private = tmp_path / "root-only"
    private.mkdir(mode=0o700)
    monkeypatch.setattr(servers, "RUNS", private / "test-servers")
    handed_over = servers.server_account() is not None
    with servers.for_tests(nothing_answers()) as found:
        if handed_over:
            assert found.folder.parent == servers.SPARE_RUNS and found.folder.name.startswith(servers.SPARE_PREFIX)
        else:
            assert found.folder.parent == private / "test-servers"
        assert servers.postgres_problem(found.env["KINDRED_TEST_POSTGRES"]) is None
        pids = [s.process.pid for s in found.started]
    assert list((private / "test-servers").iterdir()) == []
    assert_nothing_left(found.folder, pids, found.env)


@pytest.mark.scaleout
def test_the_postgresql_and_redis_suites_pass_on_servers_the_launcher_started(model: Path) -> None:
    with servers.for_tests(nothing_answers()) as found:
        pids = [s.process.pid for s in found.started]
        env = dict(os.environ, KINDRED_MODEL=str(model), PYTHONPATH=str(ROOT)) | found.env
        before = redis_commands(found.env["KINDRED_TEST_REDIS"])
        run = subprocess.run(
            [str(APP_PY), "-m", "pytest", "-q", "-p", "no:cacheprovider", *SUITES],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=900,
        )
        assert run.returncode == 0, run.stdout[-4000:] + run.stderr[-2000:]
        passed = re.search(r"(\d+) passed", run.stdout)
        assert passed and int(passed.group(1)) >= len(SUITES) and "skipped" not in run.stdout, run.stdout[-2000:]
        assert redis_commands(found.env["KINDRED_TEST_REDIS"]) > before + 10  # the replicas took their locks here
    assert_nothing_left(found.folder, pids, found.env)


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM, signal.SIGKILL], ids=["ctrl-c", "term", "kill"])
def test_an_interrupted_run_leaves_no_server_running(signum: signal.Signals) -> None:
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD_SERVERS, json.dumps(nothing_answers())],
        cwd=ROOT,
        env=dict(os.environ, PYTHONPATH=str(ROOT)),
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        line = next(line for line in holder.stdout if line.startswith("{"))
        started = json.loads(line)
        folder = Path(started["folder"])
        assert servers.postgres_problem(started["env"]["KINDRED_TEST_POSTGRES"]) is None
        holder.send_signal(signum)
        holder.wait(60)
    finally:
        if holder.poll() is None:
            holder.kill()
            holder.wait()
        holder.stdout.close()
    if signum == signal.SIGKILL:
        # Nothing runs in the launcher then: the servers die with it (--pdeathsig), and the next run
        # removes the folder.
        wait_for_no_leftovers(folder, started["pids"])
        assert folder.exists()
        servers.remove_abandoned_runs()
    assert_nothing_left(folder, started["pids"], started["env"])


def test_configured_servers_that_answer_are_used_as_they_are() -> None:
    with servers.for_tests(nothing_answers()) as throwaway, servers.for_tests(throwaway.env) as found:
        assert found.started == [] and found.folder is None
        assert found.env == throwaway.env


def test_without_server_binaries_or_root_it_says_what_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(servers.os, "geteuid", lambda: 1000)
    kinds = tuple(dataclasses.replace(kind, binaries=lambda: None) for kind in servers.KINDS)
    monkeypatch.setattr(servers, "KINDS", kinds)
    with pytest.raises(SystemExit, match=r"run `apt-get install postgresql redis-server` as root\.$"):
        with servers.for_tests(nothing_answers()):
            pass
    assert list(servers.RUNS.glob(f"run-{os.getpid()}-*")) == []  # it stopped before making anything


def test_a_closed_port_is_not_a_usable_server() -> None:
    assert "refused" in servers.postgres_problem(f"postgresql://postgres@127.0.0.1:{free_port()}/postgres")
    assert "refused" in servers.redis_problem(f"redis://127.0.0.1:{free_port()}/5")
    assert servers.where("postgresql://kindred:secret@db.internal:5433/x") == "db.internal:5433"
