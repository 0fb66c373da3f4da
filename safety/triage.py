"""Triage = rules + meaning. One function, used by Rasa's RiskTriage component and the gateway.

The rule layer is precise and explains itself; the semantic layer (MiniLM embeddings and a small
classifier over the labelled training examples) catches indirect phrasing the rules were never
written for. The semantic layer may add risk types, never remove them, and it is ignored when the
rules found a reason to discount the message (a negated, hypothetical, idiomatic or past-and-
resolved cue, or a denial such as "I'm not suicidal").
"""

from __future__ import annotations

from safety.rules import Assessment, default_level
from safety.rules import shared as shared_rules
from safety.semantic import SemanticTriage
from safety.semantic import shared as shared_semantic
from safety.vocabulary import RISK_TYPES, level_rank


def add_type(assessment: Assessment, risk_type: str, level: str) -> None:
    """Add a risk type found by a model, raising the level if it is more serious."""
    if risk_type not in assessment.risk_types:
        assessment.risk_types = [t for t in RISK_TYPES if t in {*assessment.risk_types, risk_type}]
    if level_rank(level) > level_rank(assessment.risk):
        assessment.risk = level


def triage(
    text: str, semantic: SemanticTriage | None = None, probability: dict[str, float] | None = None
) -> Assessment:
    """Risk, risk types, loneliness and need for one message.

    `probability` is the semantic layer's output for this same text when it was already computed
    (the gateway triages every message before Rasa sees it and passes this along), so the sentence
    encoder runs once per message, not twice.
    """
    found = shared_rules().analyse(text)
    if not (text or "").strip():
        return found
    layer = semantic or shared_semantic()
    meaning = layer.decide(dict(probability)) if probability else layer.analyse(text)
    found.semantic = {k: round(v, 3) for k, v in meaning.probability.items() if v >= 0.05}
    found.vector = meaning.vector
    if not found.discounted:
        for risk_type in meaning.risk_types:
            add_type(found, risk_type, default_level(risk_type))
        found.loneliness = found.loneliness or meaning.loneliness
    return found
