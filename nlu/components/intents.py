"""SentenceIntents: the intent classifier, from what a message means and how it is written.

Each message becomes three sets of features:
- its MiniLM sentence embedding (the same encoder as the safety net's semantic layer), so "I've no
  one to go out with" lands near "I don't have any friends" with no word in common;
- TF-IDF of its words and word pairs, for the exact phrasing an intent is known by ("remind me");
- TF-IDF of character n-grams within words, for typos and dialect spellings ("helo", "ta ra");
plus a marker for each fact ProfileFacts' rules find in it (a postcode, a place, a day, an
interest, a kind of help), so a bare "BS16" or "Thursdays" reads as an answer to a form.

A multinomial logistic regression (scikit-learn) learns the intents from these. It replaced DIET:
with a few hundred examples, a linear model over a pre-trained encoder generalises much better
than a transformer trained from scratch (cross-validated weighted F1 0.62 with DIET; see
`./kindred eval nlu` for this one). Training takes seconds, not minutes.

The embedding costs ~25 ms a message on these machines. The gateway has already computed it for its
safety net and sends it with the message (with a hash of the text, so it can only be used for that
exact text); without it (the Rasa shell, evaluation) the component encodes the text itself. Either
way the vector is left on the message for RiskTriage, so each message is encoded once.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

import numpy as np
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData
from scipy.sparse import csr_matrix, hstack
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression

from residents.extract import extract
from safety.encoder import vector_from_text
from safety.semantic import embed
from safety.semantic import shared as shared_semantic

# Where the embedding is left on a message for the components after this one (not in the output).
VECTOR = "kindred_vector"


def precomputed(message: Message, text: str) -> dict[str, Any]:
    """What the gateway computed for exactly this text and sent along, or {} if it didn't."""
    kindred = (message.get("metadata") or {}).get("kindred") or {}
    if not isinstance(kindred, dict) or kindred.get("sha256") != hashlib.sha256(text.encode()).hexdigest():
        return {}
    return kindred


def message_vector(message: Message, text: str) -> np.ndarray:
    """The message's embedding: left by an earlier component, sent by the gateway, or computed."""
    vector = message.get(VECTOR)
    if vector is None:
        vector = vector_from_text(precomputed(message, text).get("vector"))
    if vector is None:
        vector = embed(text)
    message.set(VECTOR, vector)
    return vector


def _known_vectors() -> dict[str, np.ndarray]:
    """Embeddings of the NLU examples, already computed (and cached on disk) by the semantic layer."""
    semantic = shared_semantic()
    return dict(zip(semantic.texts, semantic.matrix, strict=True))


