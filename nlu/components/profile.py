"""ProfileFacts: a Rasa NLU component that picks out facts a person states about themselves.

It runs `residents.extract` (plain regular expressions, shared with the action server) and adds
what it finds as entities: `postcode`, `place`, `day`, `interest`, `service_kind`. Slots map from
these, so a request like "is there a choir near BS5 6XY on Wednesday?" fills the suggestion form
at once and the form asks only for what is missing. The full facts (name, age, circumstances,
who they care for, feeling, topic) go into the parse data under `facts` for the actions.
"""

from __future__ import annotations

from typing import Any

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import ENTITIES, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from residents.extract import extract

NAME = "ProfileFacts"


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR], is_trainable=False)
class ProfileFacts(GraphComponent):
    """Adds stated facts about the person as entities and as `facts` in the parse data."""

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> ProfileFacts:
        """Build the component (nothing to load)."""
        return cls()

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        """Nothing to learn: training data passes through."""
        return training_data

    def process(self, messages: list[Message]) -> list[Message]:
        """Extract facts from each message."""
        for message in messages:
            text = message.get(TEXT) or ""
            if text.startswith("/"):
                continue  # button payloads carry their own entities
            facts = extract(text)
            message.set("facts", facts.as_dict(), add_to_output=True)
            found = [
                ("postcode", facts.postcode),
                ("place", facts.place),
                ("day", facts.day or ("any" if facts.any_day else None)),
                ("service_kind", facts.service_kind),
                ("interest", facts.interests[0] if facts.interests else None),
            ]
            entities = list(message.get(ENTITIES) or [])
            for entity, value in found:
                if value:
                    entities.append({"entity": entity, "value": value, "start": 0, "end": len(text), "extractor": NAME})
            message.set(ENTITIES, entities, add_to_output=True)
        return messages
