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
# A bare outward code ("NE9", "ts24") counts only when its letters are a real postcode area and it
# is written in capitals or stands alone between punctuation ("low fell. NE9", "PR8. birkdale").
_BARE_OUTWARD = re.compile(r"(?<![\w£$@/-])([A-Za-z]{1,2})([0-9][A-Za-z0-9]?)(?![\w'/-])")
_AREAS = frozenset(
    "AB AL B BA BB BD BH BL BN BR BS BT CA CB CF CH CM CO CR CT CV CW DA DD DE DG DH DL DN DT DY E EC EH EN EX "
    "FK FY G GL GU GY HA HD HG HP HR HS HU HX IG IM IP IV JE KA KT KW KY L LA LD LE LL LN LS LU M ME MK ML N NE "
    "NG NN NP NR NW OL OX PA PE PH PL PO PR RG RH RM S SA SE SG SK SL SM SN SO SP SR SS ST SW SY TA TD TF TN TQ "
    "TR TS TW UB W WA WC WD WF WN WR WS WV YO ZE".split()
)
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


def bare_outward(original: str) -> str | None:
    """An outward code given on its own, anywhere in the message ("low fell. NE9", "DY1, tuesdays")."""
    for match in _BARE_OUTWARD.finditer(original):
        letters, rest = match.group(1), match.group(2)
        if letters.upper() not in _AREAS:
            continue
        before = original[: match.start()].rstrip()
        after = original[match.end() :].lstrip()
        alone = (not before or before[-1] in ".,;:!?()") and (not after or after[0] in ".,;:!?()")
        if re.match(r"(?i)(?:services|motorway|junction|toll|road|bus)\b", after):
            continue
        if (letters.isupper() and rest == rest.upper()) or alone:
            return (letters + rest).upper()
    return None


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
        else:
            facts.postcode = bare_outward(original)
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


# --- when: days and times as people say them -----------------------------------------------------

_WEEK = ("mo", "tu", "we", "th", "fr", "sa", "su")
_ANY_TIME = re.compile(
    r"\bany ?(?:day|time|times|when)\b|\bwhenever\b|\bdon'?t mind\b|\bnot (?:fussy|bothered)\b|\beither\b|"
    r"\bno preference\b|\bdoesn'?t matter\b|\bflexible\b|\ball week\b|\bany of (?:them|those)\b|\bnowt on\b|"
    r"\bnothing on\b|\bfree most days\b|\bevery ?day\b|\bdaily\b"
)
_PARTS = (
    ("morning", r"\bmornings?\b|\bbefore (?:lunch|dinner)\b"),
    ("afternoon", r"\bafternoons?\b|\bafter lunch\b"),
    ("evening", r"\bevenings?\b|\bnights?\b|\bafter work\b|\btea ?time\b"),
    ("daytime", r"\bday ?times?\b|\bduring the day\b|\bin the day\b"),
)
_CLOCK = re.compile(r"\b(after|before|from)\s+(\d{1,2})(?::(\d{2}))?\s*(am|pm|o'?clock)?\b")


def when_of(raw: str) -> str | None:
    """The days and time of day a message asks for, as the search form's `when` value, or None.

    The value is the days ("tu", "tu,th", "mo,tu,we,th,fr" or "any"), then optionally "|" and a
    time of day: "morning", "afternoon", "evening", "daytime", "after HH:MM" or "before HH:MM".
    "Tuesdays or Thursdays" is "tu,th"; "weekday mornings" is "mo,tu,we,th,fr|morning"; "after 2"
    is "any|after 14:00"; "anytime" is "any".
    """
    text = (raw or "").lower().replace("’", "'")
    if not text.strip():
        return None
    days: list[str] = []
    for key, patterns in v.DAYS.items():
        if any(re.search(p, text) for p in patterns):
            days.append(key)
    if re.search(r"\bweek ?days?\b|\bmon(?:day)? to fri(?:day)?\b|\bduring the week\b", text):
        days += ["mo", "tu", "we", "th", "fr"]
    if re.search(r"\bweek ?ends?\b|\bsat(?:urday)?s? (?:or|and|&) sun(?:day)?s?\b", text):
        days += ["sa", "su"]
    not_day = re.search(r"\b(?:not|except|but not|apart from|no)\s+(mon|tue|wed|thu|fri|sat|sun)", text)
    if not_day and not days[1:]:
        days = [d for d in _WEEK if not d.startswith(not_day.group(1)[:2])]
    part = next((name for name, pattern in _PARTS if re.search(pattern, text)), None)
    clock = _CLOCK.search(text)
    if clock:
        hour, minute = int(clock.group(2)), int(clock.group(3) or 0)
        if hour <= 12 and minute < 60:
            if clock.group(4) == "pm" or (clock.group(4) != "am" and 1 <= hour <= 7):
                hour = hour + 12 if hour < 12 else hour
            word = "before" if clock.group(1) == "before" else "after"
            part = f"{word} {hour:02d}:{minute:02d}"
    ordered = [d for d in _WEEK if d in days]
    if not ordered and not part and not _ANY_TIME.search(text):
        return None
    value = ",".join(ordered) if ordered and len(ordered) < 7 else "any"
    return f"{value}|{part}" if part else value


def when_parts(value: str | None) -> tuple[list[str], str | None]:
    """The days (empty for any day) and the time of day in a `when` value."""
    days_text, _, part = str(value or "").partition("|")
    days = [d for d in days_text.split(",") if d in _WEEK]
    return days, part or None


def time_fits(part: str | None, opens: str | None, closes: str | None) -> bool:
    """Whether a session from `opens` to `closes` ("HH:MM") fits a time of day from `when_of`."""
    if not part or not opens:
        return True
    closes = closes or opens
    if part == "morning":
        return opens < "12:00"
    if part == "afternoon":
        return opens < "17:00" and closes > "12:00"
    if part == "evening":
        return closes > "17:30" or opens >= "17:00"
    if part == "daytime":
        return opens < "17:00"
    word, _, at = part.partition(" ")
    if word == "after":
        return opens >= at or closes > at and opens >= f"{max(0, int(at[:2]) - 1):02d}:{at[3:]}"
    if word == "before":
        return opens < at
    return True
