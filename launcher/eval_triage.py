"""`./kindred eval triage`: triage quality on a labelled file, by register and by risk type.

Prints the issue's goals (suicidal or self-harm messages triaged urgent, abuse found, loneliness
found, carers' strain found, false alarms on everyday messages), the same per register (short chat,
multi-sentence post, text speak, older people's writing, carers, other languages), recall and
precision per risk type, a perturbation report (how often a positive flips to a lower level when
typed in capitals, without apostrophes, with a typo, ...: `launcher.perturb`), and every miss.

Two paths: the trained model exactly as `./kindred triage` runs it (default), or `--gateway`, the
gateway's own safety net (rules and meaning, no intent classifier), which needs no training.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import yaml

from launcher.paths import RASA_PY, ROOT
from launcher.perturb import TRANSFORMATIONS
from safety.vocabulary import RISK_TYPES, level_rank

# (name, goal, higher is better, which cases, what counts as found)
Case = dict
Check = Callable[[Case, dict], bool]
GOALS: list[tuple[str, float, bool, Callable[[Case], bool], Check]] = [
    (
        "suicide/self-harm -> urgent",
        0.90,
        True,
        lambda c: bool({"suicide", "self_harm"} & set(c.get("types", []))),
        lambda c, r: r["risk"] == "urgent",
    ),
    ("abuse found", 0.85, True, lambda c: "abuse" in c.get("types", []), lambda c, r: "abuse" in r["risk_types"]),
    ("loneliness found", 0.80, True, lambda c: bool(c.get("lonely")), lambda c, r: r["loneliness"]),
    (
        "carer strain found",
        0.60,
        True,
        lambda c: "carer_strain" in c.get("types", []),
        lambda c, r: "carer_strain" in r["risk_types"] or r["need"] == "respite",
    ),
    (
        "medical emergency -> urgent",
        0.90,
        True,
        lambda c: "medical_emergency" in c.get("types", []),
        lambda c, r: r["risk"] == "urgent",
    ),
    ("false alarms (benign -> risk)", 0.05, False, lambda c: c["risk"] == "none", lambda c, r: r["risk"] != "none"),
]


def run_triage(texts: list[str], gateway: bool = False) -> list[dict]:
    """Triage texts through the trained model (as `./kindred triage`) or the gateway's safety net."""
    if gateway:
        return [_gateway_record(t) for t in texts]
    from launcher.training import ensure_trained, rasa_env

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


def _gateway_record(text: str, semantic=None, lexical=None) -> dict:  # noqa: ANN001 - the two models
    from safety.triage import triage

    found = triage(text, semantic, lexical=lexical)
    return {
        "text": text,
        "risk": found.risk,
        "risk_types": found.risk_types,
        "loneliness": found.loneliness,
        "need": found.need,
        "intent": "-",
        "confidence": 0.0,
    }


def _ratio(a: int, b: int) -> float:
    return a / b if b else float("nan")


def goals(cases: list[Case], results: list[dict]) -> dict[str, tuple[float, int]]:
    """Each goal's value and the number of cases it was measured on."""
    out: dict[str, tuple[float, int]] = {}
    for name, _goal, _higher, which, found in GOALS:
        pairs = [(c, r) for c, r in zip(cases, results, strict=True) if which(c)]
        out[name] = (_ratio(sum(found(c, r) for c, r in pairs), len(pairs)), len(pairs))
    return out


def by_type(cases: list[Case], results: list[dict]) -> dict[str, dict]:
    """Recall and precision of each risk type."""
    table = {}
    for risk_type in RISK_TYPES:
        expected = [risk_type in c.get("types", []) for c in cases]
        got = [risk_type in r["risk_types"] for r in results]
        tp = sum(e and g for e, g in zip(expected, got, strict=True))
        table[risk_type] = {"n": sum(expected), "recall": _ratio(tp, sum(expected)), "precision": _ratio(tp, sum(got))}
    return table


def perturbation(cases: list[Case], results: list[dict], gateway: bool) -> dict[str, dict]:
    """For each transformation: positives that drop to a lower level, benign that become risky."""
    positives = [(c, r) for c, r in zip(cases, results, strict=True) if r["risk"] != "none" and c["risk"] != "none"]
    benign = [(c, r) for c, r in zip(cases, results, strict=True) if r["risk"] == "none" and c["risk"] == "none"]
    english = [(c, r) for c, r in positives + benign if c.get("register") != "other_language"]
    texts = [fn(c["text"]) for fn in TRANSFORMATIONS.values() for c, _ in english]
    changed = run_triage(texts, gateway)
    report: dict[str, dict] = {}
    for index, name in enumerate(TRANSFORMATIONS):
        chunk = changed[index * len(english) : (index + 1) * len(english)]
        flips, alarms = [], []
        for (_case, before), after in zip(english, chunk, strict=True):
            if before["risk"] != "none" and level_rank(after["risk"]) < level_rank(before["risk"]):
                flips.append(after["text"])
            if before["risk"] == "none" and after["risk"] != "none":
                alarms.append(after["text"])
        n_pos = sum(1 for c, r in english if r["risk"] != "none")
        report[name] = {"positives": n_pos, "flipped": flips, "benign": len(english) - n_pos, "alarms": alarms}
    return report


