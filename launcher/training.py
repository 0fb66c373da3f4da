"""Train the Rasa model only when config, domain, training data or the NLU components change."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from pathlib import Path

from launcher.paths import APP_PY, DATA_PATHS, MODELS, RASA_PY, ROOT

FINGERPRINTED = ["config.yml", "domain.yml", "nlu", "stories", "requirements/rasa.txt"]
# Only data files count: the RiskTriage component's code is loaded when Rasa starts, not trained.
DATA_SUFFIXES = {".yml", ".yaml", ".json", ".md", ".txt"}


def fingerprint() -> str:
    """A hash of everything that changes the trained model."""
    digest = hashlib.sha256()
    for entry in FINGERPRINTED:
        path = ROOT / entry
        files = sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path]
        for file in files:
            if file.suffix not in DATA_SUFFIXES:
                continue
            digest.update(str(file.relative_to(ROOT)).encode())
            digest.update(file.read_bytes())
    return digest.hexdigest()[:16]


def model_path() -> Path:
    """Where the model for the current fingerprint lives (whether or not it exists yet)."""
    return MODELS / f"kindred-{fingerprint()}.tar.gz"


def rasa_env() -> dict[str, str]:
    """Environment for Rasa commands: the project on the path, quieter TensorFlow."""
    env = dict(os.environ)
    env["PYTHONPATH"] = str(ROOT) + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    env.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    env.setdefault("RASA_TELEMETRY_ENABLED", "false")
    env.setdefault("SQLALCHEMY_SILENCE_UBER_WARNING", "1")
    # Small matrices: one BLAS thread each is faster than two fighting over two cores.
    env.setdefault("OPENBLAS_NUM_THREADS", "1")
    return env


def build_semantic_cache() -> None:
    """Embed the semantic layer's examples (NLU data, lexicon, safety/corpus) and fit the words
    model now, once, so no process has to do it at its start; both reuse the cache by a hash of the
    examples. The words model is fitted in each environment (the gateway's and Rasa's have different
    scikit-learn versions, and a fitted model from one cannot be read by the other). The corpus is
    not part of the Rasa fingerprint: the layers are built from it at run time."""
    check = "from safety.semantic import shared; shared(); from safety.lexical import shared as w; w()"
    for python in (APP_PY, RASA_PY):
        result = subprocess.run([str(python), "-c", check], cwd=ROOT, env=rasa_env())
        if result.returncode != 0:
            raise SystemExit("kindred: the semantic layer could not be built (see the output above)")


def ensure_trained(quiet: bool = False) -> Path:
    """Return the trained model, training it first if the fingerprint has no model yet."""
    target = model_path()
    build_semantic_cache()
    if target.is_file():
        if not quiet:
            print(f"kindred: model is current ({target.name})", file=sys.stderr)
        return target
    MODELS.mkdir(exist_ok=True)
    print(f"kindred: training the model ({target.name}); this takes a few minutes", file=sys.stderr)
    cmd = [
        str(RASA_PY),
        "-m",
        "rasa",
        "train",
        "--config",
        "config.yml",
        "--domain",
        "domain.yml",
        "--data",
        *DATA_PATHS,
        "--out",
        str(MODELS),
        "--fixed-model-name",
        target.name.removesuffix(".tar.gz"),
    ]
    result = subprocess.run(cmd, cwd=ROOT, env=rasa_env())
    if result.returncode != 0 or not target.is_file():
        raise SystemExit("kindred: training failed (see the output above)")
    for old in MODELS.glob("kindred-*.tar.gz"):
        if old != target:
            old.unlink()
    return target
