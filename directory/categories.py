"""The directory's vocabularies, in one place: Kindred's categories and audiences, and the words that mean them.

Kindred has a small category vocabulary of its own (esd has no befriending type), mapped to LGA esd
service types where they exist. A service is placed in categories and audiences from three things:
the esd codes of its taxonomy terms; the names of the feed's own categories, taxonomy terms and
audiences (`feed_labels`: "Carers support groups", "Social activity", "LGBTQ+"), read with the same
words as its text; and words in its name and description. Synonyms are rewritten to one form on
both sides of search ("luncheon club" is indexed and searched as "lunch club"); `RELATED` widens a
resident's words at search time only ("money" also looks for "debt" and "benefits").

Word lists are regular expressions matched at the start of a word ("bereave" finds "bereavement";
"bus\\b" finds "bus" and not "business"), on lower-case text after `canonical`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache


@dataclass(frozen=True)
class Category:
    """One category: its key, what residents call it, the esd codes and the words that mean it."""

    key: str
    label: str
    esd: tuple[str, ...] = ()
    words: tuple[str, ...] = ()


CATEGORIES: tuple[Category, ...] = (
    Category("befriending", "Befriending (visits and phone calls)", (),
             ("befriending", "telephone friend", "visiting service", "good neighbour", "companionship")),
    Category("activities", "Activities and groups", ("241", "640", "297"),
             ("club", "group", "choir", "class", "shed", "coffee morning", "walk", "craft", "art\\b", "dance",
              "social activit", "physical activit", "leisure", "hobb", "bingo", "knit", "game")),
    Category("day_centres", "Community and day centres", ("296",), ("day centre", "day care")),
    Category("transport", "Community transport and volunteer drivers", ("272", "901"),
             ("community transport", "bus\\b", "minibus", "volunteer driver", "car service", "transport")),
    Category("respite", "Respite and short breaks", ("227", "1790"), ("respite", "sitting service", "short break")),
    Category("carers", "Support for carers", ("298", "225", "1755"), ("carer",)),
    Category("young_carers", "Young carers", ("300",), ("young carer",)),
    Category("advice", "Advice and information", (),
             ("advice", "welfare rights", "debt", "benefits advice", "universal credit", "advocacy", "budgeting")),
    Category("bereavement", "Bereavement support", ("328",), ("bereave", "grief", "widow")),
    Category("counselling", "Counselling and mental wellbeing", ("163",),
             ("counselling", "mental health", "talking therap", "listening service", "wellbeing caf")),
    Category("parents", "New parents and families", (),
             ("baby", "babies", "perinatal", "toddler", "mums\\b", "antenatal", "breastfeeding", "stay and play")),
    Category("young_people", "Young people", (), ("youth", "young people", "teen")),
    Category("food", "Meals and lunch clubs", ("315",),
             ("lunch club", "meals", "lunch", "food bank", "pantry", "food aid", "foodshare")),
    Category("volunteering", "Volunteering and time banks", ("1113",),
             ("volunteering", "time bank", "timebank", "become a volunteer")),
)  # fmt: skip
BY_KEY = {c.key: c for c in CATEGORIES}
_BY_ESD = {code: c.key for c in CATEGORIES for code in c.esd}

# Who a service is for, and the words that say so.
AUDIENCES: dict[str, tuple[str, ...]] = {
    "carers": ("carer",),
    "older_people": ("older", "over 50", "over 55", "over 60", "over 65", "aged 50", "aged 55", "aged 60",
                     "retired", "pensioner", "elderly", "senior citizen", "later life"),
    "young_people": ("young people", "youth", "teen", "aged 11", "aged 13"),
    "new_parents": ("new parent", "baby", "perinatal", "new mums", "antenatal"),
    "lgbt": ("lgbt",),
    "men": ("mens shed", "men's", "men\\b", "male\\b", "dads?\\b"),
    "migrants": ("refugee", "asylum", "migrant", "esol"),
}  # fmt: skip

# What a location offers disabled people, and the words that say so.
ACCESS: dict[str, tuple[str, ...]] = {
    "wheelchair": ("wheelchair",),
    "step_free": ("step-free", "step free", "level access", "lift to all floors", "ramp"),
    "hearing_loop": ("hearing loop", "induction loop"),
    "accessible_toilet": ("accessible toilet", "disabled toilet"),
}

# Phrases that mean the same, rewritten to one form in documents and queries alike.
SYNONYMS: tuple[tuple[str, str], ...] = (
    (r"\bluncheon (?:clubs?|groups?)\b|\blunch (?:clubs|groups?)\b", "lunch club"),
    (r"\bbefriend(?:er|ers|s)?\b", "befriending"),
    (r"\bdial[- ]a[- ]ride\b", "community transport"),
    (r"\bvolunteer drivers?\b", "community transport"),
    (r"\b(?:voluntary )?car (?:schemes?|services?)\b", "community transport"),
    (r"\bmen'?s sheds?\b|\bmen in sheds?\b", "mens shed"),
    (r"\bsitting services?\b", "respite"),
    (r"\bshort breaks?\b", "respite"),
    (r"\bcarers?'?\b", "carer"),
    (r"\bcoffee mornings?\b", "coffee morning"),
    (r"\b(?:sing(?:ing|ers|s)?|choirs?|choral|singalongs?)\b", "choir"),
    (r"\blgbt[a-z]*\+?|\bgay\b|\blesbians?\b|\bbisexual\b|\btransgender\b|\bqueer\b", "lgbt"),
    (r"\bover[- ](\d\d)'?s\b", r"over \1"),
    (r"\bfood ?banks?\b", "food bank"),
    (r"\bcafés?\b|\bcafes\b", "cafe"),
    (r"\bknit(?:ting|ters?)?\b", "knit"),
    (r"\bwalks?\b|\bwalking\b|\bstroll(?:s|ing)?\b|\brambl(?:e|es|ing|ers)\b", "walk"),
    (r"\bgriev(?:e|ing)\b", "grief"),
    (r"\bbereaved\b", "bereavement"),
)

# A resident's word -> more words that find what they mean (searched for, weighed less).
RELATED: dict[str, tuple[str, ...]] = {
    "befriending": ("lonely", "loneliness", "isolation", "isolated", "companionship", "friendship", "visit"),
    "lonely": ("befriending", "loneliness", "isolation", "friendship", "company"),
    "money": ("debt", "benefits", "budgeting", "finances", "universal credit", "grants", "bills"),
    "bills": ("debt", "money", "budgeting", "energy", "benefits"),
    "debt": ("money", "debtline", "budgeting"),
    "benefits": ("universal credit", "money", "welfare"),
    "older": ("over 50", "over 60", "60+", "elderly", "senior", "retired", "later life", "ageing"),
    "elderly": ("older", "over 60", "senior", "later life"),
    "choir": ("music",),
    "lunch club": ("lunch", "meal", "dinner"),
    "coffee morning": ("coffee", "cuppa", "tea"),
    "knit": ("crochet", "natter", "sewing", "craft"),
    "craft": ("crafts", "crafting", "crafters", "knit", "sewing", "stitch"),
    "exercise": ("fitness", "pilates", "yoga", "tai chi", "strength and balance", "chair based", "zumba"),
    "walk": ("walkers", "hike"),
    "men": ("mens", "man", "dads", "male"),
    "grief": ("bereavement", "loss", "widow"),
    "bereavement": ("grief", "loss", "widow"),
    "carer": ("caring", "looking after"),
    "dementia": ("alzheimer", "memory"),
    "mental": ("wellbeing", "anxiety", "depression", "counselling", "listening"),
    "youth": ("teenagers", "young people", "teen"),
    "baby": ("babies", "toddler", "tots", "stay and play", "parent"),
    "veterans": ("armed forces", "veteran", "ex-service"),
    "food bank": ("pantry", "food aid", "foodshare", "community shop"),
    "lgbt": ("rainbow", "pride"),
}

# Feed fields (ORUK 1.0 and vendors') that name a service's own categories or who it is for.
CATEGORY_FIELDS = ("deliverable_type", "category", "categories", "service_type")
AUDIENCE_FIELDS = ("pc_targetAudience", "target_audience", "audience", "audiences")
# A feed's audience list names who a service is *for* only when it is short: "Women, Men, Disabled
# People, LGBTQ+, Carers, ..." on a bingo night is a welcome, not a focus.
FOCUSED_AUDIENCE = 3


def for_esd(code: str) -> str | None:
    """Our category for an esd service type code, if we have one."""
    return _BY_ESD.get(str(code).strip())


_SYNONYMS = [(re.compile(pattern), replacement) for pattern, replacement in SYNONYMS]
# Every synonym in one pattern, so text is read once: group s<i> is SYNONYMS[i].
_ANY_SYNONYM = re.compile("|".join(f"(?P<s{i}>{pattern})" for i, (pattern, _) in enumerate(SYNONYMS)))


def _rewrite(match: re.Match) -> str:
    pattern, replacement = _SYNONYMS[int(match.lastgroup[1:])]
    return pattern.sub(replacement, match.group(0))


def canonical(value: str) -> str:
    """Lower-case text with synonyms rewritten to one form (and "men's" as "mens")."""
    value = re.sub(r"(?<=[a-z])'s\b", "s", value.lower().replace("’", "'"))
    return _ANY_SYNONYM.sub(_rewrite, value)


@lru_cache(maxsize=64)
def _pattern(words: tuple[str, ...]) -> re.Pattern:
    return re.compile("|".join(f"(?<![a-z]){canonical(w)}" for w in words))


def keys_in(text: str, table: dict[str, tuple[str, ...]]) -> set[str]:
    """Keys of a table (audiences, access) whose words start a word in a canonical text."""
    return {key for key, words in table.items() if _pattern(words).search(text)}


def categories_in(text: str) -> set[str]:
    """Categories whose words start a word in a canonical text."""
    return {c.key for c in CATEGORIES if c.words and _pattern(c.words).search(text)}


def audiences_in(text: str) -> set[str]:
    """Audiences whose words start a word in a canonical text."""
    return keys_in(text, AUDIENCES)


def _labels(value: object) -> list[str]:
    """The names in a feed field: a string, a list of strings, or objects with a name-like key."""
    if isinstance(value, str):
        return [value.strip()] if value.strip() else []
    if isinstance(value, dict):
        named = next((value[k] for k in ("name", "audienceType", "label", "term", "title") if value.get(k)), "")
        return _labels(named) if isinstance(named, str) else []
    if isinstance(value, list):
        return [label for item in value for label in _labels(item)]
    return []


def feed_labels(extra: dict) -> tuple[list[str], list[str]]:
    """A service's own category names and focused audience names from a feed's extra fields."""
    categories = [label for key in CATEGORY_FIELDS for label in _labels(extra.get(key))]
    audiences = [label for key in AUDIENCE_FIELDS for label in _labels(extra.get(key))]
    return categories, audiences if len(audiences) <= FOCUSED_AUDIENCE else []
