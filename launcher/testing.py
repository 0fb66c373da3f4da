"""`./kindred test`: every check, in the order that fails fastest."""

from __future__ import annotations

import contextlib
import glob
import os
import shutil
import signal
import subprocess
import sys
import time

from launcher import servers
from launcher.paths import APP_PY, DATA_PATHS, RASA_PY, ROOT
from launcher.servers import apt_install
from launcher.training import ensure_trained, rasa_env


def _step(title: str, cmd: list[str], env: dict[str, str] | None = None) -> None:
    print(f"\n=== {title}\n$ {' '.join(cmd)}", flush=True)
    began = time.monotonic()
    code = _wait(subprocess.Popen(cmd, cwd=ROOT, env=env))
    if code != 0:
        raise SystemExit(f"kindred test: '{title}' failed (exit code {code})")
    print(f"--- {title}: ok ({time.monotonic() - began:.0f} s)", flush=True)


def _wait(process: subprocess.Popen) -> int:
    """Wait for a step; on Ctrl-C or SIGTERM give it two minutes to tidy up (pytest stops the stacks it started)."""
    try:
        return process.wait()
    except KeyboardInterrupt as stop:
        try:
            if isinstance(stop, servers.Terminated):  # Ctrl-C in a terminal reached the step already
                process.send_signal(signal.SIGINT)
            with contextlib.suppress(subprocess.TimeoutExpired):
                process.wait(120)
        finally:
            if process.poll() is None:
                process.kill()
                process.wait()
        raise


def ensure_browser() -> None:
    """Debian's Chromium drives the browser tests; install it when we may (root, apt)."""
    if not shutil.which("chromium"):
        apt_install(["chromium"], "the browser tests need Chromium")


def run_pytest(pytest_args: list[str], env: dict[str, str]) -> None:
    """pytest, with the PostgreSQL and Redis its tests need (throwaway ones when none is usable)."""
    with servers.for_tests(env) as found:
        _step("pytest", [str(APP_PY), "-m", "pytest", *pytest_args], env | found.env)


def run_all(pytest_args: list[str]) -> int:
    """Run every check; the first failure stops the run with a non-zero exit code."""
    try:
        with servers.signals_interrupt():
            _checks(pytest_args)
    except KeyboardInterrupt as stop:
        print(f"\nkindred test: interrupted ({stop or 'Ctrl-C'}); what it started is stopped", file=sys.stderr)
        return 130
    print("\nkindred test: every check passed", flush=True)
    return 0


def _checks(pytest_args: list[str]) -> None:
    """Every check in order; the first failure raises SystemExit."""
    ruff = str(ROOT / ".venv" / "app" / "bin" / "ruff")
    _step("ruff lint", [ruff, "check", "."])
    _step("ruff format", [ruff, "format", "--check", "."])
    _step(
        "rasa data validate",
        [
            str(RASA_PY),
            "-m",
            "rasa",
            "data",
            "validate",
            "--domain",
            "domain.yml",
            "--config",
            "config.yml",
            "--data",
            *DATA_PATHS,
        ],
        rasa_env(),
    )
    model = ensure_trained()
    stories = sorted(glob.glob(str(ROOT / "tests" / "test_*.yml")))
    _step(
        "rasa test (stories; prediction errors fail)",
        [
            str(RASA_PY),
            "-m",
            "rasa",
            "test",
            "core",
            "--model",
            str(model),
            "--stories",
            *stories,
            "--fail-on-prediction-errors",
            "--out",
            str(ROOT / "var" / "test-results" / "core"),
        ],
        rasa_env(),
    )
    ensure_browser()
    run_pytest(pytest_args, dict(os.environ, KINDRED_MODEL=str(model), PYTHONPATH=str(ROOT)))


if __name__ == "__main__":
    sys.exit(run_all(sys.argv[1:]))
