"""The words Kindred listens for when someone talks about their life, in one place.

Each table maps a key to regular expressions (matched on lower-case text at word boundaries).
The keys are what the profile stores and what `residents.lifecourse` turns into suggestions.
"""

from __future__ import annotations

# Life events and circumstances that raise the risk of loneliness (BRIEF point 2, the seed).
CIRCUMSTANCES: dict[str, tuple[str, ...]] = {
    "bereaved": (
        r"(?:wife|husband|partner|mum|mother|dad|father|son|daughter|sister|brother|friend|he|she) "
        r"(?:died|passed away|passed)",
        r"\bwidow(?:ed|er)?\b",
        r"\bbereave",
        r"\blost my (?:wife|husband|"
        r"partner|mum|mother|dad|father|son|daughter|sister|brother|best friend)",
        r"\bsince the funeral\b",
        r"\bmy late (?:wife|husband|partner|mum|mother|dad|father|son|daughter|sister|brother)\b",
        r"\bgrieving\b",
    ),
    "retired": (r"\bretired\b", r"\bretirement\b", r"\bsince i (?:retired|stopped work)"),
    "new_baby": (
        r"\bnew (?:mum|mom|dad|parent|baby)\b",
        r"\bjust had (?:a|my|our) baby\b",
        r"\bhad a baby\b",
        r"\bmaternity leave\b",
        r"\bpaternity leave\b",
        r"\bstuck (?:at home|in) with (?:the|a|my) baby",
        r"\bmy (?:new)?born\b",
    ),
    "moved_area": (
        r"\b(?:just |recently )?moved (?:here|to|house|area|into)\b",
        r"\bnew to the area\b",
        r"\bnew here\b",
        r"\bdon'?t know any(?:one|body) (?:here|round here|around here)",
    ),
    "unemployed": (
        r"\b(?:lost|losing) my job\b",
        r"\bunemployed\b",
        r"\bout of work\b",
        r"\bmade redundant\b",
        r"\bredundan(?:t|cy)\b",
        r"\blooking for (?:a )?work\b",
    ),
    "illness_disability": (
        r"\bdisab(?:led|ility)\b",
        r"\bwheelchair\b",
        r"\bchronic\b",
        r"\bmy (?:illness|"
        r"condition|ms|parkinson'?s|arthritis|copd)\b",
        r"\bhousebound\b",
        r"\bcan'?t (?:walk|get out) (?:far|much|very far)\b",
        r"\b(?:blind|deaf)\b",
        r"\bpartially sighted\b",
        r"\bhard of hearing\b",
        r"\bstroke\b",
    ),
    "stopped_driving": (
        r"\b(?:stopped|gave up|had to give up|can'?t|cannot|no longer) driv",
        r"\blost my licen[cs]e",
        r"\bdon'?t drive any ?more\b",
        r"\bsold (?:my|the) car\b",
        r"\bcan'?t get about\b",
    ),
    "carer": (
        r"\b(?:i|i'm|i am|i've been) (?:the )?(?:full[- ]time |unpaid )?carer\b",
        r"\b(?:look|looking|looked) after (?:my|our)\b",
        r"\bcar(?:e|ing) for (?:my|our)\b",
        r"\bi'?m a carer\b",
        r"\byoung carer\b",
    ),
    "living_alone": (
        r"\blive (?:on my own|alone|by myself)\b",
        r"\bliving (?:on my own|alone|by myself)\b",
        r"\bon my own (?:now|since)\b",
    ),
    "language": (
        r"\benglish (?:is not|isn'?t) my first language\b",
        r"\bmy english (?:is not|isn'?t) (?:good|great)",
        r"\bdon'?t speak (?:much |good )?english\b",
        r"\bmy first language is\b",
    ),
}

# Who someone cares for, when they say so.
CARED_FOR = (
    r"(?:look(?:ing|s)? after|car(?:e|ing|es) for|carer (?:for|to)) (?:my |our )?(?:elderly |disabled |poorly )?"
    r"(mum|mother|dad|father|husband|wife|partner|son|daughter|child|children|kids|brother|sister|grandma|"
    r"grandmother|grandad|grandfather|nan|gran|parents|friend|neighbour)"
)

