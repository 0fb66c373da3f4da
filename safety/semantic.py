"""Semantic triage: what a message means, from MiniLM sentence embeddings of labelled examples.

Rules catch what they were written for; real people's text is long, indirect and untidy
("I just want to go to sleep and not have to wake up to any of this"). This layer learns, from the
labelled examples in the NLU training data (every `risk_<type>` intent, the loneliness intent, and
everything else as "no risk"), the Suicide Risk Lexicon's reviewed phrases, and the labelled posts in
`safety/corpus/` (real registers: forum posts, text speak, older people's letters, carers' weeks, with
as many hard negatives), a softmax regression over their sentence embeddings, and gives each label a
probability. Its settings (`SemanticConfig`) were chosen by cross-validation on the training examples
(`./kindred eval triage --cv` leaves one corpus file out at a time), never on the held-out files.
The embeddings and weights are cached in `var/cache/` by a hash of the examples (built by
`./kindred train`), so a process starts in about a second.
"""

from __future__ import annotations

import hashlib
import os
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
import yaml

from safety import lexicon
from safety.encoder import Encoder
from safety.encoder import shared as shared_encoder
from safety.normalise import normalise, strip_wrappers
from safety.vocabulary import RISK_INTENT_PREFIX, RISK_TYPES

ROOT = Path(__file__).resolve().parent.parent
NLU_DATA = ROOT / "nlu" / "data"
# Labelled posts in the registers real people write in (safety/corpus/README.md).
CORPUS = ROOT / "safety" / "corpus"
CACHE = ROOT / "var" / "cache"
LONELY_INTENT = "feeling_lonely"
# Bumped when what is embedded or how changes (the normalised text, on ONNX Runtime), so cached
# embeddings are rebuilt.
EMBEDDING_VERSION = "normalised-v2-onnx-int8"
# A long post is also read sentence by sentence (at most this many sentences, each of at least
# MIN_WORDS words): a disclosure after three sentences about work must not be averaged away.
MAX_SENTENCES = 8
MIN_WORDS = 3
# A long stretch with no full stops (text speak) is read in overlapping windows of this many words.
WINDOW = 12
LONG_PART = 16
_SENTENCE_END = re.compile(r"(?<=[.!?;])\s+|\n+")


def meaning_text(text: str) -> str:
    """What the models read: the normalised message without greetings and apologies around it."""
    return strip_wrappers(normalise(text)[:2000])


def embed(text: str, encoder: Encoder | None = None) -> np.ndarray:
    """The sentence embedding of a message as every model reads it (`meaning_text`)."""
    return (encoder or shared_encoder()).encode(meaning_text(text))


def _windows(part: str) -> list[str]:
    words = part.split()
    if len(words) <= LONG_PART:
        return [part]
    step = WINDOW // 2
    return [" ".join(words[i : i + WINDOW]) for i in range(0, len(words) - step, step)]


