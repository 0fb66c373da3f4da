"""Disclosures: the hard things people tell Kindred about their lives, in one place.

A death, a diagnosis, a break-up, losing work, feeling low, caring getting too much, money running
out. `detect` finds one in a message and says what it was in a few words a reply can name ("your
wife", "the COPD", "being made redundant"), so the acknowledgement picks up what was said. Plain
rules on lower-case text, with the idioms that only sound like bad news taken out first ("I nearly
died laughing", "this heat is killing me", "dead good"). Anything told in a session is remembered
for that session by reading the session's messages again (`actions.conversation`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# Kinds, most serious first: the one named when a message has several.
KINDS = ("bereavement", "diagnosis", "caring_strain", "low_mood", "break_up", "job_loss", "money", "isolation")

# Phrases that sound like a death or a disaster but are not one.
IDIOMS = re.compile(
    r"\b(?:nearly |almost |could have |could've |)died (?:laughing|of (?:laughter|embarrassment|shame|boredom))|"
    r"\bdying (?:to|for)\b|\bto die for\b|\bdead (?:good|funny|nice|easy|tired|posh|on)\b|"
    r"\b(?:is|are|was|it'?s|its) killing me\b|\bkill(?:ed|s)? me off\b|\bover my dead body\b|"
    r"\bbored to death\b|\bscared me to death\b|\blaughed? (?:till|until) i cried\b|\bcried laughing\b|"
    r"\bcrying with laughter\b|\bdepressing (?:weather|match|result|game|score)\b"
)

PEOPLE = (
    r"wife|husband|partner|mum|mam|mom|mother|dad|father|son|daughter|sister|brother|friend|best friend|"
    r"grandson|granddaughter|nan|gran|grandad|grandma|grandmother|grandfather|auntie|uncle|boy|girl|baby|"
    r"fiance|fiancee|other half"
)
_PERSON = rf"(?:my |our )(?P<person>{PEOPLE})(?: [a-z]+)?"

CONDITIONS: dict[str, str] = {
    r"\bcancer\b|\btumou?r\b|\bchemo": "the cancer",
    r"\balzheimer'?s\b|\balzheimers\b": "the Alzheimer's",
    r"\bdementia\b": "the dementia",
    r"\bcopd\b|\bon oxygen\b|\bemphysema\b": "the COPD",
    r"\bmacular\b": "your eyesight going",
    r"\bparkinson'?s\b": "the Parkinson's",
    r"\bmotor neu?rone\b": "the motor neurone disease",
    r"\bheart failure\b|\bheart attack\b": "the heart trouble",
    r"\b(?:had|has|after) (?:a|his|her|my) stroke\b": "the stroke",
    r"\blong covid\b": "the long covid",
    r"\bschizophreni": "the schizophrenia",
    r"\bbipolar\b": "the bipolar",
    r"\bsectioned\b": "the hospital stay",
    r"\bautis(?:m|tic)\b": "the autism",
    r"\bcerebral palsy\b|\b(?:has|with|her|his) cp\b": "the cerebral palsy",
    r"\b(?:has|with|my|her|his) ms\b|\bmultiple sclerosis\b": "the MS",
    r"\bterminal(?:ly)? ill\b|\bit'?s terminal\b|\bdiagnos(?:ed|is)\b": "the diagnosis",
    r"\bgone deaf\b|\blost (?:his|her|my) (?:hearing|sight)\b": "the hearing going",
    r"\bbroke (?:my|her|his) (?:wrist|hip|leg|arm)\b|\bhad a fall\b": "the fall",
}
MOODS: dict[str, str] = {
    r"\bsocial anxiety\b": "the social anxiety",
    r"\bdepress(?:ion|ed)\b|\bsertraline\b|\bantidepressant": "the depression",
    r"\bbad patch\b|\brough patch\b|\bdark place\b": "the bad patch you're in",
    r"\bpanic attacks?\b": "the panic attacks",
    r"\b(?:been|things have been|feeling|feel|felt|it'?s been|its been) (?:really |so |pretty |a bit )?"
    r"(?:rough|grim|awful|terrible|rubbish|crap|shit|low|down|miserable|hopeless|empty)\b|\bits grim\b|"
    r"\bit'?s grim\b": "things being so hard",
    r"\bcan'?t (?:get|face getting) out of bed\b|\b(?:don'?t|dont|never) leave my room\b": "how hard things are",
    r"\bno (?:point|reason) (?:in|to)\b|\bwhat'?s the point\b": "how hopeless it feels",
    r"\bwe don'?t (?:really )?talk any ?more\b": "how far apart you've grown",
    r"\bfailed \d+ modules?\b|\bfailed (?:my|all my) exams\b": "how badly the course is going",
    r"\blost my nerve\b|\bscared to go out\b": "losing your confidence",
    r"\bcame out\b.*\b(?:family|parents|mum|dad)\b|\bfamily (?:are|is) being weird\b": "how your family are being",
    r"\bloft is empty\b|\bdon'?t know what to do with (?:myself|meself|my hands)\b": "how empty the days feel",
    r"\bfeel(?:ing)? (?:a rotter|guilty|so guilty|selfish)\b": "the guilt you're feeling",
    r"\b(?:doesn'?t|doesnt|won'?t|wont) (?:really )?(?:like|let) me (?:go(?:ing)? out|see (?:my )?friends)\b|"
    r"\bgets funny about (?:it|me going)\b": "how things are with your partner",
    r"\bfeel(?:ing)? (?:a bit |so |really |pretty )?(?:lost|useless|empty|like a failure)\b": "feeling so lost",
}
CARING: dict[str, str] = {
    r"\bbreaking point\b|\bcan'?t (?:keep (?:doing|going)|cope|do this)\b|\bcannot cope\b|"
    r"\bat the end of my tether\b": ("how close to the edge the caring has brought you"),
    r"\bshouted at (?:her|him)\b|\bsnapped at (?:her|him)\b|\blost my temper\b": (
        "that moment, and how worn down you are"
    ),
    r"\b(?:no longer|doesn'?t|does not|didn'?t) (?:knows?|recogni[sz]es?) (?:me|who i am)\b": (
        "someone you love no longer knowing you"
    ),
    r"\bhaven'?t had a (?:day|night|break) off\b|\bnever get a break\b|\bno time for myself\b|"
    r"\bcannot leave (?:her|him)\b|\bcan'?t leave (?:her|him)\b": "never getting a break from caring",
    r"\bresidential\b|\bcare home\b|\bnursing home\b": "the thought of a care home",
    r"\bstopped answering the phone\b|\bwon'?t answer the phone\b|\bnot answering (?:his|her) phone\b": (
        "how worried you are about him"
    ),
    r"\bnever gets any time with me\b|\bi love \w+ more\b": "what it's doing to the rest of the family",
}
BEREAVEMENT = (
    rf"{_PERSON} (?:has |had )?(?:died|passed(?: away| on)?|is dead|was killed)",
    rf"(?:lost|losing|buried) {_PERSON}",
    rf"since {_PERSON} (?:died|passed)",
    r"\bsince (?!it\b|the\b|that\b|this\b)(?P<name>[a-z]+) (?:died|passed(?: away| on)?)\b",
    r"\b(?:he|she|they) (?:died|passed away|passed on)\b",
    r"\bwidow(?:ed|er)?\b",
    r"\bbereave",
    r"\bfuneral\b",
    r"\bwith (?:her|him) at the end\b",
    r"\b(?:her|his) grave\b",
    r"\bpassed away\b",
)
BREAK_UP = (
    rf"{_PERSON} (?:left|walked out|moved out|has left|is leaving)\b",
    r"\b(?:split|broke|broken) up\b|\bsplit (?:with|from)\b|\bseparat(?:ed|ion)\b|\bdivorc",
    r"\b(?:my|the) ex (?:got|took|has|left|kept)\b|\bthe ex\b",
    r"\bleft me\b",
    r"\b(?P<person>wife|husband|partner|girlfriend|boyfriend) (?:left|walked out|moved out)\b",
)
JOB_LOSS: dict[str, str] = {
    r"\bmade redundant\b|\bredundan(?:t|cy)\b": "being made redundant",
    r"\b(?:lost|losing) my job\b|\b(?:got|been|was) (?:sacked|fired|laid off)\b": "losing your job",
    r"\bbusiness (?:went under|went bust|failed|folded|collapsed)\b": "the business going under",
    r"\bsick leave\b|\bsigned off\b": "being off work sick",
    r"\bhad to (?:retire|give up work|stop work)": "having to stop work",
    r"\bapplied for (?:like )?\d+ jobs\b|\bcan'?t (?:find|get) (?:a )?(?:job|work)\b": "the job hunting",
}
MONEY: dict[str, str] = {
    r"\bin debt\b|\b\d+k in debt\b|\bdebts?\b": "the debt",
    r"\bsave (?:the |on )?(?:gas|heating|electric)\b|\bsit in my coat\b|"
    r"\bcan'?t afford (?:the )?(?:heating|gas|food)\b": ("keeping warm costing so much"),
    r"\bcan'?t afford\b|\bfood ?bank\b": "money being so tight",
}
ISOLATION: dict[str, str] = {
    r"\bonly (?:person|one) i (?:speak|talk) to\b": "how few people you get to speak to",
    r"\b(?:don'?t|do not) know a (?:single )?(?:soul|person)\b|\bdon'?t know any(?:one|body) here\b": (
        "not knowing anyone here"
    ),
    r"\b(?:haven'?t|have not|not) (?:actually |really )?(?:spoken|talked) to any(?:one|body)\b": (
        "going so long without really talking to anyone"
    ),
    r"\b(?:friends|mates) (?:all )?(?:blocked|dropped|ditched|ignore) me\b": "your friends turning away from you",
    r"\bno (?:friends?|mates)\b": "having no friends around you",
    r"\bsit (?:in (?:my|the) room|on my own|alone)\b": "so much time on your own",
}


@dataclass(frozen=True)
class Disclosure:
    """One hard thing a message tells: its kind and a few words naming it ("your wife", "the COPD")."""

    kind: str
    what: str


def without_idioms(raw: str) -> str:
    """The message in lower case with the idioms that only sound like bad news taken out."""
    text = (raw or "").lower().replace("’", "'").replace("‘", "'")
    return IDIOMS.sub(" ", text)


_clean = without_idioms


def _table(text: str, table: dict[str, str]) -> str | None:
    for pattern, what in table.items():
        if re.search(pattern, text):
            return what
    return None


def _whose(text: str, start: int) -> str:
    """ "your wife" when the message says whose the condition is shortly before it."""
    window = text[max(0, start - 60) : start]
    found = re.findall(rf"\b(?:my |our )?({PEOPLE})\b", window)
    return f"your {found[-1]}" if found else ""


def detect_all(raw: str) -> list[Disclosure]:
    """Every kind of disclosure in a message, most serious first (empty for none)."""
    text = _clean(raw)
    if not text.strip() or text.lstrip().startswith("/"):
        return []
    found: dict[str, Disclosure] = {}
    for pattern in BEREAVEMENT:
        match = re.search(pattern, text)
        if match:
            person, name = match.groupdict().get("person"), match.groupdict().get("name")
            what = f"your {person}" if person else f"losing {name.title()}" if name else "your loss"
            found["bereavement"] = Disclosure("bereavement", what)
            break
    for pattern, what in CONDITIONS.items():
        match = re.search(pattern, text)
        if match:
            whose = _whose(text, match.start())
            name = what
            if whose and what.startswith("the "):
                name = f"{whose}'s {what[4:]}"
            found["diagnosis"] = Disclosure("diagnosis", name)
            break
    caring = _table(text, CARING)
    if caring:
        found["caring_strain"] = Disclosure("caring_strain", caring)
    mood = _table(text, MOODS)
    if mood:
        found["low_mood"] = Disclosure("low_mood", mood)
    for pattern in BREAK_UP:
        match = re.search(pattern, text)
        if match:
            person = match.groupdict().get("person")
            found["break_up"] = Disclosure("break_up", f"your {person} leaving" if person else "the break-up")
            break
    job = _table(text, JOB_LOSS)
    if job:
        found["job_loss"] = Disclosure("job_loss", job)
    money = _table(text, MONEY)
    if money:
        found["money"] = Disclosure("money", money)
    alone = _table(text, ISOLATION)
    if alone:
        found["isolation"] = Disclosure("isolation", alone)
    return [found[kind] for kind in KINDS if kind in found]


def detect(raw: str) -> Disclosure | None:
    """The most serious disclosure in a message, or None."""
    found = detect_all(raw)
    return found[0] if found else None
