"""Compose the safety reply from `safety.yml`: the numbers that fit, and when staff will be in touch.

Rasa's triage component and the gateway's safety net both call `compose`, so a resident gets the
same words whichever of them answers.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from zoneinfo import ZoneInfo

import yaml

from safety.language import language_reply
from safety.rules import Assessment
from safety.vocabulary import most_serious

CONFIG_PATH = Path(__file__).resolve().parent.parent / "safety.yml"
DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
DAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


@dataclass(frozen=True)
class SafetyConfig:
    """The parsed `safety.yml`."""

    timezone: ZoneInfo
    office_hours: dict[int, tuple[dt.time, dt.time]]
    contacts: dict[str, str]
    contacts_for: dict[str, list[str]]
    always_open: list[str]
    young_under_35: list[str]
    young_under_19: list[str]
    wording: dict
    # Bare numbers ({emergency}, {samaritans}, ...) for wording that names one inside a sentence.
    numbers: dict[str, str]

    def contact_lines(self, key: str) -> list[str]:
        """The contacts configured for `key`, as they are shown to a resident."""
        return [self.contacts[name] for name in self.contacts_for.get(key, [])]


def _time(value: str) -> dt.time:
    hours, minutes = value.split(":")
    return dt.time(int(hours), int(minutes))


@lru_cache(maxsize=4)
def load_config(path: str | Path = CONFIG_PATH) -> SafetyConfig:
    """Read and check a safety configuration file (cached: it is read once per process)."""
    raw = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    hours = {DAYS.index(day): (_time(span[0]), _time(span[1])) for day, span in (raw.get("office_hours") or {}).items()}
    config = SafetyConfig(
        timezone=ZoneInfo(raw.get("timezone", "Europe/London")),
        office_hours=hours,
        contacts=raw["contacts"],
        contacts_for=raw["contacts_for"],
        always_open=raw.get("always_open", []),
        young_under_35=raw.get("young_under_35", []),
        young_under_19=raw.get("young_under_19", []),
        wording=raw["wording"],
        numbers={str(k): str(v) for k, v in (raw.get("numbers") or {}).items()},
    )
    extra = [("young", config.young_under_35), ("young", config.young_under_19), ("always_open", config.always_open)]
    for key, names in [*config.contacts_for.items(), *extra]:
        for name in names:
            if name not in config.contacts:
                raise ValueError(f"safety.yml: '{key}' names contact '{name}', which is not defined")
    return config


def _clock(value: dt.time) -> str:
    hour = value.hour % 12 or 12
    suffix = "am" if value.hour < 12 else "pm"
    return f"{hour}{suffix}" if value.minute == 0 else f"{hour}:{value.minute:02d}{suffix}"


def staff_timing(config: SafetyConfig, now: dt.datetime | None = None) -> tuple[bool, str]:
    """Whether the office is open now, and when staff will see a new escalation, in words."""
    local = (now or dt.datetime.now(dt.timezone.utc)).astimezone(config.timezone)
    today = config.office_hours.get(local.weekday())
    if today and today[0] <= local.time() < today[1]:
        return True, f"today before {_clock(today[1])}"
    for offset in range(0, 8):
        day = local + dt.timedelta(days=offset)
        span = config.office_hours.get(day.weekday())
        if not span or (offset == 0 and local.time() >= span[0]):
            continue
        if offset == 0:
            label = "today"
        elif offset == 1:
            label = "tomorrow"
        else:
            label = f"on {DAY_NAMES[day.weekday()]}"
        return False, f"{label} from {_clock(span[0])}"
    return False, "as soon as they can"


@dataclass(frozen=True)
class Reply:
    """A composed safety reply: the text, and the level and types it answers."""

    text: str
    level: str
    types: tuple[str, ...]


def fill(template: str, config: SafetyConfig | None = None, **extra: str) -> str:
    """A wording with its {placeholders} filled in: the `numbers` of safety.yml, and `extra`."""
    config = config or load_config()
    return template.format(**config.numbers, **extra)


def ask_directly(risk_type: str, config: SafetyConfig | None = None) -> str:
    """The direct question for risk that is not explicit (as crisis volunteers are trained to ask)."""
    config = config or load_config()
    questions = config.wording["ask_directly"]
    return fill(questions.get(risk_type, questions["suicide"]), config)


def after_crisis(kind: str, types: list[str] | tuple[str, ...], config: SafetyConfig | None = None) -> str:
    """What to say next after the crisis reply: `not_safe` (still in danger) or `unsure` (doesn't
    know what to do); the wording names the one contact that fits the most serious type first."""
    config = config or load_config()
    lead = most_serious(list(types)) or "unspecified_urgent"
    key = "abuse_urgent" if lead == "abuse" else lead
    first = (config.contact_lines(key) or config.contact_lines("unspecified_urgent"))[0]
    return fill(config.wording["after_crisis"][kind], config, first_contact=first)


def compose(
    level: str,
    types: list[str] | tuple[str, ...],
    age: int | None = None,
    urgent_abuse: bool = False,
    older_person_abuse: bool = False,
    now: dt.datetime | None = None,
    config: SafetyConfig | None = None,
    language: str = "en",
    help_coming: bool = False,
) -> Reply:
    """The reply for a message triaged at `level` with `types`.

    Urgent: an opening, then the numbers for the most serious type (999 first for a medical
    emergency or danger from someone), then when staff will be in touch. Concern: an
    acknowledgement, the matching line, a respite offer for carers, and when staff will be in touch.
    """
    config = config or load_config()
    wording = config.wording
    lead = most_serious(list(types))
    lines: list[str] = []
    # Someone writing in another language first reads what we can say in it (safety.language).
    foreign = language_reply(language) if language != "en" else None
    if foreign:
        lines.append(foreign)
    contacts: list[str] = []
    if level == "urgent":
        key = lead if lead in wording["urgent_opening"] else "unspecified_urgent"
        if lead == "abuse" or urgent_abuse:
            key = "abuse"
        # Someone who has already called for help is not told to call again.
        lines.append(fill(wording["help_coming_opening"], config) if help_coming else wording["urgent_opening"][key])
        if key == "abuse":
            contacts += config.contact_lines("abuse_urgent")
        elif key == "unspecified_urgent":
            contacts += config.contact_lines("unspecified_urgent")
        else:
            contacts += config.contact_lines(key)
        # Someone at risk of suicide who also reports abuse, or the reverse, gets both sets.
        for other in types:
            if other != lead:
                other_key = "abuse_urgent" if other == "abuse" else other
                contacts += config.contact_lines(other_key)
    else:
        opening = wording["concern_opening"].get(lead or "", wording["concern_opening"]["self_neglect"])
        lines.append(opening)
        for risk_type in types:
            key = "abuse_older" if risk_type == "abuse" and older_person_abuse else risk_type
            contacts += config.contact_lines(key)
            if risk_type == "abuse" and older_person_abuse:
                contacts += config.contact_lines("abuse")
    if age is not None and (level == "urgent" and lead in ("suicide", "self_harm", None)):
        if age < 35:
            contacts += [config.contacts[name] for name in config.young_under_35]
    if age is not None and age < 19:
        contacts += [config.contacts[name] for name in config.young_under_19]
    unique = list(dict.fromkeys(contacts))
    if unique:
        lines.append(wording["contacts_intro"])
        lines += [f"• {contact}" for contact in unique]
    if "carer_strain" in types:
        lines.append(wording["respite_offer"])
    open_now, when = staff_timing(config, now)
    template = wording["staff_in_hours"] if open_now else wording["staff_out_of_hours"]
    lines.append(template.format(when=when))
    if not open_now:
        night = [config.contacts[name] for name in config.always_open if config.contacts[name] not in unique]
        if night:
            lines.append(wording["always_open_intro"])
            lines += [f"• {contact}" for contact in night]
    return Reply(text="\n".join(lines), level=level, types=tuple(types))


def reply_for(found: Assessment, now: dt.datetime | None = None, config: SafetyConfig | None = None) -> Reply | None:
    """The first thing to say to a triaged message, or None when triage has nothing to say.

    Urgent and concern get the composed reply; risk that is not explicit gets the direct question;
    a message in another language gets the reply in that language; a worry about someone else
    gets the welfare-check advice.
    """
    config = config or load_config()
    types = tuple(found.risk_types)
    if found.ask:
        return Reply(ask_directly(found.ask, config), "concern", types)
    if found.risk != "none":
        return compose(
            found.risk,
            types,
            age=found.age,
            urgent_abuse=found.urgent_abuse,
            older_person_abuse=found.older,
            now=now,
            config=config,
            language=found.language,
            help_coming="help_coming" in found.signals,
        )
    if found.language != "en":
        text = language_reply(found.language)
        return Reply(text, "none", ()) if text else None
    if "worry_about_someone" in found.signals:
        return Reply(fill(config.wording["welfare_check"], config), "none", ())
    return None


def followups_for(found: Assessment, config: SafetyConfig | None = None) -> dict[str, str]:
    """What to say on the next turn, prepared now so the dialogue needs no action server.

    `followup`: after a yes to the direct question, the urgent reply; after an urgent reply, what
    to say if the person is still not safe (never the whole reply twice). `next`: one small step,
    for someone who says they don't know what to do.
    """
    config = config or load_config()
    types = list(found.risk_types)
    if found.ask:
        urgent = compose("urgent", [found.ask], age=found.age, config=config, language=found.language)
        return {"followup": urgent.text, "next": after_crisis("unsure", [found.ask], config)}
    if found.risk == "urgent":
        kind = "help_coming" if "help_coming" in found.signals else "not_safe"
        return {"followup": after_crisis(kind, types, config), "next": after_crisis("unsure", types, config)}
    return {}
