"""The menu step kind: offer choices by key or by word, re-prompt, then a way out. Pure."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from twilio.twiml.voice_response import Gather

from helpline.flows.kind import SAY_PROPERTIES, StepKind
from helpline.flows.model import Flow, Step
from helpline.flows.prompts import Prompts
from helpline.flows.render import Input, Renderer
from helpline.flows.steps import say_checks, text

MIN_CONFIDENCE = 0.3  # below this Twilio's speech guess is treated as not understood
KEYS = "0123456789*#"


def enter_menu(r: Renderer, step: Step) -> Step | None:
    """Offer the choices, re-prompting on silence, then take the no-input way out."""
    r.note(step)
    return menu_gathers(r, step, first=1)


def menu_gathers(r: Renderer, step: Step, first: int) -> Step | None:
    """Render the remaining attempts, each a <Gather>, then the no-input transition inline."""
    attempts = step.prop("attempts", 3)
    words: Mapping[str, object] = step.prop("words", {})
    for attempt in range(first, attempts + 1):
        options: dict[str, object] = {"num_digits": 1, "timeout": step.prop("timeout", 5)}
        if words or step.prop("speech"):
            options |= {"input": "dtmf speech", "speech_timeout": "auto"}
            options |= {"language": r.prompts.language, "hints": ", ".join(_words(words))}
        gather = Gather(action=r.url(step, "gather", attempt=attempt), method="POST", **options)
        if attempt > first:
            r.prompts.say(gather, text(step, "retry_say"))
        r.prompts.prompt(gather, step.properties)
        r.response.append(gather)
        if attempt < attempts:
            r.note(step, "no_input_repeat")
    return r.go(step, "no_input")


def resume_menu(r: Renderer, step: Step, given: Input) -> Step | None:
    """Follow the chosen key; on silence or a wrong key, ask again or take the default."""
    choice = _choice(step, given)
    if choice is not None:
        return r.go(step, choice)
    event = "invalid" if given.digits or given.speech else "no_input"
    attempt = given.number("attempt", 1)
    if attempt >= step.prop("attempts", 3):
        return r.go(step, event, "no_input")
    r.note(step, f"{event}_repeat")
    r.prompts.say(r.response, text(step, f"{'invalid' if event == 'invalid' else 'retry'}_say"))
    return menu_gathers(r, step, first=attempt + 1)


def _choice(step: Step, given: Input) -> str | None:
    """Return the menu choice the caller pressed or said, if it is one."""
    if len(given.digits) == 1 and given.digits in step.transitions:
        return given.digits
    if given.speech and given.confidence >= MIN_CONFIDENCE:
        said = given.speech.lower()
        for key, words in step.prop("words", {}).items():
            if any(word.lower() in said for word in _words({key: words})):
                return str(key)
    return None


def _words(words: Mapping[str, object]) -> list[str]:
    """Return every spoken word or phrase a menu listens for."""
    found: list[str] = []
    for value in words.values():
        items = value if isinstance(value, (list, tuple)) else str(value).split(",")
        found += [str(item).strip() for item in items if str(item).strip()]
    return found


def _menu_checks(step: Step, flows: Mapping[str, Flow], prompts: Prompts) -> Iterator[str]:
    """A menu says something, and its spoken words must belong to its choices."""
    yield from say_checks(step, flows, prompts)
    for key in step.prop("words", {}):
        if str(key) not in step.transitions:
            yield f"words: {key!r} is not one of the menu's choices"


def _choices(properties: dict[str, Any]) -> tuple[dict[str, Any], list[str]]:
    """Turn a menu's choices (key -> state) into ways out named by the key."""
    choices = properties.pop("choices", {})
    problems = [] if choices else ["a menu needs at least one choice"]
    found: dict[str, Any] = {}
    for key, target in choices.items():
        if len(str(key)) != 1 or str(key) not in KEYS:
            problems.append(f"choice {str(key)!r} is not a single key")
        else:
            found[str(key)] = target
    return found, problems


MENU = StepKind(
    "menu",
    enter_menu,
    SAY_PROPERTIES
    | {"choices": dict, "words": dict, "attempts": int, "timeout": int, "speech": bool}
    | {"retry_say": str, "invalid_say": str},
    required=("no_input",),
    optional=("invalid",),
    resume={"gather": resume_menu},
    checks=_menu_checks,
    inline=("no_input",),
    fallbacks={"invalid": ("no_input",)},
    choices=_choices,
)
