"""KnownWords: a message made only of words the assistant has never seen is not understood.

A classifier spreads its confidence over the intents it knows, so a string of nonsense ("grnk fwoop blatt")
can land on an intent with confidence above the fallback threshold. This component learns the
vocabulary of the training examples (spaCy lemmas, lower case) and, when a message has at least
two words and not one of them is known, sets the intent to `nlu_fallback`, so the rules ask the
person to put it another way. A single unknown word ("Easton", "BS5") is left alone: forms read
those as answers. Risk triage runs after this component and still overrides it.
"""

from __future__ import annotations

import json
import re
from typing import Any

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

_WORD = re.compile(r"[a-z]+")


def words_of(text: str) -> list[str]:
    """The alphabetic words of a message, lower case."""
    return _WORD.findall(text.lower().replace("’", "'"))


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=True)
class KnownWords(GraphComponent):
    """Marks messages with no known word as not understood."""

    def __init__(self, model_storage: ModelStorage, resource: Resource, vocabulary: set[str] | None = None) -> None:
        self._storage = model_storage
        self._resource = resource
        self.vocabulary = vocabulary or set()

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> KnownWords:
        """A component with an empty vocabulary, to be trained."""
        return cls(model_storage, resource)

    def train(self, training_data: TrainingData) -> Resource:
        """Collect every word of the training examples (and their spaCy lemmas)."""
        vocabulary: set[str] = set()
        for example in training_data.intent_examples:
            vocabulary.update(words_of(example.get(TEXT) or ""))
            for token in example.get("text_tokens") or []:
                vocabulary.update(words_of(token.lemma or ""))
        self.vocabulary = vocabulary
        with self._storage.write_to(self._resource) as directory:
            (directory / "vocabulary.json").write_text(json.dumps(sorted(vocabulary)), encoding="utf-8")
        return self._resource

    @classmethod
    def load(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> KnownWords:
        """Read the learned vocabulary."""
        try:
            with model_storage.read_from(resource) as directory:
                words = json.loads((directory / "vocabulary.json").read_text(encoding="utf-8"))
        except (ValueError, OSError):
            words = []
        return cls(model_storage, resource, set(words))

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        """Nothing to change in training data."""
        return training_data

    def process(self, messages: list[Message]) -> list[Message]:
        """Set `nlu_fallback` on messages with two or more words, none of them known."""
        if not self.vocabulary:
            return messages
        for message in messages:
            text = message.get(TEXT) or ""
            if text.startswith("/"):
                continue
            words = words_of(text)
            if len(words) >= 2 and not any(w in self.vocabulary for w in words):
                intent = {"name": "nlu_fallback", "confidence": 1.0}
                ranking = [intent] + [
                    r for r in message.get(INTENT_RANKING_KEY) or [] if r.get("name") != "nlu_fallback"
                ]
                message.set(INTENT, intent, add_to_output=True)
                message.set(INTENT_RANKING_KEY, ranking, add_to_output=True)
        return messages
