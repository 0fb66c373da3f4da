"""Start, watch and stop Kindred's processes: the action server, Rasa replicas and the gateway.

Used by `./kindred run`, by the end-to-end tests and by the benchmark, so all three run exactly
the same processes.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import yaml

import logfilter
import settings as settings_module
from launcher.paths import APP_PY, RASA_PY, ROOT
from launcher.training import rasa_env
from settings import ACTION_SECRET_HEADER

# Rasa's callback channel, keeping message metadata (nlu/callback_channel.py).
CALLBACK_CHANNEL = "nlu.callback_channel.KindredCallbackInput"


def free_port() -> int:
    """A TCP port nobody is listening on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def isolated_env(var: Path, **extra: str) -> dict[str, str]:
    """Settings for a stack of its own (tests, benchmarks): own ports and data, no shared stores."""
    env = {
        "KINDRED_VAR": str(var),
        "KINDRED_PORT": str(free_port()),
        "RASA_PORT": str(free_port()),
        "ACTION_PORT": str(free_port()),
        "SAFETY_NET_SECONDS": "4",
        "DATABASE_URL": "",
        "TRACKER_DATABASE_URL": "",
        "REDIS_URL": "",
        "RASA_REPLICAS": "1",
        "TELEGRAM_TOKEN": "",
        "PUBLIC_ORIGINS": "",
        # Tests and benchmarks are hundreds of residents on one address (127.0.0.1), so the limits per
        # address are raised; the limit per conversation is the product's own. Tests of the limits set theirs.
        "LIMIT_NEW_SESSIONS": "100000/minute",
        "LIMIT_MESSAGES_PER_ADDRESS": "100000/minute",
    }
    env.update(extra)
    return env


def write_private(path: Path, text: str) -> None:
    """Write `text` to `path`, readable by its owner only from the moment it exists (it holds secrets)."""
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.fchmod(descriptor, 0o600)  # it may have been created wider by an older version
    with os.fdopen(descriptor, "w", encoding="utf-8") as file:
        file.write(text)


