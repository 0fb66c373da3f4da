"""`./kindred eval conversations`: whole journeys through the real gateway and Rasa, judged turn by turn.

A journey file (`tests/data/journeys_dev.yml` by default; `--journeys` for another, such as the
held-out file, which is measured once) lists people and what they say:

    journeys:
    - id: widow-housebound-talk-1
      who: "Margaret, 84, ..."
      turns:
      - say: "I'd just like a chat now and again."
        expect: [stops_search]
        never: [didnt_follow]
      - press: "Show me more"

A whole stack is started on free ports with its own data folder and the fictional demo directory
(as the end-to-end tests do). Each journey is a new web-chat resident with a fresh session, opened
as the chat page opens it (the hidden `/greet`); `say` sends text, `press` sends the payload of the
button with that title in the last reply (or, failing that, the title as text). Every reply is
recorded: its text, its buttons, and whether an escalation was opened or raised during the turn
(read from the app database, as the tests do).

How replies are judged
----------------------
Every detector reads Kindred's own wording from where it lives, at run time, so the harness follows
wording changes: the responses in `domain.yml`, the lines in `actions/wording.py`, the validators'
messages in `actions/*.py` (read with `ast`, not imported) and the crisis wording in `safety.yml`.
Templates with `{placeholders}` match any filling. Each bot message gets labels:

- didnt_follow: the message is one of the fallback responses (`FALLBACK_RESPONSES`: "Sorry, I didn't
  quite follow", "I'm not sure I understood", "I'm still not understanding", "I'm not sure what to say
  to that", "I can't help with that one").
- search: a question of the search forms (`SEARCH_FORMS`: the `utter_ask_<slot>` response, or an
  `action_ask_<slot>`, of each of their slots, or a message with exactly that question's buttons), a
  re-ask from a `validate_<slot>` method of those slots ("Sorry, I couldn't find that place..."),
  what the search actions say (`SEARCH_ACTIONS`: "Thanks for telling me. Let me look again.", "I
  couldn't find ... in our directory"), or a result card.
- results: a result card (a message with a button for one of `CARD_INTENTS`: Remind me, How would I
  get there?).
- safety: the crisis reply: an `urgent_opening`, `help_coming_opening`, `ask_safe` or `ask_directly`
  wording of `safety.yml` (asking directly counts: it is a crisis question). Concern openings (abuse,
  carer strain, cold home, self-neglect) are labelled `concern`, not safety.
- person: an escalation was opened or raised during the turn, or a message says a person is coming
  or offers one (`utter_human_handoff`, `utter_offer_person`, `staff_in_hours`, `staff_out_of_hours`).
- checkin_offer: the check-in offer line (`offer_checkin` in `actions/wording.py`), a button for the
  `start_checkin` intent, or the questionnaire itself (the check-in form's questions) begun without an
  offer on the turn before.
- cheerful: a message (not a card) that opens with one of the `CHEERY` openings ("Lovely", "How
  nice", "That sounds nice", ...).
- repeat: a question (a sentence ending in "?", cards left out) this turn that Kindred also asked in
  one of the two turns before.
- answer: not didnt_follow, and at least one message is something other than a search question, a
  re-ask, a generic prompt (`GENERIC_LINES`: "Tell me something about your week", "Thank you for
  telling me. I'll remember that", utter_ok, ...), a check-in offer or a cheerful opening. Result
  cards count as an answer. This says only that the turn was not dodged, not that the answer is right.
- stops_search: no search question and no result card in the turn's reply.
- acknowledge: a HEURISTIC judge, not a reading. The messages left after removing fallbacks, search
  questions, re-asks, search messages, cards, offers and generic prompts must contain an acknowledgement
  marker (`ACK_MARKERS`: "sorry", "that sounds", "thank you for telling me", "no wonder", "must be",
  "not your fault", "a lot to carry", "your loss", "hard", "takes time", ...) or repeat a content
  word of what the person said (a word of four letters or more, not a stop word, compared by a
  crude stem), and the reply must not open with a cheerful message or be a fallback. It is
  lenient: "I'm so sorry for your loss" after "I nearly died laughing" passes, and so does the
  grief line after a fall; it cannot tell a fitting acknowledgement from a clumsy one. "... naming
  what was said" in the summary counts only the replies that repeat a content word of the
  disclosure, a stricter (and still crude) reading.
- unsuitable: whether a suggestion fits cannot be judged automatically; these tags are counted as
  "not judged".

The summary also measures, whatever the tags say: the share of turns answered with a fallback,
bot messages identical to the one before, questions asked more than twice in a journey, searches
started while a "no" stands (a turn matching `NEGATIVE` starts one; it stands until the person asks
for something, `REQUEST`; offers to look, `offer_find`, are counted apart), and check-ins offered
against the issue's point 3: before `MIN_REAL_MESSAGES` real messages (greetings and buttons do not
count), to someone under 18 (an age they stated, or the age in the journey's `who`), at or after a
disclosure (a turn tagged acknowledge, safety or person), or a second time. For information it also
counts offers to look while a "no" stands, a re-ask sent with the question again in one turn, and
crisis replies in journeys with no turn that expects one (false alarms the tags may not name).

A full record (every turn, reply, label and verdict) is written to `results/conversations/`.
"""

from __future__ import annotations

import ast
import asyncio
import json
import os
import re
import shutil
import statistics
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import yaml

from launcher.paths import ROOT

if TYPE_CHECKING:
    from launcher.stack import Stack

DEFAULT_FILE = ROOT / "tests" / "data" / "journeys_dev.yml"
RESULTS = ROOT / "results" / "conversations"

EXPECT_TAGS = ("acknowledge", "answer", "results", "safety", "person", "stops_search")
NEVER_TAGS = ("didnt_follow", "search", "checkin_offer", "cheerful", "safety", "repeat", "unsuitable")
NOT_JUDGED = ("unsuitable",)

