"""`./kindred test`: every check, in the order that fails fastest."""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import sys
import time

from launcher.paths import APP_PY, DATA_PATHS, RASA_PY, ROOT
from launcher.training import ensure_trained, rasa_env


def _step(title: str, cmd: list[str], env: dict[str, str] | None = None) -> None:
    print(f"\n=== {title}\n$ {' '.join(cmd)}", flush=True)
    began = time.monotonic()
    result = subprocess.run(cmd, cwd=ROOT, env=env)
    if result.returncode != 0:
        raise SystemExit(f"kindred test: '{title}' failed (exit code {result.returncode})")
    print(f"--- {title}: ok ({time.monotonic() - began:.0f} s)", flush=True)


def ensure_browser() -> None:
    """Debian's Chromium drives the browser tests; install it when we may (root, apt)."""
    if shutil.which("chromium"):
        return
    if os.geteuid() == 0 and shutil.which("apt-get"):
        print("kindred test: installing Debian's chromium for the browser tests", flush=True)
        subprocess.run(["apt-get", "update", "-qq"], check=True)
        subprocess.run(
            ["apt-get", "install", "-y", "-qq", "chromium"],
            check=True,
            env=dict(os.environ, DEBIAN_FRONTEND="noninteractive"),
        )
        return
    raise SystemExit("kindred test: the browser tests need Chromium: run `apt-get install chromium` as root.")


def run_all(pytest_args: list[str]) -> int:
    """Run every check; the first failure stops the run with a non-zero exit code."""
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
    env = dict(os.environ, KINDRED_MODEL=str(model), PYTHONPATH=str(ROOT))
    _step("pytest", [str(APP_PY), "-m", "pytest", *pytest_args], env)
    print("\nkindred test: every check passed", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(run_all(sys.argv[1:]))
