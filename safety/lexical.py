"""Lexical triage: a second, independent reading of a message, from the words themselves.

The semantic layer (`safety.semantic`) reads meaning from sentence embeddings; on its own it may
only ask, never raise `urgent` or `abuse` (issue 13, point 2). This model is the confident second
signal it needs: a logistic regression over TF-IDF word and character n-grams of the same labelled
examples. It sees what the embeddings blur (misspellings, text speak, "kms", the exact words of
means and places) and is wrong in different ways, so when both lean the same way
(`safety.triage.decide_meaning`) the reading is much more likely to be right than either alone.
Chosen by leave-one-file-out cross-validation over `safety/corpus/` (`./kindred eval triage --cv`).

scikit-learn (maintained, already used by the intent classifier) does the fitting; the fitted
model is cached in `var/cache/` by a hash of the examples and of the scikit-learn version (the two
virtual environments have different versions, and a pickle from one cannot be read by the other).
"""

from __future__ import annotations

import hashlib
import os
from functools import lru_cache
from pathlib import Path

import joblib
import sklearn
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline, make_pipeline, make_union

from safety.semantic import CACHE, meaning_text, training_examples

# Bumped when the features or the model change, so cached models are refitted.
MODEL_VERSION = "tfidf-char2-5-word1-2-lr10-v1"
# Inverse regularisation strength: chosen by cross-validation (weaker regularisation lets rare
# but telling words such as "kms" or "tablets saved" count).
C = 10.0


def build_model() -> Pipeline:
    """Character n-grams within words (robust to typos and text speak) and word pairs."""
    features = make_union(
        TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), min_df=2, sublinear_tf=True),
        TfidfVectorizer(analyzer="word", ngram_range=(1, 2), sublinear_tf=True),
    )
    return make_pipeline(features, LogisticRegression(C=C, max_iter=2000))


class LexicalTriage:
    """Probability of each label for a message, from its words."""

    def __init__(self, examples: list[tuple[str, str]], cache: Path | None = CACHE) -> None:
        lines = "\n".join(f"{t}\t{label}" for t, label in examples)
        key = hashlib.sha256(f"{lines}{MODEL_VERSION}{sklearn.__version__}".encode()).hexdigest()[:16]
        self._cache = cache / f"lexical-{key}.joblib" if cache else None
        self.model = self._load_or_fit(examples)
        self.labels: list[str] = [str(c) for c in self.model.classes_]

    def _load_or_fit(self, examples: list[tuple[str, str]]) -> Pipeline:
        if self._cache and self._cache.is_file():
            return joblib.load(self._cache)
        model = build_model()
        model.fit([meaning_text(t) for t, _ in examples], [label for _, label in examples])
        if self._cache:
            self._cache.parent.mkdir(parents=True, exist_ok=True)
            # Rasa and the gateway may fit at the same moment: never share a temporary file.
            tmp = self._cache.with_name(f"{self._cache.stem}.{os.getpid()}.tmp")
            joblib.dump(model, tmp)
            tmp.replace(self._cache)
        return model

    def probabilities(self, text: str) -> dict[str, float]:
        """Probability of each label (the risk types, "lonely", "none") for one message."""
        row = self.model.predict_proba([meaning_text(text)])[0]
        return {label: float(p) for label, p in zip(self.labels, row, strict=True)}


@lru_cache(maxsize=1)
def shared() -> LexicalTriage:
    """One lexical model per process, from the same examples as the semantic layer."""
    return LexicalTriage(list(training_examples()))
