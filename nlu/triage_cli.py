"""`./kindred triage`: one message per line on stdin -> one JSON object per line on stdout.

Uses the trained model and its RiskTriage component exactly as the running assistant does.
Output keys, always in this order: text, risk, risk_types, loneliness, need, intent, confidence.
"""

from __future__ import annotations

import asyncio
import contextlib
import io
import json
import logging
import sys


def result_for(text: str, parsed: dict) -> dict:
    """The stable triage record for one parse."""
    risk = parsed.get("risk") or {}
    intent = parsed.get("intent") or {}
    return {
        "text": text,
        "risk": risk.get("risk", "none"),
        "risk_types": risk.get("risk_types", []),
        "loneliness": bool(risk.get("loneliness", False)),
        "need": risk.get("need", "none"),
        "intent": intent.get("name"),
        "confidence": round(float(intent.get("confidence") or 0.0), 4),
    }


async def _main(model: str) -> int:
    out = sys.stdout
    # Keep stdout for results only: whatever Rasa or TensorFlow print while loading goes to stderr.
    with contextlib.redirect_stdout(sys.stderr):
        logging.basicConfig(level=logging.WARNING, stream=sys.stderr)
        from rasa.core.agent import Agent

        agent = Agent.load(model)
    stdin = io.TextIOWrapper(sys.stdin.buffer, encoding="utf-8", errors="replace")
    for line in stdin:
        text = line.rstrip("\r\n")
        if text.strip():
            with contextlib.redirect_stdout(sys.stderr):
                parsed = await agent.parse_message(text)
        else:
            parsed = {}
        out.write(json.dumps(result_for(text, parsed), ensure_ascii=False) + "\n")
        out.flush()
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(_main(sys.argv[1])))