# Interests, and the words a directory entry about them would use.
INTERESTS: dict[str, tuple[str, ...]] = {
    "singing": (r"\bsing(?:ing)?\b", r"\bchoirs?\b"),
    "music": (r"\bmusic\b", r"\bguitar\b", r"\bpiano\b"),
    "gardening": (r"\bgarden(?:ing)?\b", r"\ballotment\b", r"\bplants\b"),
    "walking": (r"\bwalk(?:ing|s)?\b", r"\brambling\b", r"\bhikes?\b"),
    "crafts": (r"\bcrafts?\b", r"\bknit(?:ting)?\b", r"\bsew(?:ing)?\b", r"\bcrochet\b"),
    "art": (r"\bart\b", r"\bpaint(?:ing)?\b", r"\bdraw(?:ing)?\b"),
    "exercise": (
        r"\bexercise\b",
        r"\bfitness\b",
        r"\byoga\b",
        r"\bkeep(?:ing)? fit\b",
        r"\bswim(?:ming)?\b",
        r"\bdanc(?:e|ing)\b",
    ),
    "making things": (
        r"\bwoodwork\b",
        r"\bdiy\b",
        r"\bmaking things\b",
        r"\bfixing things\b",
        r"\bmen'?s shed\b",
        r"\btinker",
    ),
    "food": (r"\bcook(?:ing)?\b", r"\bbak(?:e|ing)\b", r"\blunch\b"),
    "reading": (r"\bread(?:ing)?\b", r"\bbooks?\b"),
    "games": (r"\bcards\b", r"\bchess\b", r"\bbingo\b", r"\bquiz(?:zes)?\b", r"\bdominoes\b", r"\bboard games\b"),
    "sport": (r"\bfootball\b", r"\bcricket\b", r"\bbowls\b", r"\bsports?\b"),
    "volunteering": (r"\bvolunteer(?:ing)?\b", r"\bhelp(?:ing)? others\b", r"\btime ?bank\b"),
    "coffee and a chat": (r"\bcoffee morning\b", r"\bcuppa\b", r"\bchat with people\b", r"\bmeet(?:ing)? people\b"),
}
# Search words for each interest (what a directory entry about it would say).
INTEREST_SEARCH: dict[str, str] = {
    "singing": "choir",
    "music": "music",
    "gardening": "garden",
    "walking": "walk",
    "crafts": "craft",
    "art": "art",
    "exercise": "exercise",
    "making things": "shed",
    "food": "lunch",
    "reading": "book",
    "games": "games",
    "sport": "sport",
    "volunteering": "volunteer",
    "coffee and a chat": "coffee",
}

# What kind of help someone is asking for: our directory categories (directory.categories).
# What a question about support is about (issue 14 point 4), in the order they are tried: the most
# specific first ("how much does befriending cost" is about cost; "what is befriending" is about
# befriending). The answers are `actions.wording.ANSWERS`, one per key.
QUESTION_TOPICS: dict[str, tuple[str, ...]] = {
    "carers_assessment": (r"\bcarers?'?s? assess?ments?\b", r"\bcarers? assesment\b", r"\bneeds assessment\b"),
    "cost": (
        r"\b(?:do|would|will) (?:i|we|you|u) (?:have|need) to pay\b",
        r"\b(?:does|do|would|will) (?:it|they|these|that|this|things|groups?) (?:cost|charge)\b",
        r"\bhow much (?:is|are|does|do|would|will)\b",
        r"\bwhat do (?:they|the groups|groups) charge\b",
        r"\b(?:is|are) (?:it|they|these|this|that|things|groups?)(?: \w+){0,3} free\b",
        r"\bfree or\b",
        r"\b(?:a|any) charge\b",
        r"\bcost anything\b",
        r"\bwho pays\b",
        r"\b(?:it|they|this|that|these|its|it's)(?:'s| is| are)? free\b",
        r"\bdo (?:you|i|we|u) (?:pay|have to pay)\b",
    ),
    "bereavement": (
        r"\bbereave",
        r"\bgrie(?:f|ving)\b",
        r"\blost (?:someone|somebody|a loved one)\b",
    ),
    "respite": (r"\brespite\b", r"\bsitting service\b", r"\bshort breaks?\b"),
    "befriending": (r"\bbefriend", r"\btelephone friendship\b"),
    "transport": (
        r"\bcommunity transport\b",
        r"\bdial[- ]a[- ]ride\b",
        r"\bbus pass\b",
        r"\btransport\b",
        r"\bget to (?:these|the|things|groups)\b",
        r"\bdon'?t drive\b",
    ),
    "day_centre": (r"\bday cent(?:re|er)s?\b", r"\blunch club\b", r"\bmen'?s shed\b", r"\b(?:memory|dementia) caf"),
    "young_carers": (r"\byoung carers?\b",),
    "who_for": (
        r"\bwho is (?:this|it|kindred) for\b",
        r"\b(?:only|just) (?:for )?(?:old|older|elderly) (?:people|ppl|folk)\b",
        r"\b(?:young|younger) (?:people|ppl|person)\b",
        r"\bjust for pensioners\b",
        r"\b(?:is|it's|its) (?:this|it) (?:for|only for|just for) (?:kids|children|teens|teenagers|students)\b",
        r"\bfor carers as well\b",
    ),
}