def cross_validate() -> int:
    """Leave one corpus file out at a time: train the semantic layer and the words model on the NLU
    examples, the lexicon and the other files, and triage the file left out through the gateway's
    safety net. The honest estimate for choosing thresholds, since every file in the corpus is
    trained on."""
    from safety.lexical import LexicalTriage
    from safety.semantic import CORPUS, SemanticTriage, examples_from_corpus, examples_from_lexicon, examples_from_nlu

    files = sorted(CORPUS.glob("*.yml"))
    base = examples_from_nlu() + examples_from_lexicon()
    all_cases: list[Case] = []
    all_results: list[dict] = []
    for left_out in files:
        examples = base + examples_from_corpus([f for f in files if f != left_out])
        layer, words = SemanticTriage(examples), LexicalTriage(examples)
        cases = yaml.safe_load(left_out.read_text(encoding="utf-8"))["messages"]
        results = [_gateway_record(c["text"], layer, words) for c in cases]
        _print_goals(f"Left out: {left_out.name} ({len(cases)})", goals(cases, results))
        all_cases += cases
        all_results += results
    _print_goals(f"\nAll files, each measured when left out ({len(all_cases)}):", goals(all_cases, all_results))
    _print_misses(all_cases, all_results)
    return 0


def _print_goals(title: str, values: dict[str, tuple[float, int]]) -> None:
    print(title)
    for name, goal, higher, _which, _found in GOALS:
        value, n = values[name]
        if n == 0:
            continue
        met = value >= goal if higher else value <= goal
        sign = ">=" if higher else "<="
        print(f"  {name:<32} {value:6.3f}  (n={n:>3})  goal {sign} {goal}  {'met' if met else 'NOT MET'}")


def evaluate_triage(path: str, gateway: bool = False, perturb: bool = True) -> int:
    """Print the evaluation of one labelled file."""
    cases = yaml.safe_load(Path(path).read_text(encoding="utf-8"))["messages"]
    results = run_triage([c["text"] for c in cases], gateway)
    counts = {level: sum(c["risk"] == level for c in cases) for level in ("urgent", "concern", "none")}
    print(f"File: {path}   path: {'gateway safety net' if gateway else 'trained model (./kindred triage)'}")
    print(f"{len(cases)} messages: {counts['urgent']} urgent, {counts['concern']} concern, {counts['none']} benign\n")
    _print_goals("Goals (issue 13):", goals(cases, results))
    registers = sorted({c.get("register", "-") for c in cases})
    for register in registers:
        chosen = [i for i, c in enumerate(cases) if c.get("register", "-") == register]
        _print_goals(
            f"\nRegister: {register} ({len(chosen)})",
            goals([cases[i] for i in chosen], [results[i] for i in chosen]),
        )
    print(f"\n  {'risk type':<18} {'n':>3} {'recall':>7} {'precision':>9}")
    for risk_type, row in by_type(cases, results).items():
        print(f"  {risk_type:<18} {row['n']:>3} {row['recall']:7.3f} {row['precision']:9.3f}")
    if perturb:
        print("\nPerturbations (positives that drop to a lower level; benign that become risky):")
        for name, row in perturbation(cases, results, gateway).items():
            flipped, alarms = len(row["flipped"]), len(row["alarms"])
            print(f"  {name:<20} flipped {flipped:>3}/{row['positives']:<4} new alarms {alarms:>3}/{row['benign']}")
            for text in row["flipped"][:5]:
                print(f"      flip: {text!r}")
            for text in row["alarms"][:3]:
                print(f"      alarm: {text!r}")
    _print_misses(cases, results)
    return 0


def _print_misses(cases: list[Case], results: list[dict]) -> None:
    misses = [
        (c, r)
        for c, r in zip(cases, results, strict=True)
        if c["risk"] != r["risk"]
        or set(c.get("types", [])) != set(r["risk_types"])
        or bool(c.get("lonely")) != r["loneliness"]
    ]
    print(f"\nMisses ({len(misses)}):")
    for c, r in misses:
        print(
            f"  - [{c.get('register', '-')}] {c['text']!r}\n      expected {c['risk']} {c.get('types', [])} "
            f"lonely={bool(c.get('lonely'))}; got {r['risk']} {r['risk_types']} lonely={r['loneliness']} "
            f"need={r['need']} (intent {r['intent']} {r['confidence']})"
        )
    sys.stdout.flush()
