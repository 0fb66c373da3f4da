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
from dataclasses import dataclass, field
from pathlib import Path

import yaml

import settings as settings_module
from launcher.paths import APP_PY, RASA_PY, ROOT
from launcher.training import rasa_env

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
    }
    env.update(extra)
    return env


@dataclass
class Child:
    """One supervised process."""

    name: str
    cmd: list[str]
    env: dict[str, str]
    health_url: str
    log_path: Path
    echo: bool
    process: subprocess.Popen | None = None
    expected_exit: bool = False
    _pump: threading.Thread | None = field(default=None, repr=False)

    def start(self) -> None:
        """Start the process in its own process group, prefixing its output with its name."""
        self.expected_exit = False
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        self.process = subprocess.Popen(
            self.cmd,
            cwd=ROOT,
            env=self.env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
        self._pump = threading.Thread(target=self._copy_output, daemon=True)
        self._pump.start()

    def _copy_output(self) -> None:
        assert self.process and self.process.stdout
        width = 8
        with self.log_path.open("ab") as log:
            for raw in self.process.stdout:
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
                [str(APP_PY), "-m", "rasa_sdk", "--actions", "actions", "--port", str(s.action_port)],
                base,
                f"http://127.0.0.1:{s.action_port}/health",
                self.log_dir / "actions.log",
                self.echo,
            )
        )
        for i, url in enumerate(s.rasa_urls):
            port = s.rasa_port + i
            name = "rasa" if s.rasa_replicas == 1 else f"rasa{i + 1}"
            self.children.append(
                Child(
                    name,
                    [
                        str(RASA_PY),
                        "-m",
                        "rasa",
                        "run",
                        "--model",
                        str(self.model),
                        "--endpoints",
                        str(endpoints),
                        "--credentials",
                        str(credentials),
                        "--interface",
                        "127.0.0.1",
                        "--port",
                        str(port),
                        "--enable-api",
                        "--auth-token",
                        s.rasa_token,
                        "--log-file",
                        str(self.log_dir / f"{name}-rasa.log"),
                    ],
                    base,
                    f"{url}/status?token={s.rasa_token}",
                    self.log_dir / f"{name}.log",
                    self.echo,
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
            )
        )

    def _write_endpoints(self) -> Path:
        """Rasa's endpoints: endpoints.yml with the stores and ports this configuration uses."""
        s = self.settings
        config = yaml.safe_load((ROOT / "endpoints.yml").read_text(encoding="utf-8")) or {}
        # The domain goes only to the actions that declare `send_domain: true` (the form validators):
        # serialising it for every custom action call costs time on every turn.
        config["action_endpoint"] = {"url": s.action_url, "enable_selective_domain": True}
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
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(yaml.safe_dump(config, sort_keys=False), encoding="utf-8")
        return path

    def _write_credentials(self) -> Path:
        """Rasa's channels: credentials.yml with the gateway's secret callback URL filled in."""
        config = yaml.safe_load((ROOT / "credentials.yml").read_text(encoding="utf-8")) or {}
        config[CALLBACK_CHANNEL] = {"url": self.settings.callback_url}
        path = self.settings.var / "run" / "credentials.yml"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(yaml.safe_dump(config, sort_keys=False), encoding="utf-8")
        path.chmod(0o600)
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

    def watch(self) -> int:
        """Block until a child dies or a signal arrives; then stop everything. Returns the exit code."""
        stopping = threading.Event()

        def on_signal(signum: int, _frame: object) -> None:
            print(f"\nkindred: {signal.Signals(signum).name} received, stopping every process", flush=True)
            stopping.set()

        signal.signal(signal.SIGINT, on_signal)
        signal.signal(signal.SIGTERM, on_signal)
        code = 0
        while not stopping.is_set():
            for child in self.children:
                if not child.running() and not child.expected_exit:
                    rc = child.process.returncode if child.process else "?"
                    bar = "!" * 72
                    print(
                        f"\n{bar}\nkindred: {child.name} DIED (exit code {rc}). It will not be restarted.\n"
                        f"Its log: {child.log_path}\nStopping everything else.\n{bar}",
                        flush=True,
                    )
                    code = 1
                    stopping.set()
                    break
            stopping.wait(0.5)
        self.stop()
        return code


def load_demo_directory(settings: settings_module.Settings, announce: bool = False) -> None:
    """On a first run with an empty directory, load the fictional Bristol demo directory."""
    from sqlalchemy.orm import Session

    from database import make_engine, upgrade
    from directory.demo import ensure_loaded

    settings.var.mkdir(parents=True, exist_ok=True)
    engine = make_engine(settings.app_database_url)
    upgrade(engine)
    with Session(engine) as session:
        added = ensure_loaded(session)
    engine.dispose()
    if added and announce:
        print(
            f"kindred: the directory was empty, so the fictional Bristol demo directory ({added} services) was loaded"
        )
