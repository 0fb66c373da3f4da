"""The launcher and configuration: fingerprints, generated Rasa files, settings."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

import settings as settings_module
from launcher import training
from launcher.stack import Stack
from tests.conftest import stack_env


def test_defaults_need_no_server(tmp_path: Path) -> None:
    config = settings_module.load({"KINDRED_VAR": str(tmp_path)})
    assert config.database_url.startswith("sqlite:///")
    assert config.tracker_database_url.startswith("sqlite:///")
    assert config.redis_url is None
    assert config.rasa_replicas == 1
    assert config.check() == []
    assert (tmp_path / "secret").stat().st_mode & 0o777 == 0o600


def test_database_url_moves_app_data_and_tracker(tmp_path: Path) -> None:
    config = settings_module.load(
        {"KINDRED_VAR": str(tmp_path), "DATABASE_URL": "postgresql://kindred@db:5432/kindred"}
    )
    assert config.app_database_url == "postgresql+psycopg://kindred@db:5432/kindred"
    assert config.rasa_tracker_url == "postgresql://kindred@db:5432/kindred"


def test_dotenv_is_read_and_the_environment_wins(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = tmp_path / "repo"
    root.mkdir()
    (root / ".env").write_text(
        'KINDRED_PORT=9999\nSAFETY_NET_SECONDS=2  # seconds\nPUBLIC_ORIGINS="https://a.example#x"\n'
    )
    monkeypatch.setattr(settings_module, "ROOT", root)
    config = settings_module.load({"KINDRED_VAR": str(tmp_path), "KINDRED_PORT": "8181"})
    assert config.port == 8181
    assert config.safety_net_seconds == 2
    assert config.public_origins == ("https://a.example#x",)


def test_a_bad_value_is_explained(tmp_path: Path) -> None:
    with pytest.raises(settings_module.ConfigError, match="RASA_REPLICAS must be a whole number"):
        settings_module.load({"KINDRED_VAR": str(tmp_path), "RASA_REPLICAS": "two"})


def test_replicas_are_refused_without_shared_stores(tmp_path: Path) -> None:
    problems = settings_module.load({"KINDRED_VAR": str(tmp_path), "RASA_REPLICAS": "2"}).check()
    assert any("REDIS_URL" in p for p in problems) and any("PostgreSQL" in p for p in problems)


def test_generated_rasa_files_follow_the_settings(tmp_path: Path) -> None:
    env = stack_env(
        tmp_path,
        DATABASE_URL="postgresql://postgres@127.0.0.1:5432/kindred",
        REDIS_URL="redis://:pw@127.0.0.1:6380/3",
        RASA_REPLICAS="2",
    )
    stack = Stack(Path("model.tar.gz"), env, echo=False)
    endpoints = yaml.safe_load((tmp_path / "run" / "endpoints.yml").read_text())
    assert endpoints["tracker_store"] == {"type": "SQL", "url": "postgresql://postgres@127.0.0.1:5432/kindred"}
    assert endpoints["lock_store"]["type"] == "redis"
    assert (endpoints["lock_store"]["port"], endpoints["lock_store"]["db"], endpoints["lock_store"]["password"]) == (
        6380,
        3,
        "pw",
    )
    credentials = yaml.safe_load((tmp_path / "run" / "credentials.yml").read_text())
    assert credentials["nlu.callback_channel.KindredCallbackInput"]["url"] == stack.settings.callback_url
    assert [c.name for c in stack.children] == ["actions", "rasa1", "rasa2", "gateway"]


def test_default_rasa_files_use_sqlite_and_memory_locks(tmp_path: Path) -> None:
    Stack(Path("model.tar.gz"), stack_env(tmp_path), echo=False)
    endpoints = yaml.safe_load((tmp_path / "run" / "endpoints.yml").read_text())
    assert endpoints["tracker_store"]["url"].startswith("sqlite:///")
    assert endpoints["lock_store"] == {"type": "in_memory"}


def test_fingerprint_changes_with_training_data_only(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = Path(training.__file__).resolve().parent.parent
    copy = tmp_path / "repo"
    for entry in training.FINGERPRINTED:
        source = root / entry
        target = copy / entry
        if source.is_dir():
            shutil.copytree(source, target, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(source, target)
    monkeypatch.setattr(training, "ROOT", copy)
    before = training.fingerprint()
    assert training.fingerprint() == before
    (copy / "nlu" / "components" / "triage.py").write_text("# code is not training data\n")
    assert training.fingerprint() == before
    with (copy / "nlu" / "data" / "basics.yml").open("a") as f:
        f.write("\n    - hello again friend\n")
    assert training.fingerprint() != before


def test_a_rasa_token_that_begins_with_a_dash_still_starts_rasa() -> None:
    """A generated token is URL-safe base64, so one in 64 begins with "-": passed as a separate word,
    argparse read it as an option and Rasa exited ("expected one argument")."""
    import argparse

    from launcher.rasa_server import rasa_argv

    argv = rasa_argv(["--port", "5005"], "-abc_123")
    parser = argparse.ArgumentParser()
    parser.add_argument("command")
    parser.add_argument("--port")
    parser.add_argument("--interface")
    parser.add_argument("-t", "--auth-token")
    parsed = parser.parse_args(argv[1:])
    assert parsed.auth_token == "-abc_123" and parsed.interface == "127.0.0.1"
