"""`./kindred eval triage`: triage quality on the held-out file, through the trained model."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import yaml

from launcher.paths import RASA_PY, ROOT
from launcher.training import ensure_trained, rasa_env
from safety.vocabulary import RISK_TYPES

GOALS = {"urgent recall": 0.98, "any-risk recall": 0.95, "false alarms": 0.03, "loneliness F1": 0.85}


def run_triage(texts: list[str]) -> list[dict]:
    """Triage texts with the same command residents' data would go through."""
    model = ensure_trained(quiet=True)
    result = subprocess.run(
        [str(RASA_PY), "-m", "nlu.triage_cli", str(model)],
        input="\n".join(t.replace("\n", " ") for t in texts) + "\n",
        capture_output=True,
        text=True,
        encoding="utf-8",
        cwd=ROOT,
        env=rasa_env(),
        check=True,
    )
    return [json.loads(line) for line in result.stdout.splitlines() if line.strip()]


def _ratio(a: int, b: int) -> float:
    return a / b if b else 1.0


def score(cases: list[dict], results: list[dict]) -> dict:
    """Recall, precision, false alarms and loneliness F1, with the misses."""
    report: dict = {"types": {}, "misses": []}
    urgent = [(c, r) for c, r in zip(cases, results, strict=True) if c["risk"] == "urgent"]
    risky = [(c, r) for c, r in zip(cases, results, strict=True) if c["risk"] != "none"]
    benign = [(c, r) for c, r in zip(cases, results, strict=True) if c["risk"] == "none"]
    report["urgent recall"] = _ratio(sum(r["risk"] == "urgent" for _, r in urgent), len(urgent))
    report["any-risk recall"] = _ratio(sum(r["risk"] != "none" for _, r in risky), len(risky))
    report["false alarms"] = 1 - _ratio(sum(r["risk"] == "none" for _, r in benign), len(benign))
    report["counts"] = {"urgent": len(urgent), "concern": len(risky) - len(urgent), "benign": len(benign)}
    for risk_type in RISK_TYPES:
        expected = [risk_type in c.get("types", []) for c in cases]
        got = [risk_type in r["risk_types"] for r in results]
        tp = sum(e and g for e, g in zip(expected, got, strict=True))
        report["types"][risk_type] = {
            "recall": _ratio(tp, sum(expected)),
            "precision": _ratio(tp, sum(got)),
            "n": sum(expected),
        }
    lonely_expected = [bool(c.get("lonely")) for c in cases]
    lonely_got = [r["loneliness"] for r in results]
    tp = sum(e and g for e, g in zip(lonely_expected, lonely_got, strict=True))
    precision, recall = _ratio(tp, sum(lonely_got)), _ratio(tp, sum(lonely_expected))
    report["loneliness F1"] = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    report["loneliness precision"], report["loneliness recall"] = precision, recall
    for case, result in zip(cases, results, strict=True):
        wrong_level = case["risk"] != result["risk"]
        wrong_types = set(case.get("types", [])) != set(result["risk_types"])
        wrong_lonely = bool(case.get("lonely")) != result["loneliness"]
        if wrong_level or wrong_types or wrong_lonely:
            report["misses"].append({"text": case["text"], "expected": case, "got": result})
    return report


def evaluate_triage(path: str) -> int:
    """Print the evaluation of a held-out file."""
    cases = yaml.safe_load(Path(path).read_text(encoding="utf-8"))["messages"]
    results = run_triage([c["text"] for c in cases])
    report = score(cases, results)
    counts = report["counts"]
    print(f"Held-out file: {path}")
    print(f"{len(cases)} messages: {counts['urgent']} urgent, {counts['concern']} concern, {counts['benign']} benign\n")
    for name, goal in GOALS.items():
        value = report[name]
        met = value <= goal if name == "false alarms" else value >= goal
        sign = "<=" if name == "false alarms" else ">="
        print(f"  {name:<16} {value:6.3f}   goal {sign} {goal}  {'met' if met else 'NOT MET'}")
    lonely = f"precision {report['loneliness precision']:.3f}, recall {report['loneliness recall']:.3f}"
    print(f"  (loneliness {lonely})\n")
    print(f"  {'risk type':<18} {'n':>3} {'recall':>7} {'precision':>9}")
    for risk_type, row in report["types"].items():
        print(f"  {risk_type:<18} {row['n']:>3} {row['recall']:7.3f} {row['precision']:9.3f}")
    print(f"\nMisses ({len(report['misses'])}):")
    for miss in report["misses"]:
        e, g = miss["expected"], miss["got"]
        print(
            f"  - {miss['text']!r}\n      expected {e['risk']} {e.get('types', [])} lonely={bool(e.get('lonely'))}"
            f"; got {g['risk']} {g['risk_types']} lonely={g['loneliness']} (intent {g['intent']} {g['confidence']})"
        )
    return 0


def evaluate_nlu(folds: int) -> int:
    """Cross-validate the intent classifier (`rasa test nlu --cross-validation`) and summarise it.

    Prints weighted and macro F1 over the intents residents type (risk intents included), each
    intent's F1, and the most confused pairs. Writes Rasa's full reports to results/nlu-cv/.
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
        "--out",
        str(out),
    ]
    code = subprocess.call(command, cwd=ROOT, env=rasa_env(), stdout=subprocess.DEVNULL)
    if code != 0:
        print("rasa test nlu failed; see its output above.")
        return code
    report = json.loads((out / "intent_report.json").read_text(encoding="utf-8"))
    intents = {
        k: v
        for k, v in report.items()
        if isinstance(v, dict) and "f1-score" in v and "avg" not in k and k != "accuracy"
    }
    print(
        f"{folds}-fold cross-validation of intents ({len(intents)} intents, {report['weighted avg']['support']} "
        "examples)\n"
    )
    print(
        f"  weighted F1 {report['weighted avg']['f1-score']:.3f}   macro F1 {report['macro avg']['f1-score']:.3f}   "
        f"accuracy {report.get('accuracy', 0):.3f}\n"
    )
    for name, row in sorted(intents.items(), key=lambda kv: kv[1]["f1-score"]):
        print(f"  {name:<24} F1 {row['f1-score']:.3f}  (n={row['support']})")
    pairs = sorted(
        (
            (count, name, other)
            for name, row in intents.items()
            for other, count in row.get("confused_with", {}).items()
        ),
        reverse=True,
    )
    print("\nMost confused (true -> predicted: count):")
    for count, name, other in pairs[:10]:
        print(f"  {name} -> {other}: {count}")
    return 0