# --- what is read from Kindred's wording (names, not copies of the words) -------------------------
FALLBACK_RESPONSES = ("utter_ask_rephrase", "utter_fallback_options", "utter_default", "utter_out_of_scope")
SEARCH_FORMS = ("suggest_form", "refine_form")
SEARCH_ACTIONS = ("action_suggest_services", "action_more_services", "action_refine_services")
CHECKIN_FORMS = ("checkin_form",)
CHECKIN_OFFER_LINES = ("offer_checkin",)
CHECKIN_INTENTS = ("start_checkin",)
CARD_INTENTS = ("remind_me", "ask_transport")
FIND_OFFER_LINES = ("offer_find",)
FIND_INTENTS = ("ask_local_help",)
PERSON_RESPONSES = ("utter_human_handoff", "utter_offer_person")
PERSON_SAFETY_WORDING = ("staff_in_hours", "staff_out_of_hours")
SAFETY_WORDING = ("urgent_opening", "help_coming_opening", "ask_safe", "ask_directly")
CONCERN_WORDING = ("concern_opening",)
GENERIC_LINES = ("chat", "noted", "place", "name")
GENERIC_RESPONSES = ("utter_ok", "utter_greet_again")

# --- the judge's own word lists (one place each) -------------------------------------------------
CHEERY = re.compile(
    r"^\W*(lovely|how lovely|how nice|how exciting|that'?s lovely|that'?s (great|wonderful|brilliant|nice|"
    r"made me smile)|that sounds (nice|lovely|great|fun|tasty|like a lovely)|it'?s lovely|oh,? i love|great|"
    r"brilliant|wonderful|fantastic|congratulations|mm\b|ooh|british weather|cosy days)",
    re.IGNORECASE,
)
ACK_MARKERS = re.compile(
    r"\bsorry\b|\bthat sounds\b|\bit sounds\b|\bthank(s| you) for (telling|sharing|letting)|\bmust (be|have been)\b|"
    r"\bno wonder\b|\bnot your fault\b|\byour loss\b|\bgrief\b|\bgrieving\b|\ba lot to (carry|take on|deal with)\b|"
    r"\b(is|can be|was|that'?s) (really |so |very |such )?(hard|tough|difficult|a lot|lonely|exhausting|painful)\b|"
    r"\btakes (a lot|courage)\b|\bbig (thing|change)\b|\byou matter\b|\bi'?m glad you (told|came|said|talked)\b|"
    r"\bhard (feeling|time)\b|\bthat'?s a real loss\b|\blos(ing|t) (someone|work|your)\b|\bno right way\b|"
    r"\bchanges everything\b|\b(hard|harder|hardest)\b|\btakes time\b|\bfeel lonely\b|\bdoing so much\b",
    re.IGNORECASE,
)
# A "no" to going anywhere or to a search: a search after it is against the person's wish ...
NEGATIVE = re.compile(
    r"\bdo(n'?t| not) want (to go|sending|a group|a club|to go anywhere|anything like that|to be sent)|"
    r"\bdo(n'?t| not) send me\b|\bno thanks?\b|\bnot interested\b|\bforget it\b|\bcan'?t be bothered\b|"
    r"\bnever ?mind\b|\bleave it\b|\b(just|only) (want|like|fancy) (a chat|to (talk|chat)|some(body|one) to talk)|"
    r"\bi'?d (just|only|rather just) like (a chat|to (talk|chat))|\bjust want to talk\b",
    re.IGNORECASE,
)
NEGATIVE_PRESSES = ("never mind", "not now", "just chat", "no thanks")
# ... until they ask for something themselves.
REQUEST = re.compile(
    r"\b(is|are) there\b|\banything (for|online|by phone|near|local|like that for)\b|\bsomething (for|where|with)\b|"
    r"\bsome(one|body) (who|to (visit|come|ring|call))\b|\blooking for\b|\bfind (me|something)\b|"
    r"\bdo you know (of|any|some)\b|\byou know some\b|\bwhere can i\b|\b[A-Z]{1,2}\d[A-Z\d]?\b",
    re.IGNORECASE,
)
STATED_AGE = re.compile(
    r"\b(?:i'?m|i am|im|aged?)\s+(\d{1,2})\b(?!\s*(?:%|pm|am|hours?|hrs|mins?|minutes|weeks?|months?|miles|quid|k\b))",
    re.IGNORECASE,
)
WHO_AGE = re.compile(r"^[^,]+,\s*(\d{1,3})\b")
MIN_REAL_MESSAGES = 3  # a check-in needs real conversation first: this many says of four words or more
STOP_WORDS = frozenset(
    """
    about above after again against also always anybody anyone anything around away back because been before being
    between both came come comes coming could didn doesn doing done down each even ever every from going gone good
    have having here into just know like little look made make many more most much must never nobody none nothing
    only other over people quite really said same says should since some someone something still such sure than
    that thats their them then there these they thing things think this those though through time told tell too
    under until upon very want wants well went were what when where which while will with would your yours youre
    im ive ill dont didnt cant wont isnt its it's i'm i've i'll don't didn't can't won't isn't you're that's
    theyre they're hes he's shes she's thank thanks hello hiya okay yeah maybe bit lot lots day days week weeks year
    years today now ago last next first again feel feels feeling felt
    """.split()
)


def _norm(text: str) -> str:
    return re.sub(r"\s+", " ", (text or "").replace("\u2019", "'").replace("\u2018", "'")).strip()


def template_pattern(template: str) -> re.Pattern | None:
    """A pattern for a wording with {placeholders}; None when too little of it is fixed to recognise it."""
    parts = re.split(r"\{[a-z_]*\}", _norm(template))
    if sum(len(p.strip()) for p in parts) < 10:
        return None
    return re.compile(r".+?".join(re.escape(p) for p in parts), re.IGNORECASE | re.DOTALL)


# --------------------------------------------------------------------------------------------------
# Kindred's wording
# --------------------------------------------------------------------------------------------------


@dataclass
class Wording:
    """Kindred's wording, as patterns per label, read from domain.yml, actions/ and safety.yml."""

    fallback: list[re.Pattern] = field(default_factory=list)
    search_questions: list[re.Pattern] = field(default_factory=list)
    search_buttons: list[frozenset[str]] = field(default_factory=list)
    reasks: list[re.Pattern] = field(default_factory=list)
    search_messages: list[re.Pattern] = field(default_factory=list)
    checkin_offer: list[re.Pattern] = field(default_factory=list)
    find_offer: list[re.Pattern] = field(default_factory=list)
    checkin_questions: list[re.Pattern] = field(default_factory=list)
    safety: list[re.Pattern] = field(default_factory=list)
    concern: list[re.Pattern] = field(default_factory=list)
    person: list[re.Pattern] = field(default_factory=list)
    generic: list[re.Pattern] = field(default_factory=list)
    card_intents: tuple[str, ...] = CARD_INTENTS
    checkin_intents: tuple[str, ...] = CHECKIN_INTENTS
    find_intents: tuple[str, ...] = FIND_INTENTS
    missing: list[str] = field(default_factory=list)

    def matches(self, label: str, text: str) -> bool:
        """Whether `text` contains a wording of `label`."""
        text = _norm(text)
        return bool(text) and any(p.search(text) for p in getattr(self, label))


