"""The rule layer: what must be caught, and what must not (idioms, negations, past, hypotheticals)."""

from __future__ import annotations

import pytest

from safety.rules import normalise, shared

MUST = [
    ("I want to die", "urgent", "suicide"),
    # a past told as past, then the present: not discounted
    ("when I was 17 I used to cut myself and tonight I cut myself again", "urgent", "self_harm"),
    ("I tried to take my own life last night", "urgent", "suicide"),
    ("kms", "urgent", "suicide"),
    ("i wanna unalive myself", "urgent", "suicide"),
    ("everyone would be better off without me", "urgent", "suicide"),
    ("I've been giving my things away", "urgent", "suicide"),
    ("I'm not sure I want to live anymore", "urgent", "suicide"),
    ("my dad keeps talking about ending his life", "urgent", "suicide"),
    ("I keep cutting myself", "urgent", "self_harm"),
    ("my daughter has been self-harming", "urgent", "self_harm"),
    ("mum has fallen and can't get up", "urgent", "medical_emergency"),
    ("I've got chest pains", "urgent", "medical_emergency"),
    ("he's not breathing", "urgent", "medical_emergency"),
    ("he took 30 tablets", "urgent", "medical_emergency"),
    ("he's got a knife and says he's going to kill me", "urgent", "abuse"),
    ("my son takes my pension", "concern", "abuse"),
    ("I'm being bullied at school", "concern", "abuse"),
    ("my partner won't let me see my friends", "concern", "abuse"),
    ("I haven't eaten for three days", "concern", "self_neglect"),
    ("I've run out of my tablets", "concern", "self_neglect"),
    ("I missed my hospital appointment because there was no bus", "concern", "self_neglect"),
    ("the heating's broken and I can't afford to fix it", "concern", "cold_home"),
    ("my flat is freezing", "concern", "cold_home"),
    ("I'm caring for my husband with dementia and I'm at breaking point", "concern", "carer_strain"),
    ("I look after mum and I can't do this anymore", "concern", "carer_strain"),
    # warning signs: a goodbye then silence, a day decided, a place of means now
    ("my mate just posted goodbye on snap n hes not answering", "urgent", "suicide"),
    ("She sent us a message thanking us for everything. Now she's not answering her phone.", "urgent", "suicide"),
    ("I have decided that Sunday will be my last day. I wanted somebody to know.", "urgent", "suicide"),
    ("im on the bridge rn", "urgent", "suicide"),
    ("I'm at the edge of the cliff at Beachy Head.", "urgent", "suicide"),
    ("I've been looking at the beam in the barn more than I should.", "urgent", "suicide"),
    ("When I'm up on a roof I think about just letting go.", "urgent", "suicide"),
    # a story about the past does not cover what is happening now
    ("I was fine last year but tonight I want to die.", "urgent", "suicide"),
    (
        "I tried to take my life in 2015 and I'm in a good place now, but today it's back and I want to die",
        "urgent",
        "suicide",
    ),
    # done on purpose is self-harm, whatever the words around it
    ("I cut myself on purpose last night", "urgent", "self_harm"),
    ("I burnt my arm on purpose with a lighter", "urgent", "self_harm"),
    # medical signs in plain words
    ("My neighbour's lying on her kitchen floor and she's not moving.", "urgent", "medical_emergency"),
    ("My speech has gone funny and my right hand is numb. It started ten minutes ago.", "urgent", "medical_emergency"),
    ("I'm diabetic, I'm shaking and can't think straight, and I've got no sugar in.", "urgent", "medical_emergency"),
    ("Dad's having an asthma attack and his inhaler isn't helping.", "urgent", "medical_emergency"),
    ("My baby's got a rash that doesn't fade under a glass and she's gone all floppy.", "urgent", "medical_emergency"),
    ("I've cut my leg on the strimmer and it won't stop bleeding.", "urgent", "medical_emergency"),
    (
        "My wife's throat is swelling up after she ate a prawn and her EpiPen is out of date.",
        "urgent",
        "medical_emergency",
    ),
    ("Grandad's been sick and there's blood in it and he's gone grey and clammy.", "urgent", "medical_emergency"),
    (
        "Dad hit his head on the ladder, he was talking at first but now he's not making sense.",
        "urgent",
        "medical_emergency",
    ),
    # means and plans in people's own words
    ("How many co-codamol would kill me", "urgent", "suicide"),
    ("gonna take my insulin all at once tonight and thats that", "urgent", "suicide"),
    ("I HAVE PUT ALL MY PILLS IN A BOWL ON THE TABLE.", "urgent", "suicide"),
    ("ive been looking at rope on amazon", "urgent", "suicide"),
    ("i keep planning how id do it like times and places", "urgent", "suicide"),
    ("Last night I thought about taking us both, and that scared me.", "urgent", "suicide"),
    ("if i crashed the car on the way home tmrw it wouldnt be the worst thing", "urgent", "suicide"),
    ("i just want to not exist anymore", "urgent", "suicide"),
    ("Some days I ask the Lord to take me, and I mean it.", "urgent", "suicide"),
    ("I keep wishing I'd get hit by a bus.", "urgent", "suicide"),
    ("He screamed that he'd hang himself and it would be my fault.", "urgent", "suicide"),
    ("I used to cut my arms as a young woman, but since my fall I have started again.", "urgent", "self_harm"),
    ("Is 40 co-codamol enough? Asking for me.", "urgent", "suicide"),
    ("got the belt round the door handle rn just seeing", "urgent", "suicide"),
    ("How high does a car park need to be.", "urgent", "suicide"),
    ("dont think ill be around for my bday tbh. sorted everything out", "urgent", "suicide"),
    ("My late wife's birthday falls on Sunday. I intend to be with her by then.", "urgent", "suicide"),
    ("When he goes I won't stay behind.", "urgent", "suicide"),
    (
        "I keep going to the cemetery and thinking I should lie down next to her and not get up again.",
        "urgent",
        "suicide",
    ),
    ("my oomf went quiet after posting 'its been real' and shes not answering anyone", "urgent", "suicide"),
    ("I've been googling how long it takes to drown.", "urgent", "suicide"),
    # carers' strain in their own words
    ("Honestly starting to resent her. Now I dread hearing her voice through the monitor.", "concern", "carer_strain"),
    ("Looking after both my parents and I'm running on empty with nobody to hand over to.", "concern", "carer_strain"),
    # abuse without the word
    (
        "My landlord keeps coming into my room and says if I complain he'll report me to the Home Office.",
        "concern",
        "abuse",
    ),
    ("my mums boyfriend keeps coming in the bathroom when im in there", "concern", "abuse"),
    ("My carer pinches me when I'm slow getting dressed.", "concern", "abuse"),
    ("kids keep putting my head down the toilet n filming it n sending it round everyone", "concern", "abuse"),
]

