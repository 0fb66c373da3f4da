"""`./kindred triage`: one JSON object per input line, in order, from the trained model."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from launcher.paths import RASA_PY, ROOT
from launcher.training import rasa_env

KEYS = ["text", "risk", "risk_types", "loneliness", "need", "intent", "confidence"]


def triage(model: Path, lines: list[str]) -> list[dict]:
    """Run `./kindred triage`'s module on some lines and read its records."""
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
    return [json.loads(line) for line in result.stdout.splitlines()]


def test_triage_reads_lines_and_writes_json_lines_in_order(model: Path) -> None:
    lines = [
        "mum has fallen and can't get up",
        "",
        "this heat is killing me",
        "I feel so lonely since my wife died, nobody visits",
        "my heating's broken and I can't afford to fix it 🥶",
        "I'd like a lift to the lunch club",
    ]
    records = triage(model, lines)
    assert [r["text"] for r in records] == lines
    assert all(list(r) == KEYS for r in records)
    assert records[0]["risk"] == "urgent" and records[0]["risk_types"] == ["medical_emergency"]
    assert records[1]["risk"] == "none" and records[1]["intent"] is None
    assert records[2]["risk"] == "none" and records[2]["risk_types"] == []
    assert records[3]["loneliness"] is True and records[3]["risk"] == "none"
    assert records[4]["risk"] == "concern" and records[4]["risk_types"] == ["cold_home"]
    assert records[5]["need"] == "transport" and records[5]["risk"] == "none"
    assert records[0]["intent"] == "risk_urgent" and records[0]["confidence"] == 1.0


# Phrasings written for this test, none of them in the training data: each is classified through
# the trained model (SentenceIntents, fallback, KnownWords, RiskTriage) as a resident's message is.
UNSEEN = {
    "hello Kindred, good to see you": "greet",
    "cheers, you've been brilliant": "thank",
    "right, I'm off to make my tea, bye": "goodbye",
    "is there a walking group near BS5?": "ask_local_help",
    "is there anyone who could give me a lift to the surgery?": "ask_local_help",
    "what's the capital of Spain": "out_of_scope",
    "I've been feeling really down this week": "chitchat",
    "my granddaughter is getting married in June": "chitchat",
    "my name's Doreen and I live in Easton": "chitchat",
    "nobody ever rings me": "feeling_lonely",
    "please stop sending me messages": "stop_checkins",
    "could you message me every Wednesday": "want_regular_checkins",
    "what do you know about me": "ask_profile",
    "can I talk to a real human please": "request_human",
    "Thursdays": "inform",
    "any others like that?": "more_options",
    "remind me before it starts please": "remind_me",
    "wipe everything you have on me": "forget_me",
}


def test_unseen_phrasings_reach_the_right_intent(model: Path) -> None:
    got = {r["text"]: r["intent"] for r in triage(model, list(UNSEEN))}
    wrong = {text: (want, got[text]) for text, want in UNSEEN.items() if got[text] != want}
    assert not wrong
