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


def choose(key: str, recent: list[str], rng: random.Random | None = None, **values: str) -> tuple[str, str]:
    """A line for `key` the person hasn't heard recently, and its id to remember."""
    options = LINES[key]
    rng = rng or random.Random()
    fresh = [i for i in range(len(options)) if f"{key}:{i}" not in recent] or list(range(len(options)))
    index = rng.choice(fresh)
    return options[index].format(**values), f"{key}:{index}"