MUST_NOT = [
    # ordinary goodbyes, last days, accidents and figures of speech
    "Friday is my last day at work and we're having a leaving do",
    "I've decided Friday will be my last day at the shop, I'm retiring.",
    "We walked along the edge of the cliffs at Beachy Head today, stunning views.",
    "I've been thinking about letting go of the allotment, it's too much now.",
    "Sent a farewell card to Jan, she's not answering because she's on a cruise.",
    "Years ago I tried to take my own life, but that was 2009 and I'm in a really good place now.",
    "I had a heart attack in 2019 but I'm fit as a fiddle now.",
    "I cut myself shaving this morning",
    "Stabbed myself in the lip with a fork eating spaghetti.",
    "The cat's gone all floppy in the sun.",
    "She's not moving house after all.",
    "my mum is gonna kill me i dyed my hair pink",
    "My boss is going to kill me, I've double-booked the meeting room.",
    "I died three times on that boss before I learnt to dodge.",
    "I'd rather die than wear a Christmas jumper.",
    "Since I gave up driving I am rather cut off out here.",
    "Overdosed on chocolate at Easter. No regrets.",
    "I know how to do it, I've done the course.",
    "Is 2 paracetamol enough for a headache?",
    "I'm dying to get out of this house. One more episode of Homes Under the Hammer and I'll scream.",
    "id murder a pint but im driving all night",
    "I parked on the top floor of the multistorey, it was rammed.",
    "I'm going to lie down and not get up till noon tomorrow.",
    "We did it properly this time, the cake rose!",
    "I do not think I'll be around for the quiz on Thursday, I'm at my sister's.",
    "keep dying in hardcore mode its so over for me",
    "Who do I ask about a grab rail by the toilet?",
    "Shattered but coping. Does the council do a carers' discount card?",
    "Mum's tablet screen is cracked, anyone know a repair place?",
    "Got scammed out of £300 last year by a fake courier text. Bank refunded me.",
    "Taking us both to the seaside on Sunday!",
    "If I moved to Leeds it wouldn't be the worst thing.",
    "I used to cut my hair short but I'm growing it again.",
    "I have an epipen for my nut allergy, I carry it everywhere.",
    "The kids are not making sense of algebra at all.",
    "If I hear that Christmas song one more time I'll shoot myself.",
    "A lady at the group talked about losing her son to suicide years ago.",
    "There was a programme on Radio 4 about men's suicide rates.",
    "Twelve years ago I tried to end my life. Now I run a peer support group and I'm doing really well.",
    "this heat is killing me",
    "I'd kill for a cuppa",
    "I fell asleep in my chair",
    "I'm not suicidal, I just want a choir",
    "I don't want to die",
    "I had a fall last year but I'm fine",
    "I used to self harm but I've been clean for years",
    "what should I do if my mum falls?",
    "my phone died",
    "I'm dying for a cup of tea",
    "I cut myself shaving",
    "I forgot to take my tablets this morning",
    "my feet are killing me",
    "I nearly died laughing",
    "it's freezing outside today",
    "we fell out over the washing up",
    "I'd never hurt myself",
    "the film about suicide was sad",
    # past and resolved, told in passing (held-out 6's false alarms, after it was measured)
    "Ten years ago I tried to take my own life. I'm in a completely different place now, married, two kids.",
    "I overdosed when I was seventeen. I'm forty now and a mental health nurse. Life turned out alright.",
]