@dataclass
class Child:
    """One supervised process."""

    name: str
    cmd: list[str]
    env: dict[str, str]
    health_url: str
    log_path: Path
    echo: bool
    # Applied to each line of its output before it is written or echoed (secrets out).
    redact: Callable[[bytes], bytes] | None = None
    process: subprocess.Popen | None = None
    expected_exit: bool = False
    _pump: threading.Thread | None = field(default=None, repr=False)

    def start(self) -> None:
        """Start the process in its own process group, prefixing its output with its name."""
        if self.process is not None:
            # A restart after a crash: whatever the dead process left in its group (a worker holding
            # the port, say) goes with it.
            try:
                os.killpg(self.process.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        self.expected_exit = False
        self.log_path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        self.process = subprocess.Popen(
            self.cmd,
            cwd=ROOT,
            env=self.env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
            umask=0o077,  # what it creates (databases, logs) is its owner's alone
        )
        self._pump = threading.Thread(target=self._copy_output, daemon=True)
        self._pump.start()

    def _copy_output(self) -> None:
        assert self.process and self.process.stdout
        # This process's own output: after a crash `self.process` is the next one, while this
        # thread still reads what the dead one wrote (and then closes its pipe).
        stream = self.process.stdout
        width = 8
        with stream, os.fdopen(os.open(self.log_path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600), "ab") as log:
            for line in stream:
                # The children redact their own logs; this also covers anything they print.
                raw = self.redact(line) if self.redact else line
                log.write(raw)
                log.flush()
                if self.echo:
                    line = raw.decode("utf-8", "replace").rstrip("\n")
                    sys.stdout.write(f"{self.name:<{width}}| {line}\n")
                    sys.stdout.flush()

    def healthy(self) -> bool:
        """Whether the health URL answers 200."""
        try:
            with urllib.request.urlopen(self.health_url, timeout=2) as response:
                return response.status == 200
        except (urllib.error.URLError, OSError, ValueError):
            return False

    def running(self) -> bool:
        """Whether the process is alive."""
        return self.process is not None and self.process.poll() is None

    def stop(self, timeout: float = 15) -> None:
        """Stop the process group: SIGTERM, then SIGKILL if it does not go."""
        if not self.running():
            return
        assert self.process
        self.expected_exit = True
        try:
            os.killpg(self.process.pid, signal.SIGTERM)
        except ProcessLookupError:
            return
        try:
            self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(5)

    def kill(self) -> None:
        """Kill the process group at once (tests use this to simulate a crash)."""
        if self.running():
            assert self.process
            self.expected_exit = True
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(10)

    def crashed(self) -> bool:
        """Whether the process ended without being asked to (a crash, `kill -9`, an exit of its own)."""
        return self.process is not None and not self.running() and not self.expected_exit


@dataclass(frozen=True)
class Backoff:
    """How long to wait before restarting a part that crashed: doubling with each recent crash."""

    first: float = 1.0
    most: float = 30.0

    def delay(self, crashes: int) -> float:
        """The wait before restarting after the `crashes`-th recent crash (1, 2, 3, ...)."""
        return min(self.first * 2 ** max(crashes - 1, 0), self.most)


@dataclass(frozen=True)
class CrashLimit:
    """A part that crashes `times` times within `window` seconds keeps crashing: restarting is no use."""

    times: int = 5
    window: float = 300.0


class Supervisor:
    """Keeps the stack's processes running: restarts one that crashed, after a back-off.

    The gateway keeps the residents' messages while Rasa or the action server is away (and resumes
    them after its own restart), so one part's crash never takes the others down. Only a part that
    keeps crashing (`CrashLimit`) ends the run, with its name and its log. Signals and the final stop
    belong to `Stack.watch`.
    """

    def __init__(
        self,
        children: list[Child],
        backoff: Backoff = Backoff(),
        limit: CrashLimit = CrashLimit(),
        say: Callable[[str], None] = lambda line: print(line, flush=True),
    ) -> None:
        self.children = children
        self.backoff = backoff
        self.limit = limit
        self.say = say
        self._crashes: dict[str, deque[float]] = {c.name: deque() for c in children}
        self._restart_at: dict[str, float] = {}
        self._recovering: set[str] = set()

    def check(self) -> str | None:
        """Look at every child once. Returns why everything must stop, or None while all can heal."""
        now = time.monotonic()
        for child in self.children:
            due = self._restart_at.get(child.name)
            if due is not None:
                if now >= due:
                    del self._restart_at[child.name]
                    child.start()
                    self._recovering.add(child.name)
                    self.say(f"kindred: {child.name} restarted")
            elif child.crashed():
                give_up = self._crashed(child, now)
                if give_up:
                    return give_up
            elif child.name in self._recovering and child.healthy():
                self._recovering.discard(child.name)
                self.say(f"kindred: {child.name} is healthy again")
        return None

    def _crashed(self, child: Child, now: float) -> str | None:
        crashes = self._crashes[child.name]
        crashes.append(now)
        while crashes and now - crashes[0] > self.limit.window:
            crashes.popleft()
        code = child.process.returncode if child.process else "?"
        if len(crashes) >= self.limit.times:
            return (
                f"kindred: {child.name} keeps crashing ({len(crashes)} times in {self.limit.window:g} s, last exit "
                f"code {code}), so Kindred is stopping: restarting it again would not help.\n"
                f"Its log: {child.log_path}"
            )
        delay = self.backoff.delay(len(crashes))
        self._restart_at[child.name] = now + delay
        self._recovering.discard(child.name)
        self.say(
            f"kindred: {child.name} DIED (exit code {code}); restarting it in {delay:g} s "
            f"(crash {len(crashes)} in the last {self.limit.window:g} s; {self.limit.times} stop everything). "
            f"The rest keeps running. Its log: {child.log_path}"
        )
        return None

    def run(self, stopping: threading.Event, interval: float = 0.5) -> int:
        """Supervise until `stopping` is set (returns 0) or a part keeps crashing (returns 1)."""
        while not stopping.is_set():
            reason = self.check()
            if reason:
                bar = "!" * 72
                self.say(f"\n{bar}\n{reason}\n{bar}")
                return 1
            stopping.wait(interval)
        return 0


class Stack:
    """The whole assistant for one configuration."""

    def __init__(
        self, model: Path, env: dict[str, str] | None = None, echo: bool = True, announce: bool = False
    ) -> None:
        self.announce = announce
        self.env = dict(os.environ) | (env or {})
        self.settings = settings_module.load(self.env)
        problems = self.settings.check()
        if problems:
            raise SystemExit("kindred: " + "\n".join(problems))
        # Data, logs and secrets are this account's alone (older versions made var/ 0755).
        self.settings.var.mkdir(mode=0o700, parents=True, exist_ok=True)
        self.settings.var.chmod(0o700)
        self.redactor = logfilter.Redactor(self.settings.log_secrets)
        self.model = model
        self.echo = echo
        self.log_dir = self.settings.var / "log"
        self.children: list[Child] = []
        self._build()

    def _build(self) -> None:
        s = self.settings
        base = rasa_env() | self.env
        base["PYTHONPATH"] = rasa_env()["PYTHONPATH"]
        endpoints = self._write_endpoints()
        credentials = self._write_credentials()
        self.children.append(
            Child(
                "actions",
                # Our entry, not rasa_sdk's: it binds ACTION_HOST and requires the action secret.
                [str(APP_PY), "-m", "actions.server"],
                base,
                f"{s.action_url.removesuffix('/webhook')}/health",
                self.log_dir / "actions.log",
                self.echo,
                self.redactor.bytes,
            )
        )
        for i, url in enumerate(s.rasa_urls):
            port = s.rasa_port + i
            name = "rasa" if s.rasa_replicas == 1 else f"rasa{i + 1}"
            self.children.append(
                Child(
                    name,
                    # Through launcher/rasa_server.py: it adds the API token (never on a command line,
                    # where `ps` would show it) and `--interface 127.0.0.1`.
                    [
                        str(RASA_PY),
                        "-m",
                        "launcher.rasa_server",
                        "--model",
                        str(self.model),
                        "--endpoints",
                        str(endpoints),
                        "--credentials",
                        str(credentials),
                        "--port",
                        str(port),
                        "--enable-api",
                        "--log-file",
                        str(self.log_dir / f"{name}-rasa.log"),
                    ],
                    base,
                    f"{url}/status?token={s.rasa_token}",
                    self.log_dir / f"{name}.log",
                    self.echo,
                    self.redactor.bytes,
                )
            )
        self.children.append(
            Child(
                "gateway",
                [str(APP_PY), "-m", "bot"],
                base,
                f"{s.gateway_url}/health/live",
                self.log_dir / "gateway.log",
                self.echo,
                self.redactor.bytes,
            )
        )

    def _write_endpoints(self) -> Path:
        """Rasa's endpoints: endpoints.yml with the stores and ports this configuration uses."""
        s = self.settings
        config = yaml.safe_load((ROOT / "endpoints.yml").read_text(encoding="utf-8")) or {}
        # The domain goes only to the actions that declare `send_domain: true` (the form validators):
        # serialising it for every custom action call costs time on every turn.
        config["action_endpoint"] = {
            "url": s.action_url,
            "enable_selective_domain": True,
            # The action server refuses calls without it (actions/server.py).
            "headers": {ACTION_SECRET_HEADER: s.action_secret},
        }
        config["tracker_store"] = {"type": "SQL", "url": s.rasa_tracker_url}
        if s.redis_url:
            from urllib.parse import urlsplit

            redis = urlsplit(s.redis_url)
            config["lock_store"] = {
                "type": "redis",
                "url": redis.hostname or "127.0.0.1",
                "port": redis.port or 6379,
                "db": int((redis.path or "/0").strip("/") or 0),
                "key_prefix": "kindred",
            }
            if redis.password:
                config["lock_store"]["password"] = redis.password
        else:
            config["lock_store"] = {"type": "in_memory"}
        path = s.var / "run" / "endpoints.yml"
        write_private(path, yaml.safe_dump(config, sort_keys=False))
        return path

    def _write_credentials(self) -> Path:
        """Rasa's channels: credentials.yml with the gateway's secret callback URL filled in."""
        config = yaml.safe_load((ROOT / "credentials.yml").read_text(encoding="utf-8")) or {}
        config[CALLBACK_CHANNEL] = {"url": self.settings.callback_url}
        path = self.settings.var / "run" / "credentials.yml"
        write_private(path, yaml.safe_dump(config, sort_keys=False))
        return path

    def child(self, name: str) -> Child:
        """The child process called `name`."""
        return next(c for c in self.children if c.name == name)

    def start(self, timeout: float = 300) -> float:
        """Start everything and wait until each process is healthy. Returns the seconds it took."""
        began = time.monotonic()
        load_demo_directory(self.settings, self.announce)
        try:
            for child in self.children:
                child.start()
            self.wait_healthy(self.children, timeout, began)
        except BaseException:
            # Ctrl-C or a failure while starting: stop what was started, then let it propagate.
            self.stop()
            raise
        return time.monotonic() - began

    def wait_healthy(self, children: list[Child], timeout: float = 300, began: float | None = None) -> None:
        """Wait for `children` to answer their health checks; fail loudly if one dies."""
        began = began or time.monotonic()
        pending = list(children)
        while pending:
            for child in list(pending):
                if not child.running():
                    self.stop()
                    raise RuntimeError(
                        f"{child.name} exited while starting (code {child.process and child.process.returncode}); "
                        f"see {child.log_path}"
                    )
                if child.healthy():
                    pending.remove(child)
            if time.monotonic() - began > timeout:
                self.stop()
                raise RuntimeError("timed out waiting for " + ", ".join(c.name for c in pending))
            time.sleep(0.5)

    def restart(self, name: str, timeout: float = 300) -> None:
        """Start a stopped child again and wait for it."""
        child = self.child(name)
        child.start()
        self.wait_healthy([child], timeout)

    def stop(self) -> None:
        """Stop every child: the gateway first, so nothing is sent to a server that is going."""
        for child in reversed(self.children):
            child.stop()

    def watch(self, stopping: threading.Event | None = None, supervisor: Supervisor | None = None) -> int:
        """Keep every process running until Ctrl-C or SIGTERM (or `stopping`); then stop them all.

        A crashed process is restarted (see `Supervisor`); only one that keeps crashing ends the run
        early. Returns the exit code. Signals are caught only when no `stopping` event is given (tests
        supervise a stack from a thread, where signal handlers cannot be set).
        """
        if stopping is None:
            stopping = threading.Event()

            def on_signal(signum: int, _frame: object) -> None:
                print(f"\nkindred: {signal.Signals(signum).name} received, stopping every process", flush=True)
                stopping.set()

            signal.signal(signal.SIGINT, on_signal)
            signal.signal(signal.SIGTERM, on_signal)
        try:
            return (supervisor or Supervisor(self.children)).run(stopping)
        finally:
            self.stop()


def load_demo_directory(settings: settings_module.Settings, announce: bool = False) -> None:
    """On a first run with an empty directory, load the fictional Bristol demo directory."""
    from sqlalchemy.orm import Session

    from database import make_engine, upgrade
    from directory.demo import ensure_loaded

    settings.var.mkdir(mode=0o700, parents=True, exist_ok=True)
    # The database this may create is its owner's alone, from creation (the processes Kindred starts
    # set this umask for good; this process may be a test run, so only for this).
    previous = os.umask(0o077)
    try:
        engine = make_engine(settings.app_database_url)
        upgrade(engine)
        with Session(engine) as session:
            added = ensure_loaded(session)
        engine.dispose()
    finally:
        os.umask(previous)
    if added and announce:
        print(
            f"kindred: the directory was empty, so the fictional Bristol demo directory ({added} services) was loaded"
        )
