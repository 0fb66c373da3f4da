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