def _texts(variants: object) -> list[str]:
    return [v["text"] for v in variants or [] if isinstance(v, dict) and isinstance(v.get("text"), str)]


def _patterns(texts: Iterable[str]) -> list[re.Pattern]:
    return [p for p in (template_pattern(t) for t in texts) if p is not None]


def _constant_text(node: ast.AST | None) -> str | None:
    """A string literal, f-string (its {values} as placeholders) or a sum of them; else None."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):
        return "".join(v.value if isinstance(v, ast.Constant) else "{x}" for v in node.values)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        left, right = _constant_text(node.left), _constant_text(node.right)
        return (left or "{x}") + (right or "{x}") if left or right else None
    return None


def action_messages(source: str, slots: set[str]) -> dict[str, list[str]]:
    """The texts that `validate_<slot>` methods ("reask"), `action_ask_<slot>` actions ("ask") and the
    search actions ("search", `SEARCH_ACTIONS`) in `source` utter."""
    found: dict[str, list[str]] = {"reask": [], "ask": [], "search": []}

    def uttered(tree: ast.AST) -> list[str]:
        texts = []
        for call in ast.walk(tree):
            if isinstance(call, ast.Call) and getattr(call.func, "attr", "") == "utter_message":
                for keyword in call.keywords:
                    if keyword.arg == "text" and (text := _constant_text(keyword.value)):
                        texts.append(text)
        return texts

    tree = ast.parse(source)
    helpers = {n.name: n for n in tree.body if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef)}

    def with_helpers(node: ast.ClassDef) -> list[str]:
        """What the class says, and what the module's functions it calls say (one level down)."""
        called = {c.func.id for c in ast.walk(node) if isinstance(c, ast.Call) and isinstance(c.func, ast.Name)}
        return uttered(node) + [t for name in sorted(called & set(helpers)) for t in uttered(helpers[name])]

    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.name.startswith("validate_"):
            if node.name.removeprefix("validate_") in slots:
                found["reask"] += uttered(node)
        if isinstance(node, ast.ClassDef):
            name = _action_name(node)
            if name.startswith("action_ask_") and name.removeprefix("action_ask_") in slots:
                found["ask"] += uttered(node)
            if name in SEARCH_ACTIONS:
                found["search"] += with_helpers(node)
    return found


def _action_name(node: ast.ClassDef) -> str:
    """What the class's `name()` returns, when it returns a literal."""
    for item in node.body:
        if isinstance(item, ast.FunctionDef) and item.name == "name":
            for statement in ast.walk(item):
                if isinstance(statement, ast.Return) and (text := _constant_text(statement.value)):
                    return text
    return ""


def wording_lines(path: Path) -> dict[str, tuple[str, ...]]:
    """`LINES` of actions/wording.py, read as a literal (the module is not imported)."""
    for node in ast.parse(path.read_text(encoding="utf-8")).body:
        target = (
            node.target
            if isinstance(node, ast.AnnAssign)
            else (node.targets[0] if isinstance(node, ast.Assign) else None)
        )
        if isinstance(target, ast.Name) and target.id == "LINES" and node.value is not None:
            return {str(k): tuple(v) for k, v in ast.literal_eval(node.value).items()}
    return {}


def load_wording(root: Path = ROOT) -> Wording:
    """Read the wording each detector needs; names that are missing are listed in `missing`."""
    domain = yaml.safe_load((root / "domain.yml").read_text(encoding="utf-8")) or {}
    responses: dict = domain.get("responses") or {}
    forms: dict = domain.get("forms") or {}
    intents = {i if isinstance(i, str) else next(iter(i)) for i in domain.get("intents") or []}
    safety = (yaml.safe_load((root / "safety.yml").read_text(encoding="utf-8")) or {}).get("wording") or {}
    numbers = (yaml.safe_load((root / "safety.yml").read_text(encoding="utf-8")) or {}).get("numbers") or {}
    lines = wording_lines(root / "actions" / "wording.py")
    w = Wording()

    def response(name: str) -> list[dict]:
        if name not in responses:
            w.missing.append(f"domain.yml: {name}")
        return responses.get(name) or []

    def line(key: str) -> tuple[str, ...]:
        if key not in lines:
            w.missing.append(f"actions/wording.py: LINES[{key!r}]")
        return tuple(lines.get(key) or ())

    def slots_of(names: tuple[str, ...], fallback: str) -> set[str]:
        chosen = [n for n in names if n in forms]
        if not chosen:
            w.missing.append(f"domain.yml forms: {', '.join(names)}")
            chosen = [n for n, f in forms.items() if fallback in ((f or {}).get("required_slots") or [])]
        return {s for n in chosen for s in ((forms[n] or {}).get("required_slots") or [])}

    for name in FALLBACK_RESPONSES:
        w.fallback += _patterns(_texts(response(name)))
    search_slots = slots_of(SEARCH_FORMS, "location")
    sources = "\n".join(p.read_text(encoding="utf-8") for p in sorted((root / "actions").glob("*.py")))
    from_actions: dict[str, list[str]] = {"reask": [], "ask": [], "search": []}
    for path in sorted((root / "actions").glob("*.py")):
        for key, texts in action_messages(path.read_text(encoding="utf-8"), search_slots).items():
            from_actions[key] += texts
    for slot in sorted(search_slots):
        variants = responses.get(f"utter_ask_{slot}") or []
        if not variants and f"action_ask_{slot}" not in sources:
            w.missing.append(f"the question for slot {slot!r}")
        w.search_questions += _patterns(_texts(variants))
        for variant in variants:
            titles = frozenset(str(b.get("title", "")).lower() for b in variant.get("buttons") or [])
            if titles:
                w.search_buttons.append(titles)
    w.search_questions += _patterns(from_actions["ask"])
    w.reasks += _patterns(from_actions["reask"])
    w.search_messages += _patterns(from_actions["search"])
    if not from_actions["search"]:
        w.missing.append(f"actions/: what {', '.join(SEARCH_ACTIONS)} say")
    for key in CHECKIN_OFFER_LINES:
        w.checkin_offer += _patterns(line(key))
    for key in FIND_OFFER_LINES:
        w.find_offer += _patterns(line(key))
    for slot in sorted(slots_of(CHECKIN_FORMS, "ons_lonely")):
        w.checkin_questions += _patterns(_texts(response(f"utter_ask_{slot}")))
    for key in SAFETY_WORDING:
        value = safety.get(key)
        if value is None:
            w.missing.append(f"safety.yml wording: {key}")
        texts = list(value.values()) if isinstance(value, dict) and "text" not in value else [value]
        texts = [t["text"] if isinstance(t, dict) else t for t in texts]
        w.safety += _patterns(_fill(t, numbers) for t in texts if isinstance(t, str))
    for key in CONCERN_WORDING:
        w.concern += _patterns(str(t) for t in (safety.get(key) or {}).values())
    for name in PERSON_RESPONSES:
        w.person += _patterns(_texts(response(name)))
    for key in PERSON_SAFETY_WORDING:
        if key not in safety:
            w.missing.append(f"safety.yml wording: {key}")
        w.person += _patterns([str(safety.get(key) or "")])
    for key in GENERIC_LINES:
        w.generic += _patterns(line(key))
    for name in GENERIC_RESPONSES:
        w.generic += _patterns(_texts(response(name)))
    for intent in (*CARD_INTENTS, *CHECKIN_INTENTS, *FIND_INTENTS):
        if intent not in intents:
            w.missing.append(f"domain.yml intent: {intent}")
    return w


