"""`./kindred bench triage`: how long the gateway's triage of one message takes (a benchmark, not a test).

Every message of a labelled file (default: the development set, six registers, 2 to 90 words) is
triaged `--rounds` times after a warm-up, through `safety.triage.triage` exactly as the gateway calls
it: language, normalisation, rules, and the sentence encoder on the whole message and its sentence
pairs. Prints p50, p95 and p99 over all of them, and the same for short messages (15 words or fewer).
Timings on a shared machine are noisy: compare percentiles from the same run, never one time.
"""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np
import yaml


def bench_triage(path: str, rounds: int) -> int:
    """Print triage latency percentiles over a labelled file."""
    from safety.triage import triage, warm_up

    texts = [c["text"] for c in yaml.safe_load(Path(path).read_text(encoding="utf-8"))["messages"]]
    warm_up()
    timings: list[tuple[int, float]] = []
    for _ in range(rounds):
        for text in texts:
            start = time.perf_counter()
            triage(text)
            timings.append((len(text.split()), (time.perf_counter() - start) * 1000))
    every = np.array([ms for _, ms in timings])
    short = np.array([ms for words, ms in timings if words <= 15])
    print(f"Triage of one message, {len(texts)} messages x {rounds} rounds ({path})")
    for name, values in (("all", every), ("15 words or fewer", short)):
        p50, p95, p99 = np.percentile(values, [50, 95, 99])
        print(f"  {name:<18} n={len(values):>5}  p50 {p50:6.1f} ms  p95 {p95:6.1f} ms  p99 {p99:6.1f} ms")
    return 0
