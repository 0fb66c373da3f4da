"""The fixed triage vocabulary: the one place that names risk levels, risk types and needs."""

from __future__ import annotations

RISK_LEVELS: tuple[str, ...] = ("none", "concern", "urgent")

# Ordered from most to least serious: the reply is chosen for the first type present.
RISK_TYPES: tuple[str, ...] = (
    "medical_emergency",
    "suicide",
    "self_harm",
    "abuse",
    "self_neglect",
    "carer_strain",
    "cold_home",
)

# The level a type has when nothing in the message says otherwise. Abuse is urgent only when the
# person is in immediate danger; the rule layer marks those cues urgent itself.
DEFAULT_LEVEL: dict[str, str] = {
    "medical_emergency": "urgent",
    "suicide": "urgent",
    "self_harm": "urgent",
    "abuse": "concern",
    "self_neglect": "concern",
    "carer_strain": "concern",
    "cold_home": "concern",
}

# What a person may ask the directory for. When a message names several, the first listed wins:
# a carer asking for a break matters more than the transport to get there.
NEEDS: tuple[str, ...] = ("respite", "transport", "befriending", "activities", "none")

# Trained intents that carry a risk type: `risk_<type>`.
RISK_INTENT_PREFIX = "risk_"
# What the triage component turns the intent into, so one rule per level drives the dialogue.
LEVEL_INTENTS: dict[str, str] = {"urgent": "risk_urgent", "concern": "risk_concern"}
# ... risk that is not explicit, which the assistant asks about directly ...
UNCLEAR_INTENT = "risk_unclear"
# ... a message in a language other than English ...
OTHER_LANGUAGE_INTENT = "other_language"
# ... and what a message says about the situation (safety.patterns.SIGNALS), each its own intent.
SIGNAL_INTENTS: tuple[str, ...] = ("worry_about_someone", "help_coming", "unsure")


def level_rank(level: str) -> int:
    """Order risk levels so that the more serious compares greater."""
    return RISK_LEVELS.index(level) if level in RISK_LEVELS else 0


def most_serious(types: list[str] | set[str]) -> str | None:
    """The type whose reply leads when a message carries several."""
    for risk_type in RISK_TYPES:
        if risk_type in types:
            return risk_type
    return None