def tagged(text: str) -> str:
    """The text with a marker word for each kind of fact the profile rules find in it."""
    facts = extract(text[:2000])
    kinds = (
        ("postcode", facts.postcode),
        ("place", facts.place),
        ("day", facts.day or facts.any_day),
        ("interest", facts.interests),
        ("kind", facts.service_kind),
    )
    return text + "".join(f" zz{kind}zz" for kind, value in kinds if value)


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=True)
class SentenceIntents(GraphComponent):
    """Logistic regression over sentence embeddings and word and character n-grams."""

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        """Settings chosen by 5-fold cross-validation on the training examples."""
        return {
            # inverse regularisation strength of the logistic regression
            "C": 30.0,
            # how much the embedding counts against the n-gram features (both are unit length)
            "embedding_weight": 2.0,
            "word_ngrams": 2,
            "char_ngrams": [2, 5],
            # character n-grams seen in fewer examples than this are ignored
            "char_min_df": 2,
            "class_weight": "balanced",
            "ranking_length": 10,
        }

    def __init__(self, config: dict[str, Any], model_storage: ModelStorage, resource: Resource) -> None:
        self.config = {**self.get_default_config(), **config}
        self._storage = model_storage
        self._resource = resource
        self.words: TfidfVectorizer | None = None
        self.chars: TfidfVectorizer | None = None
        self.classes: list[str] = []
        self.weights = np.zeros((0, 0))
        self.bias = np.zeros(0)

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> SentenceIntents:
        """An untrained classifier."""
        return cls(config, model_storage, resource)

    def _vectorizers(self, words: dict | None = None, chars: dict | None = None) -> None:
        low, high = self.config["char_ngrams"]
        self.words = TfidfVectorizer(
            ngram_range=(1, int(self.config["word_ngrams"])), sublinear_tf=True, vocabulary=words
        )
        self.chars = TfidfVectorizer(
            analyzer="char_wb",
            ngram_range=(int(low), int(high)),
            sublinear_tf=True,
            min_df=1 if chars else int(self.config["char_min_df"]),
            vocabulary=chars,
        )

    def _features(self, texts: list[str], vectors: np.ndarray) -> csr_matrix:
        assert self.words is not None and self.chars is not None
        marked = [tagged(t) for t in texts]
        return hstack(
            [
                csr_matrix(vectors * float(self.config["embedding_weight"])),
                self.words.transform(marked),
                self.chars.transform(marked),
            ]
        ).tocsr()

    def train(self, training_data: TrainingData) -> Resource:
        """Fit the vectorisers and the regression on every intent example."""
        examples = [m for m in training_data.intent_examples if (m.get(TEXT) or "").strip()]
        texts = [m.get(TEXT) for m in examples]
        labels = [m.get(INTENT) for m in examples]
        if len(set(labels)) < 2:
            raise ValueError("SentenceIntents needs examples of at least two intents.")
        known = _known_vectors()
        vectors = np.stack([known[t] if t in known else embed(t) for t in texts])
        self._vectorizers()
        assert self.words is not None and self.chars is not None
        marked = [tagged(t) for t in texts]
        self.words.fit(marked)
        self.chars.fit(marked)
        model = LogisticRegression(
            C=float(self.config["C"]),
            class_weight=self.config["class_weight"] or None,
            max_iter=5000,
        ).fit(self._features(texts, vectors), labels)
        self.classes = [str(c) for c in model.classes_]
        self.weights = model.coef_.T.astype(np.float64)
        self.bias = model.intercept_.astype(np.float64)
        self.persist()
        return self._resource

    def persist(self) -> None:
        """Vocabularies, IDF weights and the regression's coefficients; no pickles."""
        assert self.words is not None and self.chars is not None
        with self._storage.write_to(self._resource) as directory:
            (directory / "intents.json").write_text(
                json.dumps(
                    {
                        "classes": self.classes,
                        "words": {k: int(v) for k, v in self.words.vocabulary_.items()},
                        "chars": {k: int(v) for k, v in self.chars.vocabulary_.items()},
                    }
                ),
                encoding="utf-8",
            )
            np.savez(
                directory / "weights.npz",
                weights=self.weights,
                bias=self.bias,
                word_idf=self.words.idf_,
                char_idf=self.chars.idf_,
            )

    @classmethod
    def load(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> SentenceIntents:
        """Rebuild the classifier from what `persist` wrote."""
        component = cls(config, model_storage, resource)
        try:
            with model_storage.read_from(resource) as directory:
                stored = json.loads((directory / "intents.json").read_text(encoding="utf-8"))
                arrays = np.load(directory / "weights.npz")
                component._vectorizers(stored["words"], stored["chars"])
                assert component.words is not None and component.chars is not None
                component.words.idf_ = arrays["word_idf"]
                component.chars.idf_ = arrays["char_idf"]
                component.classes = list(stored["classes"])
                component.weights, component.bias = arrays["weights"], arrays["bias"]
        except (ValueError, OSError, KeyError):
            component.classes = []
        return component

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        """Nothing to change in training data."""
        return training_data

    def process(self, messages: list[Message]) -> list[Message]:
        """Set the intent and the ranking of each message."""
        if not self.classes:
            return messages
        for message in messages:
            text = message.get(TEXT) or ""
            if not text.strip() or text.startswith("/"):
                # Nothing to classify (button payloads are read by Rasa's RegexMessageHandler).
                message.set(INTENT, {"name": None, "confidence": 0.0}, add_to_output=True)
                message.set(INTENT_RANKING_KEY, [], add_to_output=True)
                continue
            vector = message_vector(message, text)
            z = np.asarray(self._features([text[:2000]], vector[None, :]) @ self.weights).ravel() + self.bias
            p = np.exp(z - z.max())
            p /= p.sum()
            order = np.argsort(-p)[: int(self.config["ranking_length"])]
            ranking = [{"name": self.classes[i], "confidence": float(p[i])} for i in order]
            message.set(INTENT, ranking[0], add_to_output=True)
            message.set(INTENT_RANKING_KEY, ranking, add_to_output=True)
        return messages
