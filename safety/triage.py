"""Triage = language, rules, meaning. One function, used by Rasa's RiskTriage component and the gateway.

The path of one message, top to bottom:
1. Language (`safety.language`): a message in another language never meets the English rules; its
   own short list of crisis words decides whether it is urgent.
2. Rules (`safety.rules`, over the text as `safety.normalise` rewrites it): precise, and they say
   why a cue does not count (negated, hypothetical, idiom, past and resolved, a professional's
   reported words).
3. Meaning (`safety.semantic`): MiniLM sentence embeddings and a classifier over the labelled
   examples, read sentence by sentence, catch indirect phrasing the rules were never written for.
   It may add risk types, never remove them, and is ignored when the rules found a reason to
   discount the message. On its own it is only a hint (`decide_meaning`):
   - suicide or self-harm with a second signal (the rules' distress words, the intent classifier
     agreeing, or the words model agreeing) is urgent; without one it is a concern and the
     assistant asks directly;
   - what the rules read as a concern about suicide or self-harm (hopelessness, passive ideation)
     is urgent when the meaning is sure of it too; otherwise the assistant asks;
   - a medical emergency or abuse needs a second signal, or it is not raised at all: a false
     999 reply frightens people and ends what they came for;
   - self-neglect, a cold home and carer strain are concerns, which only offer help.
4. Words (`safety.lexical`): an independent model over word and character n-grams of the same
   examples. It never raises anything alone; it is the confident second signal for the meaning
   (`CONFIRMED`: both lean the same way).
"""

from __future__ import annotations

from collections.abc import Iterable

from safety.language import crisis_in, identify, lonely_in
from safety.language import warm_up as warm_languages
from safety.lexical import LexicalTriage
from safety.lexical import shared as shared_lexical
from safety.rules import Assessment, default_level
from safety.rules import shared as shared_rules
from safety.semantic import SemanticResult, SemanticTriage
from safety.semantic import shared as shared_semantic
from safety.vocabulary import RISK_TYPES, level_rank

# Types for which the assistant asks directly when only the meaning suggests them.
ASK_DIRECTLY: frozenset[str] = frozenset({"suicide", "self_harm"})
# Types the meaning alone never raises: they need the rules or a second signal.
NEEDS_SECOND_SIGNAL: frozenset[str] = frozenset({"medical_emergency", "abuse", "suicide", "self_harm"})


def add_type(assessment: Assessment, risk_type: str, level: str) -> None:
    """Add a risk type found by a model, raising the level if it is more serious."""
    if risk_type not in assessment.risk_types:
        assessment.risk_types = [t for t in RISK_TYPES if t in {*assessment.risk_types, risk_type}]
    if level_rank(level) > level_rank(assessment.risk):
        assessment.risk = level


def other_language(text: str, code: str) -> Assessment:
    """A message in another language: only that language's crisis words count."""
    found = Assessment(language=code, loneliness=lonely_in(text, code))
    for risk_type in crisis_in(text, code):
        if risk_type in RISK_TYPES:
            add_type(found, risk_type, "urgent")
    return found


# The intent classifier's confident vote counts when the semantic layer leans the same way this much.
AGREEMENT = 0.3
# With a second signal, the semantic layer's reading of a serious type counts from this probability.
SERIOUS = 0.4
# Without one, it asks directly from this probability (or from ASK when the rules saw distress words).
ASK = 0.4
ASK_ALONE = 0.9
# A medical emergency from meaning needs more: its distress words (tablets, breathing) are common.
SERIOUS_MEDICAL = 0.5
# When the rules found suicide or self-harm only as a concern (hopelessness, passive ideation: they
# would ask), the meaning this sure of it makes it urgent: the rule is the second signal.
CONFIRMS = 0.6
# Self-neglect, a cold home and carer strain from meaning alone (they only offer help).
CONCERN = 0.7
# Carer strain from meaning in a message about caring for someone, with the rules' strain words
# (tired, no break, resent ...); without them only from CARER_ALONE, since the meaning reads strain
# into any sentence about caring ("I look after my husband, he has dementia").
CARER = 0.5
CARER_ALONE = 0.85
# The words model confirms the meaning's reading of a type when it gives the type LEXICAL or more and
# the meaning CONFIRMED_MEANING or more. Chosen by leave-one-file-out over the corpus, then raised
# from 0.4 / 0.3 after conversation journeys showed short replies ("I don't know what to do with
# meself", "I'd like a friend eventually, just not yet") confirmed at those values.
LEXICAL = 0.5
CONFIRMED_MEANING = 0.45


def confirmed_by_words(meaning: SemanticResult, words: dict[str, float]) -> set[str]:
    """The risk types both the meaning and the words model lean to: a confident second signal."""
    return {
        t for t in RISK_TYPES if words.get(t, 0.0) >= LEXICAL and meaning.probability.get(t, 0.0) >= CONFIRMED_MEANING
    }