SERVICE_KINDS: dict[str, tuple[str, ...]] = {
    "young_carers": (r"\byoung carers?\b",),
    "respite": (
        r"\brespite\b",
        r"\b(?:a|some) break from (?:caring|looking after)",
        r"\bsitting service\b",
        r"\bshort breaks?\b",
        r"\btime (?:off|to myself) from caring\b",
        r"\bneed a break\b",
    ),
    "carers": (
        r"\bcarers?'? (?:group|support|centre|center|assessment|cafe|café)\b",
        r"\bsupport for carers\b",
        r"\bhelp (?:as|for) (?:a )?carers?\b",
        r"\bcarer'?s assessment\b",
    ),
    "befriending": (
        r"\bbefriend(?:er|ing|ers)?\b",
        r"\bsomeone to (?:visit|call|ring|phone)\b",
        r"\b(?:a )?visitor\b",
        r"\btelephone (?:friend|befriend)",
        r"\bsomeone (?:could|to) come round\b",
        r"\bphone call\b",
        r"\bvisit me\b",
    ),
    "transport": (
        r"\btransport\b",
        r"\b(?:a )?lift (?:to|into)\b",
        r"\bget (?:to|about|around|there)\b",
        r"\bdial[- ]a[- ]ride\b",
        r"\bvolunteer drivers?\b",
        r"\bminibus\b",
        r"\bneed a lift\b",
    ),
    "bereavement": (r"\bbereavement (?:group|support|cafe|café)\b", r"\bgrief (?:group|support)\b"),
    "parents": (
        r"\b(?:parent|mum|mother|dad|mums|parents) and (?:baby|toddler)\b",
        r"\bbaby groups?\b",
        r"\btoddler groups?\b",
        r"\bperinatal\b",
    ),
    "young_people": (r"\byouth (?:club|group)s?\b", r"\bteen(?:age)? groups?\b"),
    "food": (r"\blunch clubs?\b", r"\bluncheon clubs?\b", r"\bhot meals?\b"),
    "volunteering": (r"\bvolunteer(?:ing)?\b", r"\btime ?bank\b"),
    "advice": (r"\badvice\b", r"\bbenefits\b", r"\benergy bills?\b", r"\bwelfare\b"),
    "counselling": (r"\bcounsell?ing\b", r"\btalk(?:ing)? therap", r"\bwellbeing caf"),
    "day_centres": (r"\bday cent(?:re|er)s?\b",),
    "activities": (
        r"\bgroups?\b",
        r"\bclubs?\b",
        r"\bclass(?:es)?\b",
        r"\bchoirs?\b",
        r"\bmen'?s sheds?\b",
        r"\bcoffee mornings?\b",
        r"\bsomething to do\b",
        r"\bactivit(?:y|ies)\b",
        r"\bmeet (?:new )?people\b",
        r"\bmake (?:some )?friends\b",
        r"\bwhat'?s on\b",
        r"\bthings to do\b",
        r"\bget out of the house\b",
    ),
}

