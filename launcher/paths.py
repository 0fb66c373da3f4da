"""Where things are: one place for the launcher's paths."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
APP_PY = ROOT / ".venv" / "app" / "bin" / "python"
RASA_PY = ROOT / ".venv" / "rasa" / "bin" / "python"
MODELS = ROOT / "models"
SPACY_MODEL = ROOT / "var" / "spacy" / "en_kindred"
DATA_PATHS = ["nlu", "stories"]
