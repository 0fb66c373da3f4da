"""Facts about a person picked out of what they write: name, place, age, circumstances, interests.

Plain regular expressions over lower-case text, so the same code runs inside Rasa's NLU pipeline
(`nlu/components/profile.py` turns the facts into entities) and in the action server. A fact
preceded in its clause by a negation ("I'm not a carer", "I don't live alone") is dropped.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field

from residents import vocabulary as v

_POSTCODE = re.compile(r"\b([A-Za-z]{1,2}[0-9][A-Za-z0-9]?)\s*([0-9][A-Za-z]{2})\b")
_OUTWARD = re.compile(r"\b(?:in|near|around|postcode(?: is)?|from|at)\s+([A-Za-z]{1,2}[0-9][A-Za-z0-9]?)\b")
_NAME = re.compile(
    r"\b(?:my name is|my name's|i'm called|i am called|call me|name is)\s+([a-z][a-z'\-]{1,30})"
    r"(?:\s+([a-z][a-z'\-]{1,30}))?",
    re.IGNORECASE,
)
_NAME_IM = re.compile(r"^(?i:hi|hello|hiya|hey)?[,!.\s]*(?i:i'm|i am|im)\s+([A-Z][a-z'\-]{1,30})[.!,]?\s*$")
_AGE = re.compile(
    r"\b(?:i'm|i am|im|i turned|aged?)\s+(\d{1,3})(?:\s*(?:years?(?: old)?|yrs|y/?o))?\b(?!\s*(?:mins?|minutes|"
    r"miles|pounds|quid|%|am|pm|o'?clock))",
    re.IGNORECASE,
)
_PLACE = re.compile(
    r"\b(?:i live in|i live near|i'm in|i am in|i'm from|i am from|i've moved to|i moved to|live in|"
    r"living in|near|around)\s+((?:[A-Z][a-z]+)(?:[ \-](?:[A-Z][a-z]+|upon|on|le|in)){0,3})"
)
_NEGATION = re.compile(r"\b(?:not|never|no|don'?t|doesn'?t|didn'?t|isn'?t|aren'?t|wasn'?t|haven'?t|nor|without)\b")
_CLAUSE_BREAK = re.compile(r"[.,;!?]|\bbut\b|\band\b|\bthough\b|\balthough\b")
_SCHOOL = re.compile(
    r"\b(?:at school|in year (?:[5-9]|1[0-3])|my teacher|sixth form|gcses?|my (?:mum|dad) makes "
    r"me|i'm a teenager|i am a teenager)\b"
)


@dataclass
class Facts:
    """What one message says about the person. Empty fields were not mentioned."""

    name: str | None = None
    postcode: str | None = None
    place: str | None = None
    age: int | None = None
    circumstances: list[str] = field(default_factory=list)
    interests: list[str] = field(default_factory=list)
    cared_for: str | None = None
    language: str | None = None
    service_kind: str | None = None
    day: str | None = None
    any_day: bool = False
    feeling: str | None = None
    topic: str | None = None
    young: bool = False

    def as_dict(self) -> dict:
        """Only the fields that were found."""
        return {k: val for k, val in asdict(self).items() if val not in (None, [], False)}


def _negated(text: str, start: int) -> bool:
    """Whether a negation comes before `start` within the same clause (up to five words back)."""
    before = text[max(0, start - 40) : start]
    clause = _CLAUSE_BREAK.split(before)[-1]
    words = clause.split()[-5:]
    return bool(_NEGATION.search(" ".join(words)))


def _first(text: str, table: dict[str, tuple[str, ...]], *, negatable: bool = True) -> list[str]:
    found = []
    for key, patterns in table.items():
        for pattern in patterns:
            match = re.search(pattern, text)
            if match and not (negatable and _negated(text, match.start())):
                found.append(key)
                break
    return found


def extract(raw: str) -> Facts:
    """Everything a message says about the person and what they want."""
    facts = Facts()
    if not raw or not raw.strip():
        return facts
    text = raw.lower().replace("’", "'")
    original = raw.replace("’", "'")

    match = _NAME.search(original)
    if match and match.group(1).lower() not in v.NOT_NAMES and not _negated(text, match.start()):
        facts.name = match.group(1).capitalize()
    else:
        match = _NAME_IM.match(original.strip())
        if match and match.group(1).lower() not in v.NOT_NAMES:
            facts.name = match.group(1)

    match = _POSTCODE.search(original)
    if match:
        facts.postcode = f"{match.group(1).upper()} {match.group(2).upper()}"
    else:
        match = _OUTWARD.search(original)
        if match and re.search(r"\d", match.group(1)):
            facts.postcode = match.group(1).upper()
    match = _PLACE.search(original)
    if match and not facts.postcode and not _negated(text, match.start()):
        place = match.group(1).strip()
        if place.lower() not in v.NOT_NAMES and place.lower() not in ("i", "me"):
            facts.place = place

    match = _AGE.search(original)
    if match:
        age = int(match.group(1))
        if 5 <= age <= 110:
            facts.age = age
    facts.young = (facts.age is not None and facts.age < 18) or bool(_SCHOOL.search(text))

    facts.circumstances = _first(text, v.CIRCUMSTANCES)
    match = re.search(v.CARED_FOR, text)
    if match and not _negated(text, match.start()):
        facts.cared_for = match.group(1)
        if "carer" not in facts.circumstances:
            facts.circumstances.append("carer")
    for language in v.LANGUAGES:
        if re.search(rf"\b(?:speak|language is|in|speaks) {language}\b", text):
            facts.language = language.title() if language not in ("bsl",) else "BSL"
            break

    facts.interests = _first(text, v.INTERESTS)
    kinds = _first(text, v.SERVICE_KINDS)
    facts.service_kind = kinds[0] if kinds else None
    days = _first(text, v.DAYS, negatable=False)
    facts.day = days[0] if len(days) == 1 else None
    facts.any_day = any(re.search(p, text) for p in v.ANY_DAY)
    feelings = _first(text, v.FEELINGS)
    facts.feeling = feelings[0] if feelings else None
    topics = _first(text, v.TOPICS, negatable=False)
    facts.topic = topics[0] if topics else None
    return facts
