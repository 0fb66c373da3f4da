"""What Kindred says in conversation, with several ways of saying each thing.

Plain English, short, warm, one question at a time. `choose` avoids the lines a person heard
most recently (kept in their profile), so someone who chats every day hears something fresh.
"""

from __future__ import annotations

import random

LINES: dict[str, tuple[str, ...]] = {
    # feelings: reflect first, then one open question
    "lonely": (
        "I'm sorry you're feeling lonely. That's a hard feeling, and lots of people have it. It's not your fault. "
        "Would you like to tell me a bit more?",
        "Feeling lonely can be really hard. Thank you for telling me. What's been going on?",
        "That sounds lonely. I'm glad you came to talk. When do you notice it most?",
        "It takes courage to say you feel lonely. I'm here to listen. What would help today, do you think?",
    ),
    "sad": (
        "I'm sorry you're feeling low. Do you want to tell me what's been happening?",
        "That sounds hard. I'm here and I'm listening. What's been weighing on you?",
        "It's OK to feel sad. Thank you for telling me. Has something happened, or has it crept up on you?",
    ),
    "bored": (
        "Long days with not much going on can really drag. What do you usually enjoy doing?",
        "Boredom can wear you down. What did you used to love doing, back in the day?",
        "I know that feeling. What would make today a bit better, do you think?",
    ),
    "anxious": (
        "That sounds worrying. It's natural to feel anxious about things like that. What's on your mind most?",
        "I'm sorry you're feeling on edge. Would it help to talk it through?",
        "Worry can be exhausting. Take your time. What's troubling you?",
    ),
    "grieving": (
        "I'm so sorry for your loss. Grief can be very lonely. Would you like to tell me about them?",
        "Losing someone changes everything. There's no right way to feel. How are you coping day to day?",
        "I'm sorry. It sounds like you're carrying a lot of grief. What do you miss most?",
    ),
    "overwhelmed": (
        "That sounds like a lot to carry. You're doing your best. What feels heaviest right now?",
        "It sounds overwhelming. Let's take it one thing at a time. What's the biggest worry today?",
        "No wonder you feel swamped. Thank you for telling me. What would take a bit of the pressure off?",
    ),
    "happy": (
        "That's lovely to hear. What made it so good?",
        "How nice! Tell me more.",
        "That's made me smile. What's the best bit?",
    ),
    # small talk
    "weather": (
        "British weather keeps us on our toes! Do you like to get out when it's dry?",
        "I hope it brightens up for you. What do you like doing on a nice day?",
        "Cosy days indoors have their charm. What are you up to today?",
    ),
    "pets": (
        "Pets are such good company. What's their name?",
        "Oh, I love hearing about pets. How long have you had them?",
        "Animals have such characters. What do they get up to?",
    ),
    "family": (
        "Family can mean so much. How often do you get to see them?",
        "That sounds nice. Tell me a bit about them?",
        "It's lovely to hear about your family. Are you close?",
    ),
    "hobbies": (
        "That sounds like a lovely way to spend time. How did you get into it?",
        "I'd love to hear more about that. What do you enjoy most about it?",
        "How lovely. Have you ever done it with other people, in a group?",
    ),
    "food": (
        "That sounds tasty. Do you enjoy cooking?",
        "Lovely. What's your favourite thing to eat?",
        "Mm. Is there a meal that reminds you of good times?",
    ),
    "health": (
        "I hope it goes well. I can't give medical advice, but I'm happy to chat. How are you feeling in yourself?",
        "Thank you for telling me. How are you getting on with it all?",
    ),
    "chat": (
        "I'd like that. What's been happening in your day?",
        "Lovely. Tell me something about your week.",
        "I'm all ears. What would you like to talk about?",
        "I'm enjoying our chat. What's been on your mind lately?",
        "Go on, I'm listening. What else has been happening?",
    ),
    # life events and circumstances: acknowledge first
    "carer": (
        "Caring for your {cared_for} is a big thing to do. How are you doing yourself?",
        "Looking after your {cared_for} takes a lot. Who looks after you?",
        "You're doing so much for your {cared_for}. Do you get any time for yourself?",
    ),
    "carer_generic": (
        "Caring for someone is a big thing to do. How are you doing yourself?",
        "Being a carer takes a lot. Do you get any time for yourself?",
    ),
    "young_carer": (
        "Helping look after your {cared_for} is a lot for anyone, especially at your age. How are you doing?",
        "That's a lot to take on. You matter too. Do you get time to do things you enjoy?",
    ),
    "new_baby": (
        "Congratulations on your baby. The early weeks can be lonely as well as lovely. How are you finding it?",
        "A new baby changes everything. It's normal to feel cut off sometimes. How are you sleeping?",
    ),
    "bereaved": (
        "I'm so sorry. Losing someone close is one of the hardest things. How are you coping?",
        "I'm sorry for your loss. Would you like to tell me about them?",
    ),
    "moved_area": (
        "Moving somewhere new can feel lonely at first. How are you settling in?",
        "It takes time to feel at home in a new place. What do you miss about where you were before?",
    ),
    "retired": (
        "Retirement is a big change. Some people love it and some miss work. How are you finding it?",
        "Retiring changes the shape of the days. What have you been filling your time with?",
    ),
    "unemployed": (
        "Losing work is hard, and it can cut you off from people too. How are you managing?",
        "I'm sorry. Being out of work can be lonely. How are you keeping your spirits up?",
    ),
    "stopped_driving": (
        "Giving up driving is a big change. It can make getting out much harder. How are you getting about now?",
        "That's a real loss of freedom. Do you miss being able to pop out?",
    ),
    "illness_disability": (
        "Thank you for telling me. Living with that can make it harder to get out and see people. How are things?",
    ),
    "living_alone": (
        "Living on your own has good and hard sides. How are the evenings for you?",
        "Thank you for telling me. Do you get to see people much?",
    ),
    "language": ("Thank you for telling me. I'll keep my words simple. Please tell me if anything isn't clear.",),
    "young": (
        "Thanks for telling me. How are things at the moment?",
        "Thanks. What's been going on for you lately?",
    ),
    "name": (
        "It's lovely to meet you, {name}.",
        "Hello {name}, it's nice to know your name.",
        "Thank you, {name}. I'll remember that.",
    ),
    "place": ("Thanks. I'll remember you're near {place}.",),
    "noted": ("Thank you for telling me. I'll remember that.", "Thanks, that helps me get to know you."),
    "checkin": (
        "Hello {name}, it's Kindred. I'm just checking in. How are you today?",
        "Hi {name}, I wanted to see how you're getting on this week.",
        "Hello {name}. How has your week been?",
    ),
    # offers, never pushed
    "offer_find": (
        "If you'd ever like, I can look for people and things going on near you. Or we can just keep chatting.",
        "Some people find a friendly group or a visitor helps. Would you like me to look, or would you rather talk?",
    ),
    "offer_checkin": (
        "Could I ask you four quick questions about how connected you feel? It helps us both see how things "
        "change over time. You can say no.",
    ),
    "offer_weekly": ("Would you like me to message you on {day} to see how you are?",),
}


