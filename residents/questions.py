"""What a question about support is about: respite, a carer's assessment, befriending, cost,
bereavement help, transport, day centres and clubs, young carers, who Kindred is for.

The intent classifier says a message asks what a kind of support is (`ask_about_support`); the
words say which kind. Regular expressions, as the rest of `residents.vocabulary`: the topics are a
closed list of plain words, so a model would add nothing but uncertainty.
"""

from __future__ import annotations

import re

from residents.vocabulary import QUESTION_TOPICS

_COMPILED: dict[str, tuple[re.Pattern[str], ...]] = {
    topic: tuple(re.compile(p) for p in patterns) for topic, patterns in QUESTION_TOPICS.items()
}
# The directory's kind of service for a topic, when looking locally makes sense after the answer.
LOOK_FOR: dict[str, str] = {
    "respite": "respite",
    "carers_assessment": "carers",
    "befriending": "befriending",
    "bereavement": "bereavement",
    "transport": "transport",
    "day_centre": "day_centres",
    "young_carers": "young_carers",
}
_QUESTION = re.compile(
    r"\?|^(?:what|whats|what's|wot|wats|how|who|is|are|does|do|can|could|would|will)\b"
    r"|\b(?:explain|tell me (?:what|about|how)|wondering)\b"
)


def topic_of(text: str) -> str | None:
    """The first topic (in `QUESTION_TOPICS` order) whose words are in the message, if any."""
    lowered = (text or "").lower().replace("\u2019", "'")
    for topic, patterns in _COMPILED.items():
        if any(p.search(lowered) for p in patterns):
            return topic
    return None


def is_question(text: str) -> bool:
    """Whether a message reads as a question (a question mark, or how questions begin)."""
    return bool(_QUESTION.search((text or "").strip().lower()))