def decide_meaning(
    found: Assessment, meaning: SemanticResult, agreeing: Iterable[str] = (), confirmed: Iterable[str] = ()
) -> None:
    """Add what the semantic layer read, under the policy in the module docstring. `agreeing` names
    the types the intent classifier is confident of; `confirmed` those the words model confirms."""
    probability = meaning.probability
    confirmed = set(confirmed)
    agreeing = {t for t in agreeing if probability.get(t, 0.0) >= AGREEMENT}
    if "abuse" not in found.support:
        # Abuse from meaning needs the rules' own abuse words (hit, scared of, my money, won't let
        # me ...) or the words model: the embeddings read abuse into ordinary family life too readily.
        agreeing.discard("abuse")
    agreeing |= confirmed
    second = set(found.support) | agreeing
    if "abuse" not in found.support and "abuse" not in confirmed:
        second.discard("abuse")
    # A carer at the end of their tether gets respite and Carers UK, not a suicide reply, unless
    # the rules found a suicide cue of their own.
    strained = found.caring and ("carer_strain" in found.risk_types or probability.get("carer_strain", 0.0) >= CONCERN)
    for risk_type in RISK_TYPES:
        if risk_type in found.risk_types:
            # Hopelessness the rules would ask about stays a question unless the meaning itself is sure:
            # asking directly is what crisis volunteers are trained to do (issue 13, point 4).
            if risk_type in ASK_DIRECTLY and not strained and probability.get(risk_type, 0.0) >= CONFIRMS:
                add_type(found, risk_type, "urgent")
            continue
        p = probability.get(risk_type, 0.0)
        if strained and risk_type in ASK_DIRECTLY:
            continue
        if risk_type == "carer_strain" and found.need == "respite":
            continue  # a carer asking for a break is answered with respite, not a concern escalation
        strain_words = "carer_strain" in found.support or "carer_strain" in confirmed
        if risk_type == "carer_strain" and not strain_words and p < CARER_ALONE:
            continue  # "I look after my husband, he has dementia" is caring, not strain: strain needs its words
        if risk_type not in NEEDS_SECOND_SIGNAL:
            if risk_type in confirmed or p >= (CARER if risk_type == "carer_strain" and found.caring else CONCERN):
                add_type(found, risk_type, default_level(risk_type))
        elif risk_type == "medical_emergency":
            if risk_type in agreeing or (risk_type in second and p >= SERIOUS_MEDICAL):
                add_type(found, risk_type, default_level(risk_type))
        elif risk_type in agreeing or (risk_type in second and p >= SERIOUS):
            add_type(found, risk_type, default_level(risk_type))
        elif risk_type in ASK_DIRECTLY and found.risk != "urgent" and p >= (ASK if risk_type in second else ASK_ALONE):
            add_type(found, risk_type, "concern")
            found.ask = found.ask or risk_type
    if found.risk == "urgent":
        found.ask = None
    found.loneliness = found.loneliness or meaning.loneliness


def triage(
    text: str,
    semantic: SemanticTriage | None = None,
    probability: dict[str, float] | None = None,
    agreeing: Iterable[str] = (),
    answering: str | None = None,
    lexical: LexicalTriage | None = None,
) -> Assessment:
    """Risk, risk types, loneliness and need for one message.

    `probability` is the semantic layer's output for this same text when it was already computed
    (the gateway triages every message before Rasa sees it and passes this along), so the sentence
    encoder runs once per message, not twice. `agreeing` names the risk types another model (Rasa's
    intent classifier) is confident of: a second signal for the semantic layer. `answering` names
    the question the assistant just asked (a form's slot: "my wife can't do steps" answers a
    question about access): then only the rules can raise risk, never the meaning alone.
    """
    if not (text or "").strip():
        return Assessment()
    language = identify(text)
    if language.code != "en":
        return other_language(text, language.code)
    found = shared_rules().analyse(text)
    layer = semantic or shared_semantic()
    meaning = layer.decide(dict(probability)) if probability else layer.analyse(text)
    found.semantic = {k: round(v, 3) for k, v in meaning.probability.items() if v >= 0.05}
    found.vector = meaning.vector
    if answering:
        found.context.append(f"answering {answering}")
        found.loneliness = found.loneliness or meaning.loneliness
    elif not found.discounted:
        words = (lexical or shared_lexical()).probabilities(text)
        found.lexical = {k: round(v, 3) for k, v in words.items() if v >= 0.05}
        decide_meaning(found, meaning, agreeing, confirmed_by_words(meaning, words))
    return found


def warm_up() -> None:
    """Load everything triage needs now (rules, sentence encoder and classifier, the language
    detector and its configuration) and triage one message, so the first resident does not wait
    and a broken configuration stops the start with its own message."""
    shared_rules()
    shared_semantic()
    shared_lexical()
    warm_languages()
    triage("warming up: is everything ready?")
