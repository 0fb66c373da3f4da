"""RiskTriage: a Rasa NLU component that adds risk triage to every parse.

It combines the trained intent classifier (SentenceIntents) with the spaCy rule layer in `safety.rules`:
- the rules find cues with their context (negation, hypotheticals, idioms, past and resolved);
- the semantic layer (MiniLM sentence embeddings) adds types the rules missed, and the intent
  classifier adds a type only when it is confident and the semantic layer leans the same way, never when the
  rules found a reason to discount the message;
- the intent becomes `risk_urgent` or `risk_concern`, so one rule per level answers it without
  the action server; a risk intent the triage does not confirm is replaced by the next intent;
- the composed safety reply (numbers from `safety.yml`, staff timing) is passed as entities that
  fill the `safety_*` slots used by the static responses.

The rules and the semantic layer are combined in `safety.triage`, which the gateway's safety net
uses too; this component adds the intent classifier's vote when it agrees with the semantic layer.
The result is in the parse data under `risk`: {risk, risk_types, loneliness, need, cues,
discounted, semantic, age}.
"""

from __future__ import annotations

from typing import Any

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import ENTITIES, INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from nlu.components.intents import VECTOR, precomputed
from safety.replies import followups_for, reply_for
from safety.rules import Assessment
from safety.semantic import SemanticTriage
from safety.semantic import shared as shared_semantic
from safety.triage import triage, warm_up
from safety.vocabulary import (
    LEVEL_INTENTS,
    OTHER_LANGUAGE_INTENT,
    RISK_INTENT_PREFIX,
    RISK_TYPES,
    SIGNAL_INTENTS,
    UNCLEAR_INTENT,
)

# Matches the FallbackClassifier threshold in config.yml.
FALLBACK_THRESHOLD = 0.3


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=False)
class RiskTriage(GraphComponent):
    """Adds `risk` to every parsed message and routes risky messages to the safety rules."""

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        """Confidence the model needs to raise a risk type on its own, by level."""
        # The classifier's probabilities are softer than DIET's were (0.8 then): a risk type it
        # gives 0.7 or more is a second opinion for safety.triage (which also wants the semantic
        # layer to lean the same way: safety.triage.AGREEMENT).
        return {"model_threshold": 0.7}

    def __init__(self, config: dict[str, Any]) -> None:
        self.config = config
        warm_up()  # rules, encoder, classifier, language detector: loaded now, failing loudly
        self.semantic = shared_semantic()

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> RiskTriage:
        """Build the component (the rule set compiles once per process)."""
        return cls(config)

    def _confident(self, ranking: list[dict]) -> dict[str, float]:
        """Risk types the intent classifier gives at least `model_threshold`: a second opinion."""
        confident: dict[str, float] = {}
        for candidate in ranking:
            name, confidence = str(candidate.get("name") or ""), float(candidate.get("confidence") or 0.0)
            risk_type = name[len(RISK_INTENT_PREFIX) :] if name.startswith(RISK_INTENT_PREFIX) else ""
            if risk_type in RISK_TYPES and confidence >= self.config["model_threshold"]:
                confident[risk_type] = confidence
        return confident

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        """Nothing to learn: training data passes through."""
        return training_data

    def process(self, messages: list[Message]) -> list[Message]:
        """Triage each message and set its intent and safety entities."""
        for message in messages:
            self._triage(message)
        return messages

    def _triage(self, message: Message) -> None:
        text = message.get(TEXT) or ""
        if text.startswith("/"):
            message.set("risk", Assessment().as_dict(), add_to_output=True)
            return
        ranking = message.get(INTENT_RANKING_KEY) or []
        sent = precomputed(message, text)
        answering = sent.get("answering") if isinstance(sent.get("answering"), str) else None
        found = triage(
            text, self.semantic, _probabilities(sent, message, text, self.semantic), self._confident(ranking), answering
        )
        if found.age is None and isinstance(sent.get("age"), int):
            # An age the person gave earlier in the conversation (the gateway reads their profile).
            found.age = sent["age"]
        message.set("risk", found.as_dict(), add_to_output=True)
        intent = triage_intent(found)
        if intent is None:
            _drop_unconfirmed_risk(message, ranking)
            return
        message.set(INTENT, {"name": intent, "confidence": 1.0}, add_to_output=True)
        reply = reply_for(found)
        if reply is None:
            return  # the dialogue answers it with a response of its own (help coming, unsure)
        followups = followups_for(found)
        values = {
            "safety_reply": reply.text,
            "safety_level": found.risk,
            "safety_types": ",".join(found.risk_types),
            "safety_followup": followups.get("followup"),
            "safety_next": followups.get("next"),
        }
        entities = list(message.get(ENTITIES) or [])
        for name, value in values.items():
            if value:
                entities.append(
                    {
                        "entity": name,
                        "value": value,
                        "start": 0,
                        "end": len(text),
                        "extractor": "RiskTriage",
                        "confidence_entity": 1.0,
                    }
                )
        message.set(ENTITIES, entities, add_to_output=True)


def triage_intent(found: Assessment) -> str | None:
    """The intent the dialogue acts on for what triage found, or None to keep the classifier's."""
    if found.ask:
        return UNCLEAR_INTENT
    if found.risk != "none":
        return LEVEL_INTENTS[found.risk]
    if found.language != "en":
        return OTHER_LANGUAGE_INTENT
    for signal in found.signals:
        if signal in SIGNAL_INTENTS:
            return signal
    return None


def _drop_unconfirmed_risk(message: Message, ranking: list[dict]) -> None:
    """A risk intent the triage did not confirm is no candidate at all: not the intent, and not in
    the ranking (which the fallback and "did you mean" read)."""
    top = message.get(INTENT) or {}
    safe = [c for c in ranking if not str(c.get("name", "")).startswith(RISK_INTENT_PREFIX)]
    if str(top.get("name", "")).startswith(RISK_INTENT_PREFIX):
        intent = _next_safe_intent(ranking)
        message.set(INTENT, intent, add_to_output=True)
        if intent["name"] == "nlu_fallback":
            safe = [intent, *(c for c in safe if c.get("name") != "nlu_fallback")]
    if len(safe) != len(ranking) or safe[:1] != ranking[:1]:
        message.set(INTENT_RANKING_KEY, safe, add_to_output=True)


def _probabilities(sent: dict, message: Message, text: str, semantic: SemanticTriage) -> dict[str, float] | None:
    """The semantic probabilities for exactly this text: sent by the gateway (`sent`, its metadata),
    or from the embedding SentenceIntents left on the message; None if neither is there."""
    probabilities = sent.get("semantic")
    if isinstance(probabilities, dict) and probabilities:
        try:
            return {str(k): float(v) for k, v in probabilities.items()}
        except (TypeError, ValueError):
            pass
    vector = message.get(VECTOR)
    if vector is not None:
        # The whole message's embedding is there; its sentences are read as the gateway reads them.
        return semantic.analyse(text, vector).probability
    return None


def _next_safe_intent(ranking: list[dict]) -> dict:
    """The best-ranked intent that is not a risk intent, or the fallback intent."""
    for candidate in ranking:
        if not str(candidate.get("name", "")).startswith(RISK_INTENT_PREFIX):
            if (candidate.get("confidence") or 0.0) < FALLBACK_THRESHOLD:
                break
            return {"name": candidate["name"], "confidence": candidate.get("confidence", 0.0)}
    return {"name": "nlu_fallback", "confidence": 1.0}