def _fill(template: str, numbers: dict) -> str:
    for key, value in numbers.items():
        template = template.replace("{" + str(key) + "}", str(value))
    return template


# --------------------------------------------------------------------------------------------------
# Labelling replies and judging tags
# --------------------------------------------------------------------------------------------------


def _payload_intent(payload: str) -> str:
    return re.split(r"[{\s]", payload.removeprefix("/"), maxsplit=1)[0] if payload.startswith("/") else ""


def labels(message: dict, wording: Wording) -> set[str]:
    """What one bot message is: fallback, search_q, reask, search_msg, card, checkin_offer, checkin_q,
    find_offer, safety, concern, person, generic, cheerful (empty for anything else)."""
    text = message.get("text") or ""
    buttons = message.get("buttons") or []
    intents = {_payload_intent(str(b.get("payload") or "")) for b in buttons}
    titles = frozenset(str(b.get("title", "")).lower() for b in buttons)
    found = set()
    if intents & set(wording.card_intents):
        found.add("card")
    if wording.matches("fallback", text):
        found.add("fallback")
    if wording.matches("search_questions", text) or (titles and titles in wording.search_buttons):
        found.add("search_q")
    if wording.matches("reasks", text):
        found.add("reask")
    if wording.matches("search_messages", text):
        found.add("search_msg")
    if wording.matches("checkin_offer", text) or intents & set(wording.checkin_intents):
        found.add("checkin_offer")
    if wording.matches("checkin_questions", text):
        found.add("checkin_q")
    if wording.matches("find_offer", text) or intents & set(wording.find_intents):
        found.add("find_offer")
    if wording.matches("safety", text):
        found.add("safety")
    if wording.matches("concern", text):
        found.add("concern")
    if wording.matches("person", text):
        found.add("person")
    if wording.matches("generic", text):
        found.add("generic")
    if "card" not in found and CHEERY.search(_norm(text)):
        found.add("cheerful")
    return found


def questions(text: str) -> list[str]:
    """The questions in a message: its sentences that end with a question mark, normalised."""
    sentences = re.split(r"(?<=[.!?])\s+|\n+", _norm(text))
    return [re.sub(r"[^a-z0-9' ]", "", s.lower()).strip() for s in sentences if s.strip().endswith("?")]