# --- Listening first (issue 14, point 1): disclosures and what follows them ----------------------
# `ack_<kind>` names what was said ({what} from residents.disclosure, e.g. "your wife", "the COPD");
# `gentle_*` replace the cheerful small-talk lines for the rest of a session with a disclosure.
LINES.update(
    {
        "ack_bereavement": (
            "I'm so sorry about {what}. Losing someone you love is one of the hardest things there is. "
            "Would you like to tell me about them?",
            "I'm so sorry about {what}. There's no right way to feel after a loss like that. How are you coping?",
        ),
        "ack_diagnosis": (
            "I'm sorry to hear about {what}. That's a lot to live with. How are you managing with it all?",
            "Thank you for telling me about {what}. That sounds really hard. How are things day to day?",
        ),
        "ack_caring_strain": (
            "Thank you for telling me about {what}. That sounds so hard, and you're carrying a lot. "
            "How are you holding up yourself?",
            "I'm sorry. It sounds exhausting, and I'm glad you told me about {what}. You matter too. "
            "Is anyone looking out for you?",
        ),
        "ack_low_mood": (
            "Thank you for telling me about {what}. That sounds really hard, and I'm glad you said it. "
            "What has it been like lately?",
            "I'm sorry about {what}. You don't have to put a brave face on here. What's weighing on you most?",
        ),
        "ack_break_up": (
            "I'm sorry about {what}. That turns everything upside down. How are you doing with it?",
            "I'm so sorry about {what}. That's a real loss, even when life has to carry on. How are you managing?",
        ),
        "ack_job_loss": (
            "I'm sorry about {what}. That's hard, and it can cut you off from people too. How are you managing?",
            "I'm sorry to hear about {what}. It takes away much more than the money. How are you keeping going?",
        ),
        "ack_money": (
            "I'm sorry about {what}. That's a hard worry to carry, and you shouldn't have to on your own. "
            "How are you managing?",
        ),
        "ack_several": (
            "I'm so sorry. {first}, and {second} too: that's so much to carry at once. How are you holding up?",
            "That's a lot to happen to one person, I'm so sorry. {first}, and {second} as well. "
            "Where would you like to start?",
        ),
        "ack_isolation": (
            "Thank you for telling me about {what}. That sounds really lonely, and it's not your fault. "
            "What are the days like for you?",
            "I'm sorry about {what}. That's hard, and lots of people feel it, even if no one says so. "
            "When is it worst?",
        ),
        # the rest of the session, instead of cheer
        "gentle": (
            "Thank you for telling me. I'm still here and listening. What's on your mind?",
            "Go on, I'm listening. Take your time.",
            "I'm here. Would you like to tell me more?",
            "Thank you for sharing that with me. How are you feeling right now?",
        ),
        "gentle_family": (
            "It sounds like they matter to you. How are things with them at the moment?",
            "Thank you for telling me about them. Do they know how things are for you?",
        ),
        "gentle_pets": (
            "Animals can be such a comfort, and such a loss. What were they like?",
            "Thank you for telling me. Were they good company for you?",
        ),
        "gentle_weather": (
            "I hope you can keep warm and comfortable. How are you managing at home?",
            "Thank you for telling me. How are you getting through the days at the moment?",
        ),
        "gentle_hobbies": (
            "It sounds like that meant a lot to you. Do you still get to do it?",
            "Thank you for telling me about that. What did you enjoy most about it?",
        ),
        "gentle_food": ("Are you managing to eat properly at the moment?",),
        "gentle_health": (
            "Thank you for telling me. I can't give medical advice, but I'm here to listen. How are you in yourself?",
        ),
        "gentle_happy": ("I'm glad there's been a brighter moment. What helped?",),
        "gentle_name": ("Thank you, {name}. I'll remember that.",),
    }
)


