"""`./kindred eval nlu`: cross-validation of the intent classifier (triage: `launcher.eval_triage`)."""

from __future__ import annotations

import json
import subprocess

from launcher.paths import RASA_PY, ROOT
from launcher.training import rasa_env


def collapse_risk(intent: str) -> str:
    """Every risk intent, the types the classifier learns and the levels triage assigns, as one label.

    RiskTriage replaces the classifier's `risk_suicide` with the level (`risk_urgent`) that the safety rules
    answer; whether a message is risky is the intent classifier's question, the level and type are
    the triage's (measured on held-out data by `./kindred eval triage`).
    """
    return "risk" if intent.startswith("risk_") else intent


def score_intents(pairs: list[tuple[str, str]]) -> dict:
    """Precision, recall and F1 per label, weighted and macro F1, accuracy and confusions."""
    labels = sorted({truth for truth, _ in pairs})
    per: dict[str, dict] = {}
    for label in labels:
        tp = sum(1 for t, p in pairs if t == label and p == label)
        fp = sum(1 for t, p in pairs if t != label and p == label)
        fn = sum(1 for t, p in pairs if t == label and p != label)
        precision = tp / (tp + fp) if tp + fp else 0.0
        recall = tp / (tp + fn) if tp + fn else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        per[label] = {"precision": precision, "recall": recall, "f1": f1, "support": tp + fn}
    total = len(pairs) or 1
    confused: dict[tuple[str, str], int] = {}
    for truth, predicted in pairs:
        if truth != predicted:
            confused[(truth, predicted)] = confused.get((truth, predicted), 0) + 1
    return {
        "per_intent": per,
        "weighted_f1": sum(v["f1"] * v["support"] for v in per.values()) / total,
        "macro_f1": sum(v["f1"] for v in per.values()) / (len(per) or 1),
        "accuracy": sum(1 for t, p in pairs if t == p) / total,
        "confused": sorted(confused.items(), key=lambda kv: -kv[1]),
    }


def evaluate_nlu(folds: int) -> int:
    """Cross-validate the NLU pipeline (`rasa test nlu --cross-validation`) and summarise it.

    Every example is predicted by a model trained on the other folds, through the whole pipeline
    (SentenceIntents, fallback, RiskTriage). Prints weighted and macro F1 with the risk intents as one label
    (see `collapse_risk`), each intent's F1, and the most confused pairs; Rasa's own reports (risk
    types and levels as separate labels) go to results/nlu-cv/.
    """
    out = ROOT / "results" / "nlu-cv"
    out.mkdir(parents=True, exist_ok=True)
    command = [
        str(RASA_PY),
        "-m",
        "rasa",
        "test",
        "nlu",
        "--cross-validation",
        "--folds",
        str(folds),
        "--config",
        "config.yml",
        "--nlu",
        "nlu/data",
        "--successes",
        "--out",
        str(out),
    ]
    code = subprocess.call(command, cwd=ROOT, env=rasa_env(), stdout=subprocess.DEVNULL)
    if code != 0:
        print("rasa test nlu failed; see its output above.")
        return code
    pairs = [
        (row["intent"], (row.get("intent_prediction") or {}).get("name") or "")
        for name in ("intent_successes.json", "intent_errors.json")
        if (out / name).is_file()
        for row in json.loads((out / name).read_text(encoding="utf-8"))
    ]
    raw = score_intents(pairs)
    result = score_intents([(collapse_risk(t), collapse_risk(p)) for t, p in pairs])
    (out / "summary.json").write_text(json.dumps({"raw": raw, "risk_as_one": result}, indent=1, default=list))
    print(f"{folds}-fold cross-validation of intents ({len(result['per_intent'])} intents, {len(pairs)} examples)\n")
    print(
        f"  weighted F1 {result['weighted_f1']:.3f}   macro F1 {result['macro_f1']:.3f}   "
        f"accuracy {result['accuracy']:.3f}   (risk types and levels as one label)"
    )
    print(f"  weighted F1 {raw['weighted_f1']:.3f} counting each risk type and level apart (Rasa's report)\n")
    for name, row in sorted(result["per_intent"].items(), key=lambda kv: kv[1]["f1"]):
        print(f"  {name:<24} F1 {row['f1']:.3f}  (n={row['support']})")
    print("\nMost confused (true -> predicted: count):")
    for (truth, predicted), count in result["confused"][:12]:
        print(f"  {truth} -> {predicted}: {count}")
    return 0