def _stem(word: str) -> str:
    for suffix in ("ing", "ed", "es", "s", "'s"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 4:
            return word[: -len(suffix)]
    return word


def content_words(text: str) -> set[str]:
    """Crude stems of the words that carry meaning (four letters or more, not stop words)."""
    words = re.findall(r"[a-z][a-z']+", _norm(text).lower())
    return {_stem(w.strip("'")) for w in words if len(w) >= 4 and w not in STOP_WORDS}


LISTENING_EXCLUDED = {"fallback", "search_q", "reask", "search_msg", "card", "checkin_offer", "checkin_q", "find_offer",
                      "generic"}  # fmt: skip


def acknowledgement(said: str, replies: list[dict]) -> tuple[bool, bool]:
    """(acknowledged, names it): the heuristic described in the module docstring."""
    if not replies or any("fallback" in r["labels"] for r in replies) or "cheerful" in replies[0]["labels"]:
        return False, False
    listening = [r["text"] for r in replies if not r["labels"] & LISTENING_EXCLUDED]
    text = " ".join(listening)
    if not text:
        return False, False
    named = bool(content_words(said) & content_words(text))
    return bool(ACK_MARKERS.search(_norm(text))) or named, named


def is_search(replies: list[dict]) -> bool:
    """A search question, a re-ask of one, or result cards."""
    return any(r["labels"] & {"search_q", "reask", "search_msg", "card"} for r in replies)


def is_answer(replies: list[dict]) -> bool:
    """Not a fallback, and something besides form questions, generic prompts and cheer."""
    if not replies or any("fallback" in r["labels"] for r in replies):
        return False
    dodging = {"search_q", "reask", "generic", "checkin_offer", "checkin_q", "find_offer", "cheerful"}
    return any("card" in r["labels"] or not r["labels"] & dodging for r in replies)


@dataclass
class Turn:
    """One turn of a journey as written."""

    say: str | None = None
    press: str | None = None
    expect: list[str] = field(default_factory=list)
    never: list[str] = field(default_factory=list)

    @property
    def words(self) -> str:
        """What the person typed or pressed."""
        return self.say if self.say is not None else f"[{self.press}]"


@dataclass
class Journey:
    """A person and what they say."""

    id: str
    who: str
    turns: list[Turn]


def load_journeys(path: Path) -> list[Journey]:
    """Read and check a journey file."""
    document = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
    if not isinstance(document, dict) or not isinstance(document.get("journeys"), list):
        raise ValueError(f"{path}: expected a top-level `journeys:` list")
    journeys, seen = [], set()
    for item in document["journeys"]:
        jid = str(item.get("id") or "")
        if not jid or jid in seen:
            raise ValueError(f"{path}: a journey without an id, or a repeated id ({jid!r})")
        seen.add(jid)
        turns = []
        for i, raw in enumerate(item.get("turns") or [], start=1):
            turn = Turn(
                say=raw.get("say"), press=raw.get("press"), expect=list(raw.get("expect") or []),
                never=list(raw.get("never") or []),
            )  # fmt: skip
            if (turn.say is None) == (turn.press is None):
                raise ValueError(f"{path}: {jid} turn {i}: give `say` or `press`")
            unknown = [t for t in turn.expect if t not in EXPECT_TAGS] + [t for t in turn.never if t not in NEVER_TAGS]
            if unknown:
                raise ValueError(f"{path}: {jid} turn {i}: unknown tag(s) {unknown}")
            turns.append(turn)
        journeys.append(Journey(jid, str(item.get("who") or ""), turns))
    return journeys


@dataclass
class Verdict:
    """One tag on one turn."""

    kind: str  # expect | never
    tag: str
    ok: bool | None  # None: not judged
    why: str = ""


def checkin_offered(replies: list[dict], previous: list[dict] | None) -> bool:
    """An offer of the check-in, or its questionnaire begun without an offer the turn before."""
    if any("checkin_offer" in r["labels"] for r in replies):
        return True
    started = any("checkin_q" in r["labels"] for r in replies)
    offered_before = bool(previous) and any(r["labels"] & {"checkin_offer", "checkin_q"} for r in previous or [])
    return started and not offered_before


def judge_turn(turn: Turn, record: dict, history: list[dict]) -> list[Verdict]:
    """Judge the tags of one turn. `history` holds the turns before it (the welcome first)."""
    replies = record["replies"]
    verdicts: list[Verdict] = []
    fallback = any("fallback" in r["labels"] for r in replies)
    search = is_search(replies)
    earlier = {
        q for past in history[-2:] for r in past["replies"] if "card" not in r["labels"] for q in questions(r["text"])
    }
    asked = [q for r in replies if "card" not in r["labels"] for q in questions(r["text"])]
    repeated = [q for q in asked if q in earlier]
    person = bool(record.get("escalation")) or any("person" in r["labels"] for r in replies)
    previous = history[-1]["replies"] if history else None
    observed = {
        "didnt_follow": (fallback, "a fallback reply"),
        "search": (search, "a search question or result cards"),
        "results": (any("card" in r["labels"] for r in replies), "result cards"),
        "safety": (any("safety" in r["labels"] for r in replies), "the crisis reply"),
        "person": (person, record.get("escalation") or "a person offered or brought in"),
        "checkin_offer": (checkin_offered(replies, previous), "the check-in offered"),
        "cheerful": (any("cheerful" in r["labels"] for r in replies), "a cheerful opening"),
        "repeat": (bool(repeated), f"asked again: {repeated[0]!r}" if repeated else ""),
        "answer": (is_answer(replies), "an answer"),
        "stops_search": (not search, "no search question"),
    }
    for tag in turn.expect:
        if tag in NOT_JUDGED:
            verdicts.append(Verdict("expect", tag, None, "not judged"))
        elif tag == "acknowledge":
            ok, named = acknowledgement(turn.say or "", replies)
            verdicts.append(Verdict("expect", tag, ok, "names it" if named else ("acknowledged" if ok else "")))
        else:
            ok, why = observed[tag]
            verdicts.append(Verdict("expect", tag, ok, why))
    for tag in turn.never:
        if tag in NOT_JUDGED:
            verdicts.append(Verdict("never", tag, None, "not judged"))
        else:
            happened, why = observed[tag]
            verdicts.append(Verdict("never", tag, not happened, why if happened else ""))
    return verdicts


# --------------------------------------------------------------------------------------------------
# Metrics over whole journeys, whatever the tags say
# --------------------------------------------------------------------------------------------------


def journey_metrics(journey: Journey, records: list[dict], welcome: dict | None) -> dict:
    """Fallback turns, identical consecutive messages, questions asked 3+ times, searches against a
    "no", and check-ins offered against point 3, with the turns where they happened."""
    out: dict = {"turns": len(records), "didnt_follow": [], "identical": [], "asked_3": [], "search_after_no": [],
                 "offer_after_no": [], "checkin_bad": [], "checkins": 0, "double_ask": [],
                 "unexpected_crisis": []}  # fmt: skip
    flat = [r for r in (welcome or {}).get("replies", [])]
    previous_text = flat[-1]["text"] if flat else None
    asked: Counter[str] = Counter()
    for r in flat:
        if "card" not in r["labels"]:
            asked.update(set(questions(r["text"])))
    no_stands = False
    real_messages = 0
    under_18 = None
    match = WHO_AGE.search(journey.who)
    if match and int(match.group(1)) < 18:
        under_18 = "under 18 (from who)"
    disclosed = False
    offers = 0
    history = [welcome] if welcome else []
    crisis_journey = any("safety" in t.expect for t in journey.turns)
    for number, (turn, record) in enumerate(zip(journey.turns, records, strict=False), start=1):
        replies = record["replies"]
        said = turn.say or ""
        if not crisis_journey and any("safety" in r["labels"] for r in replies):
            out["unexpected_crisis"].append(number)
        if any("fallback" in r["labels"] for r in replies):
            out["didnt_follow"].append(number)
        for r in replies:
            if r["text"] and r["text"] == previous_text:
                out["identical"].append(number)
            previous_text = r["text"] or previous_text
        turn_questions = {q for r in replies if "card" not in r["labels"] for q in questions(r["text"])}
        for q in turn_questions:
            asked[q] += 1
            if asked[q] == 3:
                out["asked_3"].append((number, q))
        reasked = any("reask" in r["labels"] for r in replies)
        if reasked and any(r["labels"] & {"search_q", "reask"} == {"search_q"} for r in replies):
            out["double_ask"].append(number)
        # A "no" stands from the turn it is said until the person asks for something again.
        negative = bool(NEGATIVE.search(said)) or (turn.press or "").lower() in NEGATIVE_PRESSES
        if negative and not REQUEST.search(said):  # "not a group, but something where ..." asks for something
            no_stands = True
        elif no_stands and REQUEST.search(said):
            no_stands = False
        if no_stands and is_search(replies):
            out["search_after_no"].append(number)
        if no_stands and any("find_offer" in r["labels"] for r in replies):
            out["offer_after_no"].append(number)
        # Point 3: real conversation first, never to under-18s, never after a disclosure, not twice.
        if turn.say is not None and len(said.split()) >= 4:
            real_messages += 1
        age = STATED_AGE.search(said)
        if age and int(age.group(1)) < 18:
            under_18 = "under 18 (stated)"
        if {"acknowledge", "safety", "person"} & set(turn.expect):
            disclosed = True
        if checkin_offered(replies, history[-1]["replies"] if history else None):
            offers += 1
            reasons = []
            if real_messages < MIN_REAL_MESSAGES:
                reasons.append(f"after {real_messages} real message(s)")
            if under_18:
                reasons.append(under_18)
            if disclosed:
                reasons.append("after a disclosure")
            if offers > 1:
                reasons.append("offered again")
            if reasons:
                out["checkin_bad"].append((number, ", ".join(reasons)))
        history.append(record)
    out["checkins"] = offers
    return out


# --------------------------------------------------------------------------------------------------
# Talking to the stack
# --------------------------------------------------------------------------------------------------


class WebChat:
    """A resident using the web chat API over HTTP, as the chat page does."""

    def __init__(self, http: object, base: str) -> None:
        self.http = http
        self.base = base
        self.token = ""

    @property
    def _auth(self) -> dict[str, str]:
        """The header that carries the conversation's token."""
        return {"Authorization": f"Bearer {self.token}"}

    async def start(self) -> None:
        """A new conversation."""
        async with self.http.post(f"{self.base}/api/chat/session", json={}) as r:
            if r.status != 201:
                raise RuntimeError(f"could not open a chat session: HTTP {r.status}")
            self.token = (await r.json())["token"]

    async def send(self, text: str | None = None, payload: str | None = None, title: str | None = None,
                   timeout: float = 90) -> list[dict]:  # fmt: skip
        """Send a message and return the bot's replies to it once Rasa has finished the turn."""
        body: dict = {}
        if text is not None:
            body["text"] = text
        if payload is not None:
            body["payload"] = payload
        if title is not None:
            body["title"] = title
        async with self.http.post(
            f"{self.base}/api/chat/messages", params={"wait": "true"}, json=body, headers=self._auth
        ) as r:
            data = await r.json()
            if r.status not in (200, 202):
                raise RuntimeError(f"the gateway refused a message: HTTP {r.status} {data}")
        if data.get("state") == "delivered" and "replies" in data:
            return data["replies"]
        return await self._poll(data["id"], timeout)

    async def _poll(self, message_id: int, timeout: float) -> list[dict]:
        """Slower than the gateway's wait: poll the history (a hidden message is never listed)."""
        deadline, quiet_since, last = time.monotonic() + timeout, None, None
        while time.monotonic() < deadline:
            async with self.http.get(f"{self.base}/api/chat/history", headers=self._auth) as r:
                messages = (await r.json())["messages"]
            mine = next((m for m in messages if m["id"] == message_id), None)
            replies = [m for m in messages if m.get("reply_to") == message_id]
            if mine is not None and mine["state"] == "delivered":
                return replies
            if mine is None and replies:
                if len(replies) != last:
                    last, quiet_since = len(replies), time.monotonic()
                elif time.monotonic() - quiet_since > 2:
                    return replies
            await asyncio.sleep(0.2)
        raise TimeoutError(f"no answer to message {message_id} within {timeout:.0f} s")


def _button_for(title: str, last: list[dict]) -> dict | None:
    """The button with this title in the last reply (exactly, else one that begins with it)."""
    wanted = title.strip().lower()
    buttons = [b for m in reversed(last) for b in (m.get("buttons") or [])]
    for b in buttons:
        if str(b.get("title", "")).strip().lower() == wanted:
            return b
    for b in buttons:
        found = str(b.get("title", "")).strip().lower()
        if found.startswith(wanted) and not found[len(wanted) : len(wanted) + 1].isalpha():
            return b
    return None


class Escalations:
    """Snapshots of a conversation's escalations in the app database, to see what a turn changed."""

    def __init__(self, url: str) -> None:
        from sqlalchemy import create_engine

        self.engine = create_engine(url)

    def conversation(self, token: str) -> str | None:
        """The conversation id behind a web chat token."""
        from sqlalchemy import text

        from bot.store import token_hash

        with self.engine.connect() as connection:
            row = connection.execute(
                text("SELECT id FROM conversations WHERE external_id = :e"), {"e": token_hash("web", token)}
            ).first()
        return row[0] if row else None

    def snapshot(self, conversation_id: str | None) -> dict[int, tuple]:
        """Each escalation's id -> (level, risk types, reason, updated)."""
        if conversation_id is None:
            return {}
        from sqlalchemy import select
        from sqlalchemy.orm import Session

        from bot.models import Escalation

        with Session(self.engine) as session:
            rows = session.scalars(select(Escalation).where(Escalation.conversation_id == conversation_id))
            return {e.id: (e.level, tuple(e.risk_types or ()), e.reason, str(e.updated_at)) for e in rows}

    @staticmethod
    def change(before: dict[int, tuple], after: dict[int, tuple]) -> str:
        """What changed, in words ('' for nothing)."""
        notes = []
        for key, (level, types, reason, _) in sorted(after.items()):
            kinds = f" ({', '.join(types)})" if types else ""
            if key not in before:
                notes.append(f"escalation opened: {level}{kinds}, {reason}")
            elif before[key] != after[key]:
                notes.append(f"escalation updated: {level}{kinds}, {reason}")
        return "; ".join(notes)

    def close(self) -> None:
        """Release the database."""
        self.engine.dispose()


def _view(message: dict, wording: Wording) -> dict:
    return {
        "text": message.get("text") or "",
        "buttons": [{"title": b.get("title"), "payload": b.get("payload")} for b in message.get("buttons") or []],
        "source": message.get("source"),
        "labels": labels(message, wording),
    }


async def run_journey(http: object, base: str, journey: Journey, wording: Wording, db: Escalations) -> dict:
    """Play one journey as a new resident; returns the welcome and a record per turn."""
    chat = WebChat(http, base)
    await chat.start()
    cid = await asyncio.to_thread(db.conversation, chat.token)
    began = time.monotonic()
    welcome = {"replies": [_view(m, wording) for m in await chat.send(payload="/greet")], "escalation": ""}
    welcome["seconds"] = time.monotonic() - began
    records: list[dict] = []
    last = welcome["replies"]
    error = ""
    for turn in journey.turns:
        before = await asyncio.to_thread(db.snapshot, cid)
        began = time.monotonic()
        sent: dict = {}
        try:
            if turn.say is not None:
                sent = {"text": turn.say}
            else:
                button = _button_for(turn.press or "", last)
                sent = (
                    {"payload": str(button["payload"]), "title": str(button["title"])}
                    if button
                    else {"text": turn.press}
                )
            replies = await chat.send(**sent)
        except (TimeoutError, RuntimeError) as problem:
            error = f"turn {len(records) + 1}: {problem}"
            replies = []
        after = await asyncio.to_thread(db.snapshot, cid)
        record = {
            "sent": sent,
            "replies": [_view(m, wording) for m in replies],
            "escalation": Escalations.change(before, after),
            "seconds": time.monotonic() - began,
        }
        records.append(record)
        last = record["replies"] or last
        if error:
            break
    return {"welcome": welcome, "records": records, "error": error}


# --------------------------------------------------------------------------------------------------
# Report
# --------------------------------------------------------------------------------------------------


def _short(text: str, width: int = 160) -> str:
    text = _norm(text)
    return text if len(text) <= width else text[: width - 1] + "…"


def _reply_lines(replies: list[dict], width: int = 160) -> list[str]:
    lines = []
    for r in replies:
        marks = ",".join(sorted(r["labels"]))
        head = "[card] " if "card" in r["labels"] else ""
        body = _short(r["text"].split("\n")[0] if "card" in r["labels"] else r["text"], width)
        buttons = " ".join(f"[{b['title']}]" for b in r["buttons"] if "card" not in r["labels"])
        lines.append(f"{head}{body}{' ' + buttons if buttons else ''}{f'  <{marks}>' if marks else ''}")
    return lines or ["(no reply)"]


def _percent(part: int, whole: int) -> str:
    return f"{part}/{whole} ({100 * part / whole:.0f}%)" if whole else "0/0"


def _print_turn(label: str, turn: Turn, record: dict, indent: str = "    ") -> None:
    print(f"{label}: {_short(turn.words, 150)}")
    for line in _reply_lines(record["replies"]):
        print(f"{indent}Kindred: {line}")
    if record["escalation"]:
        print(f"{indent}({record['escalation']})")


METRIC_NAMES = {
    "didnt_follow": "answered with a fallback",
    "identical": "a reply identical to the one before",
    "asked_3": "a question asked for the third time",
    "search_after_no": 'a search while a "no" stands',
    "offer_after_no": 'an offer to look while a "no" stands',
    "checkin_bad": "a check-in offered against point 3",
    "double_ask": "a re-ask and the question in one turn",
    "unexpected_crisis": "a crisis reply in a journey that expects none",
}


def summarise(journeys: list[Journey], played: dict[str, dict], show: bool = False) -> dict:
    """Judge every turn, print failures (and transcripts with `show`) and the summary; returns the figures."""
    tag_counts: dict[tuple[str, str], list[int]] = {}  # ok, failed, not judged
    ack = Counter()
    totals: Counter[str] = Counter()
    seconds: list[float] = []
    judged: dict[str, list] = {}
    across: list[tuple[str, int, str, str]] = []  # journey, turn, what, detail
    for journey in journeys:
        run = played[journey.id]
        records, welcome = run["records"], run["welcome"]
        history = [welcome]
        turn_verdicts = []
        if show:
            print(f"\n=== {journey.id}: {journey.who}")
            for line in _reply_lines(welcome["replies"], 100):
                print(f"      Kindred: {line}")
        for number, (turn, record) in enumerate(zip(journey.turns, records, strict=False), start=1):
            verdicts = judge_turn(turn, record, history)
            turn_verdicts.append([asdict(v) for v in verdicts])
            seconds.append(record["seconds"])
            for v in verdicts:
                tag_counts.setdefault((v.kind, v.tag), [0, 0, 0])[0 if v.ok else 2 if v.ok is None else 1] += 1
                if v.kind == "expect" and v.tag == "acknowledge":
                    ack["total"] += 1
                    ack["ok"] += bool(v.ok)
                    ack["named"] += v.why == "names it"
            failed = [v for v in verdicts if v.ok is False]
            if show:
                _print_turn(f"  {number}. {'press' if turn.press else 'says'}", turn, record, "      ")
                for v in failed:
                    print(f"      FAILED {v.kind} {v.tag}{': ' + v.why if v.why else ''}")
            elif failed:
                _print_turn(f"{journey.id} turn {number}", turn, record)
                tags = "; ".join(f"{v.kind} {v.tag}" + (f" ({v.why})" if v.kind == "never" else "") for v in failed)
                print(f"    failed: {tags}")
            history.append(record)
        metrics = journey_metrics(journey, records, welcome)
        judged[journey.id] = [turn_verdicts, metrics]
        totals["turns"] += metrics["turns"]
        totals["checkins"] += metrics["checkins"]
        for key in METRIC_NAMES:
            totals[key] += len(metrics[key])
            for item in metrics[key]:
                number, detail = item if isinstance(item, tuple) else (item, "")
                tagged = key == "didnt_follow" and "didnt_follow" in journey.turns[number - 1].never
                if not tagged:  # a fallback on a turn tagged `never: didnt_follow` is listed above already
                    across.append((journey.id, number, key, detail))
        if run["error"]:
            totals["errors"] += 1
            print(f"{journey.id}: HARNESS ERROR {run['error']}")
    if across:
        print("\nWhatever the tags say:")
        for jid, number, key, detail in across:
            journey = next(j for j in journeys if j.id == jid)
            record = played[jid]["records"][number - 1]
            _print_turn(f"{jid} turn {number}", journey.turns[number - 1], record)
            print(f"    {METRIC_NAMES[key]}{': ' + detail if detail else ''}")
    turns = totals["turns"]
    median = statistics.median(seconds) if seconds else 0.0
    print("\n" + "=" * 100)
    print(f"{len(journeys)} journeys, {turns} turns; median turn {median:.2f} s")
    rows = [
        ("disclosures acknowledged (heuristic)", _percent(ack["ok"], ack["total"]), "100%",
         ack["ok"] == ack["total"]),
        ("  ... naming what was said (stricter)", _percent(ack["named"], ack["total"]), "(info)", None),
        ('turns answered "didn\'t follow"', _percent(totals["didnt_follow"], turns), "<= 3%",
         totals["didnt_follow"] <= 0.03 * turns),
        ("identical consecutive replies", str(totals["identical"]), "0", totals["identical"] == 0),
        ("questions asked more than twice", str(totals["asked_3"]), "0", totals["asked_3"] == 0),
        ('searches started against a "no"', str(totals["search_after_no"]), "0", totals["search_after_no"] == 0),
        ('offers to look against a "no"', str(totals["offer_after_no"]), "(info)", None),
        ("check-ins offered against point 3", f"{totals['checkin_bad']} (of {totals['checkins']} offered)", "0",
         totals["checkin_bad"] == 0),
        ("re-ask and question in one turn", str(totals["double_ask"]), "(info)", None),
        ("crisis replies in journeys without a crisis", str(totals["unexpected_crisis"]), "(info)", None),
    ]  # fmt: skip
    print(f"\n{'measure':<46}{'value':<26}{'goal':<8}")
    for name, value, goal, met in rows:
        print(f"{name:<46}{value:<26}{goal:<8}{'' if met is None else 'met' if met else 'NOT MET'}")
    print(f"\n{'tag':<24}{'held':>8}{'failed':>8}{'not judged':>12}")
    for kind, names in (("expect", EXPECT_TAGS), ("never", NEVER_TAGS)):
        for tag in names:
            ok, failed, skipped = tag_counts.get((kind, tag), [0, 0, 0])
            if ok or failed or skipped:
                print(f"{kind + ' ' + tag:<24}{ok:>8}{failed:>8}{skipped:>12}")
    if totals["errors"]:
        print(f"\n{totals['errors']} journey(s) stopped by a harness error (see above)")
    figures = {
        "journeys": len(journeys),
        "turns": turns,
        "acknowledged": [ack["ok"], ack["total"]],
        "named": [ack["named"], ack["total"]],
        **{key: totals[key] for key in METRIC_NAMES},
        "checkins": totals["checkins"],
        "errors": totals["errors"],
        "tags": {f"{k} {t}": v for (k, t), v in tag_counts.items()},
        "median_turn_seconds": median,
    }
    return {"figures": figures, "judged": judged}


# --------------------------------------------------------------------------------------------------
# The command
# --------------------------------------------------------------------------------------------------


async def play_all(base: str, journeys: list[Journey], wording: Wording, database_url: str) -> dict[str, dict]:
    """Play every journey in turn (one at a time: the machine's cores are shared)."""
    import aiohttp

    db = Escalations(database_url)
    played: dict[str, dict] = {}
    try:
        async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=180)) as http:
            warm = WebChat(http, base)  # Rasa's first turn is slow: never let it race the safety net
            await warm.start()
            await warm.send(text="hello", timeout=180)
            for index, journey in enumerate(journeys, start=1):
                began = time.monotonic()
                played[journey.id] = await run_journey(http, base, journey, wording, db)
                print(
                    f"  [{index}/{len(journeys)}] {journey.id}: {len(journey.turns)} turns, "
                    f"{time.monotonic() - began:.1f} s{'  ERROR' if played[journey.id]['error'] else ''}",
                    flush=True,
                )
    finally:
        db.close()
    return played