def sentences(text: str) -> list[str]:
    """The parts of a message (`meaning_text`) worth reading on their own: each pair of adjacent
    sentences (one sentence alone reads too much into a phrase like "taking it up myself"), and
    windows over a long stretch without full stops. None when the whole message is short enough."""
    parts = [w for p in _SENTENCE_END.split(text) if len(p.split()) >= MIN_WORDS for w in _windows(p.strip())]
    if len(parts) < 3:
        return [p for p in parts if len(p.split()) > LONG_PART // 2] if len(parts) > 1 else []
    pairs = [f"{a} {b}" for a, b in zip(parts, parts[1:], strict=False)]
    return pairs[:MAX_SENTENCES]


@dataclass(frozen=True)
class SemanticConfig:
    """The classifier's settings, chosen by 5-fold cross-validation on the training examples. What a
    risk type's probability means (when it is urgent, a concern, or a reason to ask) is decided in
    one place, `safety.triage.decide_meaning`."""

    # Loneliness counts from a lower probability: noticing it only shapes the conversation, and
    # people describe it in so many ways (tuned on tests/data/triage_real_dev.yml).
    lonely_threshold: float = 0.3
    l2: float = 1e-5
    epochs: int = 1500
    learning_rate: float = 4.0


@dataclass
class SemanticResult:
    """Probability per label, and whether it reads as loneliness."""

    probability: dict[str, float]
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
        encoder: Encoder | None = None,
        config: SemanticConfig | None = None,
        cache: Path | None = CACHE,
    ) -> None:
        self.encoder = encoder or shared_encoder()
        self.config = config or SemanticConfig()
        self.texts = [t for t, _ in examples]
        self.label_names = sorted({label for _, label in examples})
        self.labels = np.array([self.label_names.index(label) for _, label in examples], dtype=np.int64)
        lines = "\n".join(f"{t}\t{label}" for t, label in examples)
        key = hashlib.sha256((lines + repr(self.config) + EMBEDDING_VERSION).encode())
        self._cache = cache / f"semantic-{key.hexdigest()[:16]}.npz" if cache else None
        self.matrix, self.weights, self.bias = self._load_or_fit()

    def _load_or_fit(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        if self._cache and self._cache.is_file():
            stored = np.load(self._cache)
            if stored["matrix"].shape[0] == len(self.texts):
                return stored["matrix"], stored["weights"], stored["bias"]
        matrix = np.stack([embed(t, self.encoder) for t in self.texts]).astype(np.float32)
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
        """The result for label probabilities (risk types are `safety.triage`'s to decide)."""
        return SemanticResult(probability, probability.get("lonely", 0.0) >= self.config.lonely_threshold)

    def analyse(self, text: str, vector: np.ndarray | None = None) -> SemanticResult:
        """Triage one message by meaning: the whole message, and each sentence of a longer one.

        A label's probability is its highest over the whole and the sentences ("none" its lowest),
        so one sentence of risk is not diluted by the rest of a post. The vector returned is the
        whole message's, which the intent classifier reads (pass it when it is already computed).
        """
        vector = embed(text, self.encoder) if vector is None else vector
        probability = self.probabilities(vector)
        parts = sentences(meaning_text(text))
        for part_vector in self.encoder.encode_many(parts) if parts else []:
            part = self.probabilities(part_vector)
            for label, value in part.items():
                pick = min if label == "none" else max
                probability[label] = pick(probability[label], value)
        result = self.decide(probability)
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


def labels_of(case: dict) -> list[str]:
    """The semantic labels of one labelled post: each of its risk types, and "lonely" when it reads
    as loneliness; "none" for an everyday message. A post with two labels is learnt once for each,
    so the classifier shares its probability between them."""
    labels = [t for t in case.get("types") or [] if t in RISK_TYPES]
    if case.get("lonely"):
        labels.append("lonely")
    return labels or ["none"]


def examples_from_corpus(files: list[Path] | None = None) -> list[tuple[str, str]]:
    """(text, label) pairs from the labelled posts, English only: the sentence encoder is English,
    and other languages are `safety.language`'s to read."""
    pairs: list[tuple[str, str]] = []
    for path in sorted(CORPUS.glob("*.yml")) if files is None else files:
        for case in yaml.safe_load(path.read_text(encoding="utf-8"))["messages"]:
            if case.get("register") == "other_language" or case.get("lang", "en") != "en":
                continue
            pairs.extend((case["text"], label) for label in labels_of(case))
    return pairs


def examples_from_lexicon() -> list[tuple[str, str]]:
    """The Suicide Risk Lexicon's reviewed phrases of risk, labelled with their risk type."""
    return [(phrase, risk_type) for phrase, risk_type, _construct in lexicon.cue_phrases()]


@lru_cache(maxsize=1)
def training_examples() -> tuple[tuple[str, str], ...]:
    """Every labelled example both triage models learn from: the NLU training data, the lexicon and
    the corpus (read once per process)."""
    return tuple(examples_from_nlu() + examples_from_lexicon() + examples_from_corpus())


@lru_cache(maxsize=1)
def shared() -> SemanticTriage:
    """One semantic layer per process, built from the NLU training data, the lexicon and the corpus."""
    return SemanticTriage(list(training_examples()))
