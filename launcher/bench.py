"""`./kindred bench turns`: turn latency of Kindred against a bare `rasa init` assistant.

Both are served the same way (same launcher, gateway, action server and SQLite), and driven through
the gateway's HTTP API by C concurrent senders holding N conversations of T turns each. This is a
benchmark, not a test: timings on a shared machine are noisy, so compare the ratio, not absolutes.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import statistics
import subprocess
import tempfile
import threading
import time
from pathlib import Path

import aiohttp

from launcher.paths import RASA_PY, ROOT
from launcher.stack import Stack, isolated_env
from launcher.training import ensure_trained, rasa_env

# One conversation: listening, then a suggestion from the directory through the form (the postcode
# comes with the request, the form asks the day and the cost/access question), then goodbye.
TURNS = [
    "hello",
    "I've been feeling a bit lonely lately",
    "is there a lunch club near BS5 6XY?",
    "any day",
    "No, either is fine",
    "thank you",
    "bye for now",
]
BARE = ROOT / "var" / "bench" / "bare"


def bare_model() -> Path:
    """Train (once) the assistant that `rasa init` creates."""
    models = BARE / "models"
    found = sorted(models.glob("*.tar.gz")) if models.is_dir() else []
    if found:
        return found[-1]
    shutil.rmtree(BARE, ignore_errors=True)
    BARE.mkdir(parents=True)
    print("bench: creating and training the bare `rasa init` assistant (once)", flush=True)
    subprocess.run(
        [str(RASA_PY), "-m", "rasa", "init", "--no-prompt", "--init-dir", str(BARE)],
        cwd=BARE,
        env=rasa_env(),
        check=True,
        stdout=subprocess.DEVNULL,
    )
    found = sorted(models.glob("*.tar.gz"))
    if not found:
        raise SystemExit("bench: rasa init did not produce a model")
    return found[-1]


def _rss_mb(pid: int) -> float:
    """Resident memory of a process and its descendants, in MB."""
    total = 0
    pids = [pid]
    try:
        children = subprocess.run(["pgrep", "-g", str(os.getpgid(pid))], capture_output=True, text=True).stdout
        pids = [int(p) for p in children.split()] or [pid]
    except (OSError, ValueError):
        pass
    for p in pids:
        try:
            for line in Path(f"/proc/{p}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except OSError:
            continue
    return total / 1024


class MemoryWatch:
    """Samples each child's memory twice a second and keeps the peak."""

    def __init__(self, stack: Stack) -> None:
        self.stack = stack
        self.peak: dict[str, float] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            for child in self.stack.children:
                if child.process and child.running():
                    self.peak[child.name] = max(self.peak.get(child.name, 0.0), _rss_mb(child.process.pid))
            self._stop.wait(0.5)

    def __enter__(self) -> MemoryWatch:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join()


async def _drive(base: str, conversations: int, concurrency: int, turns: int) -> tuple[list[float], int, float]:
    latencies: list[float] = []
    errors = 0
    queue: asyncio.Queue[int] = asyncio.Queue()
    for i in range(conversations):
        queue.put_nowait(i)

    async def sender(http: aiohttp.ClientSession) -> None:
        nonlocal errors
        while not queue.empty():
            queue.get_nowait()
            async with http.post(f"{base}/api/chat/session", json={}) as r:
                token = (await r.json())["token"]
            for turn in range(turns):
                began = time.perf_counter()
                try:
                    async with http.post(
                        f"{base}/api/chat/messages",
                        params={"wait": "true"},
                        json={"text": TURNS[turn % len(TURNS)]},
                        headers={"Authorization": f"Bearer {token}"},
                    ) as r:
                        body = await r.json()
                        if r.status != 200 or not body.get("replies"):
                            errors += 1
                            continue
                except (aiohttp.ClientError, asyncio.TimeoutError):
                    errors += 1
                    continue
                latencies.append((time.perf_counter() - began) * 1000)

    began = time.perf_counter()
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=60)) as http:
        await asyncio.gather(*(sender(http) for _ in range(concurrency)))
    return latencies, errors, time.perf_counter() - began


def _percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    return statistics.quantiles(values, n=100, method="inclusive")[int(q) - 1]


class Running:
    """One assistant's stack, started once and driven in several rounds."""

    def __init__(self, name: str, model: Path) -> None:
        self.name = name
        self.var = Path(tempfile.mkdtemp(prefix=f"kindred-bench-{name}-"))
        self.stack = Stack(model, isolated_env(self.var), echo=False)
        self.ready = self.stack.start()
        self.memory = MemoryWatch(self.stack).__enter__()
        asyncio.run(_drive(self.stack.settings.gateway_url, 2, 1, 2))  # warm up
        self.latencies: list[float] = []
        self.round_p95: list[float] = []
        self.errors = 0
        self.seconds = 0.0

    def drive(self, conversations: int, concurrency: int, turns: int) -> None:
        """One round."""
        latencies, errors, seconds = asyncio.run(
            _drive(self.stack.settings.gateway_url, conversations, concurrency, turns)
        )
        self.latencies += latencies
        self.round_p95.append(_percentile(latencies, 95))
        self.errors += errors
        self.seconds += seconds

    def stop(self) -> None:
        """Stop the stack and remove its data."""
        self.memory.__exit__()
        self.stack.stop()
        shutil.rmtree(self.var, ignore_errors=True)


def bench_turns(conversations: int, concurrency: int, turns: int, rounds: int = 5) -> int:
    """Kindred and the bare assistant, both running, driven in alternating rounds; p95s and ratios.

    Both stacks stay up for the whole run and take turns being driven (Kindred first in odd rounds,
    bare first in even ones), so a slow spell on the machine hits both alike. Prints pooled
    percentiles, each round's p95 ratio, and the pooled p95 ratio.
    """
    kindred = Running("kindred", ensure_trained(quiet=True))
    bare = Running("bare", bare_model())
    per_round = max(1, conversations // rounds)
    try:
        for i in range(rounds):
            for system in (kindred, bare) if i % 2 == 0 else (bare, kindred):
                system.drive(per_round, concurrency, turns)
    finally:
        kindred.stop()
        bare.stop()
    print(
        f"\n{per_round * rounds} conversations x {turns} turns each, in {rounds} alternating rounds, "
        f"{concurrency} concurrent senders, {os.cpu_count()} cores\n"
    )
    print(f"{'':<9}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}{'turns/s':>9}{'errors':>8}{'ready s':>9}  peak RSS MB")
    for row in (kindred, bare):
        memory = ", ".join(f"{k} {v:.0f}" for k, v in sorted(row.memory.peak.items()))
        throughput = len(row.latencies) / row.seconds if row.seconds else 0.0
        print(
            f"{row.name:<9}{_percentile(row.latencies, 50):9.0f}{_percentile(row.latencies, 95):9.0f}"
            f"{_percentile(row.latencies, 99):9.0f}{throughput:9.1f}{row.errors:8d}{row.ready:9.1f}  {memory}"
        )
    ratios = [k / b for k, b in zip(kindred.round_p95, bare.round_p95, strict=True)]
    print(f"\np95 ratio per round: {', '.join(f'{r:.2f}' for r in ratios)} (median {statistics.median(ratios):.2f})")
    pooled = _percentile(kindred.latencies, 95) / _percentile(bare.latencies, 95)
    print(f"p95 ratio (Kindred / bare), all rounds pooled: {pooled:.2f}")
    return 0