FEELINGS: dict[str, tuple[str, ...]] = {
    "grieving": (
        r"\bgriev",
        r"\bmiss (?:him|her|them) so\b",
        r"\bpassed away\b",
        r"\bdied\b",
        r"\bfuneral\b",
        r"\blost my\b",
        r"\bwidow",
    ),
    "overwhelmed": (
        r"\boverwhelm",
        r"\btoo much\b",
        r"\bcan'?t keep up\b",
        r"\bswamped\b",
        r"\bstressed\b",
        r"\bat the end of my tether\b",
        r"\bexhausted\b",
        r"\bworn out\b",
        r"\bshattered\b",
    ),
    "anxious": (
        r"\banxious\b",
        r"\banxiety\b",
        r"\bworr(?:ied|y|ying)\b",
        r"\bnervous\b",
        r"\bscared\b",
        r"\bpanick?",
        r"\bon edge\b",
        r"\bfrightened\b",
    ),
    "sad": (
        r"\bsad\b",
        r"\bdown\b",
        r"\blow\b",
        r"\bunhappy\b",
        r"\bmiserable\b",
        r"\bfed up\b",
        r"\bblue\b",
        r"\bcry(?:ing)?\b",
        r"\btearful\b",
        r"\bgloomy\b",
    ),
    "bored": (r"\bbored\b", r"\bboring\b", r"\bnothing to do\b", r"\bdays are long\b", r"\bdragging\b"),
    "lonely": (
        r"\blonel",
        r"\balone\b",
        r"\bisolated\b",
        r"\bno ?one to talk\b",
        r"\bnobody\b",
        r"\bon my own\b",
        r"\bno friends\b",
        r"\bleft out\b",
        r"\binvisible\b",
        r"\bcut off\b",
    ),
    "happy": (
        r"\bhappy\b",
        r"\blovely\b",
        r"\bgreat\b",
        r"\bwonderful\b",
        r"\bgood day\b",
        r"\benjoyed\b",
        r"\bchuffed\b",
        r"\bbrilliant\b",
    ),
}

TOPICS: dict[str, tuple[str, ...]] = {
    "weather": (
        r"\bweather\b",
        r"\brain(?:ing|y)?\b",
        r"\bsun(?:ny|shine)?\b",
        r"\bcold\b",
        r"\bsnow",
        r"\bheat\b",
        r"\bwindy\b",
        r"\bfreezing\b",
    ),
    "pets": (r"\bcat\b", r"\bdog\b", r"\bpuppy\b", r"\bkitten\b", r"\bbudgie\b", r"\bpets?\b", r"\bbirds?\b"),
    "family": (
        r"\bgrand(?:son|daughter|kids|children|child)\b",
        r"\bmy (?:son|daughter|sister|brother|mum|dad|"
        r"husband|wife|family|niece|nephew)\b",
        r"\bfamily\b",
    ),
    "hobbies": tuple(p for patterns in INTERESTS.values() for p in patterns)
    + (r"\bcrossword\b", r"\bfilm\b", r"\btelly\b", r"\btv\b"),
    "food": (r"\bcake\b", r"\bdinner\b", r"\btea\b", r"\bsoup\b", r"\bcuppa\b", r"\bbreakfast\b"),
    "health": (
        r"\bdoctor\b",
        r"\bgp\b",
        r"\bhospital\b",
        r"\btablets\b",
        r"\bappointment\b",
        r"\bknees?\b",
        r"\bhip\b",
        r"\bback\b",
    ),
}

DAYS: dict[str, tuple[str, ...]] = {
    "mo": (r"\bmon(?:day)?s?\b",),
    "tu": (r"\btue(?:s|sday)?s?\b",),
    "we": (r"\bwed(?:nesday)?s?\b",),
    "th": (r"\bthu(?:rs|rsday)?s?\b",),
    "fr": (r"\bfri(?:day)?s?\b",),
    "sa": (r"\bsat(?:urday)?s?\b",),
    "su": (r"\bsun(?:day)?s\b", r"\bsunday\b"),
}
ANY_DAY = (
    r"\bany ?day\b",
    r"\bany time\b",
    r"\bwhenever\b",
    r"\bdon'?t mind\b",
    r"\bnot fussy\b",
    r"\bany of them\b",
    r"\beither\b",
    r"\bno preference\b",
)

LANGUAGES = (
    "arabic",
    "bengali",
    "cantonese",
    "french",
    "gujarati",
    "hindi",
    "italian",
    "kurdish",
    "mandarin",
    "pashto",
    "persian",
    "farsi",
    "polish",
    "portuguese",
    "punjabi",
    "romanian",
    "russian",
    "somali",
    "spanish",
    "tamil",
    "turkish",
    "ukrainian",
    "urdu",
    "welsh",
    "bsl",
    "sign language",
)

# Words that are never someone's name ("I'm tired", "call me later").
NOT_NAMES = frozenset(
    "a an the not so very really just fine ok okay good well bad tired lonely sad happy here back home alone "
    "sorry afraid scared worried new old retired a carer looking feeling going trying still always never "
    "later please now today tomorrow soon bored down low up out in on at from with about".split()
)