def choose(key: str, recent: list[str], rng: random.Random | None = None, **values: str) -> tuple[str, str]:
    """A line for `key` the person hasn't heard recently, and its id to remember."""
    options = LINES[key]
    rng = rng or random.Random()
    fresh = [i for i in range(len(options)) if f"{key}:{i}" not in recent] or list(range(len(options)))
    index = rng.choice(fresh)
    return options[index].format(**values), f"{key}:{index}"


# --- the suggestion form: leaving it, and giving up kindly (actions/suggestions.py) -------------
LINES.update(
    {
        "form_no": (
            "That's fine, we don't need to look for anything. I'm happy just to chat.",
            "Of course, no need to go anywhere. I'm here if you'd like to talk.",
            "No problem at all, I'll leave the searching. What would you like to talk about?",
        ),
        "form_gave_up_place": (
            "I'm sorry, I still can't find that place. We can leave it there, or someone from our team "
            "could help you look.",
        ),
        "form_any_day": ("I'll look on any day, then.",),
    }
)

# --- reminders before a session (actions/suggestions.py), on time or late after a restart ------------
LINES.update(
    {
        "reminder": ("Just a reminder: {name} starts at {time} {day}. I hope you enjoy it.",),
        "reminder_late": ("Sorry, I meant to remind you earlier: {name} starts at {time} {day}. I hope you enjoy it.",),
        "reminder_started": (
            "Sorry, I meant to remind you earlier: {name} started at {time} {day}. "
            "If you can't make it this time, there's always the next one.",
        ),
    }
)


