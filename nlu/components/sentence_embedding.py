"""SentenceEmbedding: MiniLM sentence embeddings as a dense feature for DIET.

The blank spaCy pipeline has no word vectors, so without this DIET sees only word and character
counts and generalises poorly from a few examples per intent ("cheerio" is not a goodbye to it).
The same MiniLM encoder the safety layer uses (`safety.encoder`, NumPy, no download) gives each
message a 384-dimensional meaning vector. The gateway computes it anyway for triage and passes it
with the message (`nlu.callback_channel` and `nlu.precomputed`, matched by the text's SHA-256), so at
run time the encoder runs once per message; training data and anything sent straight to Rasa are
encoded here.
"""

from __future__ import annotations

import hashlib
from typing import Any

import numpy as np
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.constants import FEATURIZER_CLASS_ALIAS
from rasa.nlu.featurizers.dense_featurizer.dense_featurizer import DenseFeaturizer
from rasa.shared.nlu.constants import FEATURE_TYPE_SENTENCE, TEXT
from rasa.shared.nlu.training_data.features import Features
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from nlu.precomputed import embedding
from safety.encoder import shared as shared_encoder


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER, is_trainable=False)
class SentenceEmbedding(DenseFeaturizer, GraphComponent):
    """Adds a sentence-level MiniLM embedding to each message's text features."""

    def __init__(self, config: dict[str, Any], name: str) -> None:
        super().__init__(name, config)

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> SentenceEmbedding:
        """Build the component (the encoder loads once per process)."""
        return cls(config, execution_context.node_name)

    @classmethod
    def validate_config(cls, config: dict[str, Any]) -> None:
        """Nothing to check."""

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        """Embed every training example that has text."""
        self.process(training_data.training_examples)
        return training_data

    def process(self, messages: list[Message]) -> list[Message]:
        """Embed each message (or take the gateway's embedding of exactly this text)."""
        for message in messages:
            text = message.get(TEXT)
            if not text:
                continue
            vector = _precomputed(message, text)
            if vector is None:
                vector = shared_encoder().encode(text[:2000])
            message.add_features(
                Features(vector.reshape(1, -1), FEATURE_TYPE_SENTENCE, TEXT, self._config[FEATURIZER_CLASS_ALIAS])
            )
        return messages


def _precomputed(message: Message, text: str) -> np.ndarray | None:
    kindred = (message.get("metadata") or {}).get("kindred") or {}
    sha = kindred.get("sha256")
    if sha != hashlib.sha256(text.encode()).hexdigest():
        return None
    return embedding(sha)
