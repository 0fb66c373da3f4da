"""Semantic triage: what a message means, from MiniLM sentence embeddings of labelled examples.

Rules catch what they were written for; real people's text is long, indirect and untidy
("I just want to go to sleep and not have to wake up to any of this"). This layer learns, from the
labelled examples in the NLU training data (every `risk_<type>` intent, the loneliness intent, and
everything else as "no risk"), a softmax regression over their sentence embeddings, and gives each
label a probability. Its settings (`SemanticConfig`) were chosen by 5-fold cross-validation on the
training examples, never on the held-out files. The embeddings and weights are cached in
`var/cache/` by a hash of the examples, so a process starts in about a second.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
import yaml

from safety.encoder import MiniLM
from safety.encoder import shared as shared_encoder
from safety.vocabulary import RISK_INTENT_PREFIX, RISK_TYPES

ROOT = Path(__file__).resolve().parent.parent
NLU_DATA = ROOT / "nlu" / "data"
CACHE = ROOT / "var" / "cache"
LONELY_INTENT = "feeling_lonely"


@dataclass(frozen=True)
class SemanticConfig:
    """The classifier's settings, chosen by 5-fold cross-validation on the training examples."""

    # A label counts when its probability reaches this.
    threshold: float = 0.4
    l2: float = 1e-5
    epochs: int = 1500
    learning_rate: float = 4.0


@dataclass
class SemanticResult:
    """Probability per label, and what that means under the config."""

    probability: dict[str, float]
    risk_types: list[str]
    loneliness: bool
    # the sentence embedding, when `analyse` computed it
    vector: np.ndarray | None = None


def label_for(intent: str) -> str:
    """The semantic label of a training intent."""
    if intent.startswith(RISK_INTENT_PREFIX) and intent[len(RISK_INTENT_PREFIX) :] in RISK_TYPES:
        return intent[len(RISK_INTENT_PREFIX) :]
    return "lonely" if intent == LONELY_INTENT else "none"


def examples_from_nlu(directory: Path = NLU_DATA) -> list[tuple[str, str]]:
    """(text, label) pairs from the NLU training files."""
    pairs: list[tuple[str, str]] = []
    for path in sorted(directory.glob("*.yml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for block in data.get("nlu") or []:
            if "intent" not in block:
                continue
            label = label_for(block["intent"])
            for line in str(block.get("examples", "")).splitlines():
                text = line.strip().removeprefix("- ").strip()
                if text:
                    pairs.append((text, label))
    return pairs


class SemanticTriage:
    """A softmax regression over sentence embeddings of the labelled examples."""

    def __init__(
        self,
        examples: list[tuple[str, str]],
        encoder: MiniLM | None = None,
        config: SemanticConfig | None = None,
        cache: Path | None = CACHE,
    ) -> None:
        self.encoder = encoder or shared_encoder()
        self.config = config or SemanticConfig()
        self.texts = [t for t, _ in examples]
        self.label_names = sorted({label for _, label in examples})
        self.labels = np.array([self.label_names.index(label) for _, label in examples], dtype=np.int64)
        key = hashlib.sha256(("\n".join(f"{t}\t{label}" for t, label in examples) + repr(self.config)).encode())
        self._cache = cache / f"semantic-{key.hexdigest()[:16]}.npz" if cache else None
        self.matrix, self.weights, self.bias = self._load_or_fit()

    def _load_or_fit(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        if self._cache and self._cache.is_file():
            stored = np.load(self._cache)
            if stored["matrix"].shape[0] == len(self.texts):
                return stored["matrix"], stored["weights"], stored["bias"]
        matrix = np.stack([self.encoder.encode(t) for t in self.texts]).astype(np.float32)
        weights, bias = fit_softmax(matrix, self.labels, len(self.label_names), self.config)
        if self._cache:
            self._cache.parent.mkdir(parents=True, exist_ok=True)
            # Rasa and the gateway may build the cache at the same moment: never share a temp file.
            tmp = self._cache.with_name(f"{self._cache.stem}.{os.getpid()}.tmp.npz")
            np.savez(tmp, matrix=matrix, weights=weights, bias=bias)
            tmp.replace(self._cache)
        return matrix, weights, bias

    def probabilities(self, vector: np.ndarray) -> dict[str, float]:
        """Probability of each label for an embedding."""
        z = vector.astype(np.float64) @ self.weights + self.bias
        z = np.exp(z - z.max())
        p = z / z.sum()
        return {name: float(p[i]) for i, name in enumerate(self.label_names)}

    def decide(self, probability: dict[str, float]) -> SemanticResult:
        """Apply the threshold."""
        t = self.config.threshold
        types = [r for r in RISK_TYPES if probability.get(r, 0.0) >= t]
        return SemanticResult(probability, types, probability.get("lonely", 0.0) >= t)

    def analyse(self, text: str) -> SemanticResult:
        """Triage one message by meaning."""
        vector = self.encoder.encode(text[:2000])
        result = self.decide(self.probabilities(vector))
        result.vector = vector
        return result


def fit_softmax(x: np.ndarray, y: np.ndarray, classes: int, config: SemanticConfig) -> tuple[np.ndarray, np.ndarray]:
    """Multinomial logistic regression by full-batch gradient descent (a few hundred examples)."""
    x64 = x.astype(np.float64)
    weights = np.zeros((x.shape[1], classes))
    bias = np.zeros(classes)
    onehot = np.eye(classes)[y]
    for _ in range(config.epochs):
        z = x64 @ weights + bias
        z -= z.max(1, keepdims=True)
        p = np.exp(z)
        p /= p.sum(1, keepdims=True)
        gradient = (p - onehot) / len(y)
        weights -= config.learning_rate * (x64.T @ gradient + config.l2 * weights)
        bias -= config.learning_rate * gradient.sum(0)
    return weights, bias


@lru_cache(maxsize=1)
def shared() -> SemanticTriage:
    """One semantic layer per process, built from the NLU training data."""
    return SemanticTriage(examples_from_nlu())