# --- answers to questions about support (actions/answers.py; topics in residents/vocabulary.py) --
# {carers_uk}, {cruse} and {age_uk} are the contacts in safety.yml, the one place for numbers.
LINES.update(
    {
        "answer_respite": (
            "Respite means someone else takes over the caring for a while, so you get a break: a sitter at "
            "home for a few hours, a day centre, or a short stay somewhere. It doesn't mean a move into a "
            "home. Your council can help arrange it, and sometimes pay, usually after a carer's assessment. "
            "{carers_uk} can talk it through with you.",
        ),
        "answer_carers_assessment": (
            "A carer's assessment is a free conversation with your council's adult social care team about "
            "how caring affects you and what would help: breaks, equipment, or support for your own health. "
            "Anyone who looks after someone can ask for one, whatever their income, even if the person you "
            "care for gets no help. Ring your council and say you'd like a carer's assessment (under-18s can "
            "ask for a young carer's needs assessment). {carers_uk} can explain what to expect.",
        ),
        "answer_befriending": (
            "Befriending means a volunteer keeps you company regularly, usually the same person each time: "
            "a weekly phone call, or a visit for a cup of tea and a chat. It's free and it's for anyone who'd "
            "like more company. {age_uk} can tell you about their free telephone friendship service for "
            "people over 60.",
        ),
        "answer_cost": (
            "Most groups are free or ask for a small contribution, like a pound or two for tea and cake, and "
            "befriending is free. Each suggestion I show says what it costs when the directory knows. If "
            "money is tight, just say so and I'll put free ones first.",
        ),
        "answer_bereavement": (
            "Yes, there's support that isn't a group. {cruse} offers free one-to-one support by phone, online "
            "chat or in person. Your GP can also refer you for counselling, and some people find a befriender "
            "or a walking group easier than talking in a circle.",
        ),
        "answer_transport": (
            "If getting there is hard, there's often help: community transport (minibuses or volunteer "
            "drivers, usually for a small fare), dial-a-ride for people who can't use buses, and free bus "
            "passes from State Pension age or with some disabilities. Some groups can arrange a lift too.",
        ),
        "answer_day_centre": (
            "A day centre is somewhere to spend the day with company, a meal and activities, then go home: "
            "it isn't a care home. Lunch clubs are a hot meal with company, once or twice a week; a men's shed "
            "is a workshop where people make and mend things together; a memory cafe is a relaxed afternoon "
            "for people living with dementia and the people who care for them.",
        ),
        "answer_young_carers": (
            "A young carers' group is for people under 18 who look after someone at home. You meet others "
            "who get it, have a break and do fun things together, and they can help at school too. It's free.",
        ),
        "answer_who_for": (
            "I'm here for anyone who feels lonely or cut off, and for carers, whatever their age. Some groups "
            "are for particular ages or people, and I'll only suggest what fits you.",
        ),
        "answer_unknown": (
            "That's a good question, and I'm not sure I know. Someone from our team could find out for you, "
            "or I can look for services near you.",
        ),
        "answer_offer": ("Would you like me to look for some near you?",),
        # a place or a day given when no search is going (actions/fallback.py)
        "details_offer": (
            "Thank you, I've made a note of that. Would you like me to look for something that fits?",
            "Thanks, that helps. Shall I look for something that fits?",
        ),
        "details_noted": ("Thank you, I've made a note of that.",),
    }
)