@pytest.mark.parametrize(("text", "level", "risk_type"), MUST)
def test_risk_is_found(text: str, level: str, risk_type: str) -> None:
    result = shared().analyse(text)
    assert result.risk == level, (text, result)
    assert risk_type in result.risk_types, (text, result)


@pytest.mark.parametrize("text", MUST_NOT)
def test_idioms_negations_and_past_are_not_risk(text: str) -> None:
    result = shared().analyse(text)
    assert result.risk == "none", (text, result.cues)
    assert result.risk_types == []


def test_carer_distress_is_strain_not_suicide() -> None:
    result = shared().analyse("I'm caring for my mum and I can't go on like this")
    assert result.risk_types == ["carer_strain"]
    assert result.risk == "concern"


def test_several_types_in_one_message_are_all_reported() -> None:
    result = shared().analyse("he hits me and I want to die")
    assert result.risk == "urgent"
    assert set(result.risk_types) == {"suicide", "abuse"}


@pytest.mark.parametrize(
    ("text", "lonely"),
    [
        ("I feel so lonely since my wife died", True),
        ("I haven't spoken to anyone in days", True),
        ("nobody ever visits", True),
        ("I'm not lonely, just bored", False),
        ("I'd like to join a choir", False),
    ],
)
def test_loneliness(text: str, lonely: bool) -> None:
    assert shared().analyse(text).loneliness is lonely


@pytest.mark.parametrize(
    ("text", "need"),
    [
        ("I'd like to join a choir", "activities"),
        ("I can't drive anymore, how would I get there", "transport"),
        ("I'd like someone to visit me", "befriending"),
        ("I need a break from caring for my husband", "respite"),
        ("hello", "none"),
    ],
)
def test_need(text: str, need: str) -> None:
    assert shared().analyse(text).need == need


def test_age_is_read_from_the_message() -> None:
    assert shared().analyse("I'm 15 and I want to die").age == 15
    assert shared().analyse("I'm 79 and my grandson takes my pension").older


def test_hostile_and_huge_input_is_handled() -> None:
    assert shared().analyse("<script>alert(1)</script>'; DROP TABLE messages;--").risk == "none"
    assert shared().analyse("\x00\x01 " * 5000).risk == "none"
    assert shared().analyse("").risk == "none"


def test_normalise_expands_slang_and_contractions() -> None:
    assert normalise("I can’t, I wanna kms") == "i can not, i want to kill myself"


def test_every_need_has_patterns_and_no_pattern_names_an_unknown_need() -> None:
    from safety.patterns import NEEDS_PATTERNS
    from safety.vocabulary import NEEDS

    assert set(NEEDS_PATTERNS) == set(NEEDS) - {"none"}


def test_patterns_use_the_notation_not_regular_expressions() -> None:
    """`(word )?` and `.*` are regular expressions, which the pattern notation does not read: they
    silently make a pattern that never matches."""
    import re

    from safety import patterns as P

    def strings(value: object) -> list[str]:
        if isinstance(value, str):
            return [value]
        if isinstance(value, dict):
            return [s for v in value.values() for s in strings(v)]
        if isinstance(value, list | tuple | frozenset | set):
            return [s for v in value for s in strings(v)]
        return []

    slips = re.compile(r"\(\w[^()]*\s\)\?|\.\*|\\b|\[a-z")
    found = [s for name in dir(P) if name.isupper() for s in strings(getattr(P, name)) if slips.search(s)]
    assert not found, found