def _serialisable(value: object) -> object:
    if isinstance(value, set):
        return sorted(value)
    if isinstance(value, dict):
        return {str(k): _serialisable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_serialisable(v) for v in value]
    return value


def evaluate_conversations(
    file: str | None = None,
    journey_id: str | None = None,
    show: bool = False,
    stack: Stack | None = None,
    out_dir: Path = RESULTS,
) -> int:
    """Run the journeys through a stack of their own (or `stack`) and print failures and the summary."""
    from launcher.stack import Stack, isolated_env
    from launcher.training import ensure_trained

    path = Path(file) if file else DEFAULT_FILE
    journeys = load_journeys(path)
    if journey_id:
        journeys = [j for j in journeys if j.id == journey_id]
        if not journeys:
            print(f"kindred: no journey {journey_id!r} in {path}", file=sys.stderr)
            return 2
    wording = load_wording()
    if wording.missing:
        print("kindred: wording the detectors look for was not found (their labels will be missed):")
        for name in wording.missing:
            print(f"  {name}")
    if stack is not None:
        played = asyncio.run(play_all(stack.settings.gateway_url, journeys, wording, stack.settings.app_database_url))
    else:
        model = Path(os.environ["KINDRED_MODEL"]) if os.environ.get("KINDRED_MODEL") else ensure_trained(quiet=True)
        var = Path(tempfile.mkdtemp(prefix="kindred-eval-conversations-"))
        print(f"kindred: {len(journeys)} journeys from {path}; starting a stack of its own ({model.name})", flush=True)
        own = Stack(model, isolated_env(var), echo=False)
        try:
            own.start()
            played = asyncio.run(play_all(own.settings.gateway_url, journeys, wording, own.settings.app_database_url))
        except RuntimeError as error:
            print(f"kindred: could not run the journeys: {error}", file=sys.stderr)
            return 1
        finally:
            own.stop()
            shutil.rmtree(var, ignore_errors=True)
    print(f"\nFailures ({path.name}{', journey ' + journey_id if journey_id else ''}):")
    result = summarise(journeys, played, show=show)
    out_dir.mkdir(parents=True, exist_ok=True)
    out = out_dir / f"{path.stem}{'-' + journey_id if journey_id else ''}.json"
    record = {"file": str(path), "figures": result["figures"], "journeys": {}}
    for journey in journeys:
        verdicts, metrics = result["judged"][journey.id]
        record["journeys"][journey.id] = {
            "who": journey.who,
            "welcome": played[journey.id]["welcome"],
            "turns": [
                {"said": turn.words, **rec, "verdicts": v}
                for turn, rec, v in zip(journey.turns, played[journey.id]["records"], verdicts, strict=False)
            ],
            "metrics": metrics,
            "error": played[journey.id]["error"],
        }
    out.write_text(json.dumps(_serialisable(record), indent=1, ensure_ascii=False), encoding="utf-8")
    print(f"\nEvery turn, reply and verdict: {out}")
    return 0
