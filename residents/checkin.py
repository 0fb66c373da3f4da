"""The UK's loneliness measures (ONS/GSS national indicators), scored, and the trend in plain words.

The direct question: "How often do you feel lonely?" — often/always, some of the time, occasionally,
hardly ever, never (scored 5 … 1 here so that, like UCLA, higher means lonelier). The three-item
UCLA scale: how often do you feel that you lack companionship, left out, isolated from others —
hardly ever (1), some of the time (2), often (3); total 3-9.
"""

from __future__ import annotations

import re

ONS_QUESTION = "How often do you feel lonely?"
ONS_OPTIONS: tuple[tuple[str, int], ...] = (
    ("Often or always", 5),
    ("Some of the time", 4),
    ("Occasionally", 3),
    ("Hardly ever", 2),
    ("Never", 1),
)
UCLA_ITEMS: dict[str, str] = {
    "ucla_company": "How often do you feel that you lack companionship?",
    "ucla_left_out": "How often do you feel left out?",
    "ucla_isolated": "How often do you feel isolated from others?",
}
UCLA_OPTIONS: tuple[tuple[str, int], ...] = (("Hardly ever", 1), ("Some of the time", 2), ("Often", 3))

# Typed answers, most specific first (so "some of the time" is not read as "time", nor
# "hardly ever" as "ever").
_ONS_WORDS = (
    (r"\bhardly\b|\brarely\b|\bnot often\b|\bseldom\b", 2),
    (r"\bsome ?times?\b|\bsome of the time\b|\bnow and (?:then|again)\b", 4),
    (r"\boccasional", 3),
    (r"\bnever\b|\bnot at all\b", 1),
    (r"\balways\b|\boften\b|\ball the time\b|\bmost of the time\b|\bevery day\b|\bconstantly\b", 5),
)
_UCLA_WORDS = (
    (r"\bhardly\b|\brarely\b|\bnever\b|\bnot often\b|\bnot really\b|\bseldom\b|\bnot at all\b", 1),
    (r"\bsome ?times?\b|\bsome of the time\b|\boccasional|\bnow and (?:then|again)\b|\ba bit\b", 2),
    (r"\boften\b|\balways\b|\ball the time\b|\bmost of the time\b|\bevery day\b|\ba lot\b|\bconstantly\b", 3),
)


def _score(text: str, table: tuple[tuple[str, int], ...]) -> int | None:
    value = (text or "").lower().replace("’", "'")
    for pattern, score in table:
        if re.search(pattern, value):
            return score
    return None


def score_ons(text: str) -> int | None:
    """The direct question's score (1 never … 5 often/always) for an answer, or None."""
    return _score(text, _ONS_WORDS)


def score_ucla(text: str) -> int | None:
    """One UCLA item's score (1 hardly ever … 3 often) for an answer, or None."""
    return _score(text, _UCLA_WORDS)


def describe(ons: int, ucla_total: int) -> str:
    """What today's answers mean, kindly and without labels."""
    if ucla_total >= 7 or ons >= 4:
        return "It sounds like you feel lonely quite a lot at the moment. That's hard, and you're not alone in it."
    if ucla_total >= 5 or ons == 3:
        return "It sounds like loneliness comes and goes for you."
    return "It sounds like you feel connected most of the time. That's good to hear."


def trend(previous_total: int | None, total: int, days_between: int | None) -> str | None:
    """Today's UCLA total against the last one, in plain words ("a bit better than last month")."""
    if previous_total is None:
        return None
    when = "last time"
    if days_between is not None:
        if days_between <= 10:
            when = "last week"
        elif 20 <= days_between <= 45:
            when = "last month"
        elif days_between > 45:
            when = "a few months ago"
    change = previous_total - total  # positive = less lonely now
    if change >= 2:
        return f"You're feeling quite a bit better than {when}."
    if change == 1:
        return f"That's a bit better than {when}."
    if change == 0:
        return f"That's about the same as {when}."
    if change == -1:
        return f"That's a little harder than {when}."
    return f"Things seem harder than {when}. I'm sorry it's been tough."
