"""`./kindred triage`: one JSON object per input line, in order, from the trained model."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from launcher.paths import RASA_PY, ROOT
from launcher.training import rasa_env

KEYS = ["text", "risk", "risk_types", "loneliness", "need", "intent", "confidence"]


def test_triage_reads_lines_and_writes_json_lines_in_order(model: Path) -> None:
    lines = [
        "mum has fallen and can't get up",
        "",
        "this heat is killing me",
        "I feel so lonely since my wife died, nobody visits",
        "my heating's broken and I can't afford to fix it 🥶",
        "I'd like a lift to the lunch club",
    ]
    result = subprocess.run(
        [str(RASA_PY), "-m", "nlu.triage_cli", str(model)],
        input="\n".join(lines) + "\n",
        capture_output=True,
        text=True,
        encoding="utf-8",
        cwd=ROOT,
        env=rasa_env(),
        timeout=600,
        check=True,
    )
    records = [json.loads(line) for line in result.stdout.splitlines()]
    assert [r["text"] for r in records] == lines
    assert all(list(r) == KEYS for r in records)
    assert records[0]["risk"] == "urgent" and records[0]["risk_types"] == ["medical_emergency"]
    assert records[1]["risk"] == "none" and records[1]["intent"] is None
    assert records[2]["risk"] == "none" and records[2]["risk_types"] == []
    assert records[3]["loneliness"] is True and records[3]["risk"] == "none"
    assert records[4]["risk"] == "concern" and records[4]["risk_types"] == ["cold_home"]
    assert records[5]["need"] == "transport" and records[5]["risk"] == "none"
    assert records[0]["intent"] == "risk_urgent" and records[0]["confidence"] == 1.0
