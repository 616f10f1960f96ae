"""Turn a step's words into <Say>/<Play>: fill in the service's details, read numbers aloud."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from twilio.twiml import TwiML
from twilio.twiml.voice_response import Play, Say

from helpline.config import Line, Settings
from helpline.flows.model import SAY_LIMIT
from helpline.routing import describe_hours

# {service}, {provider}, {hours} (the main line's), {hours:LINE}, or {number:LINE} for a
# configured line's number read digit by digit.
PLACEHOLDER = re.compile(r"\{([a-z_]+)(?::([a-z_]+))?\}")
TEXT_FIELDS = ("service", "provider")
LINE_FIELDS = ("number", "hours")


@dataclass(frozen=True)
class Prompts:
    """Everything a prompt may mention, and how it is spoken."""

    service: str
    provider: str
    lines: Mapping[str, Line]  # in routing order: the main line first
    voice: str
    language: str
    ring_timeout: int

    @classmethod
    def from_settings(cls, settings: Settings) -> Prompts:
        """Build the prompt book from the service configuration."""
        return cls(
            service=settings.spoken_name,
            provider=settings.provider,
            lines=settings.lines,
            voice=settings.voice.voice,
            language=settings.voice.language,
            ring_timeout=settings.voice.ring_timeout,
        )

    def problems(self, text: str) -> list[str]:
        """Return what is wrong with a prompt: unknown placeholders, or too long to speak."""
        found = []
        for match in PLACEHOLDER.finditer(text):
            name, line = match.groups()
            if name in LINE_FIELDS and line is not None and line not in self.lines:
                found.append(f"prompt mentions {match.group(0)}, but no such line is configured")
            elif name == "number" and line is None:
                found.append(f"prompt has {match.group(0)} without a line: {{number:LINE}}")
            elif name == "hours" and not self.lines[line or self.main].hours:
                found.append(f"prompt mentions {match.group(0)}, but that line has no hours")
            elif name not in LINE_FIELDS and (line or name not in TEXT_FIELDS):
                found.append(f"prompt has an unknown placeholder {match.group(0)}")
        if not found and len(self.spoken(text)) > SAY_LIMIT:
            found.append("prompt is longer than Twilio's 4,096 characters for <Say>")
        return found

    @property
    def main(self) -> str:
        """Return the key of the main line, whose hours {hours} reads."""
        return next(iter(self.lines))

    def hours(self, line: str) -> str:
        """Return a line's opening hours in speech."""
        opening = self.lines[line].hours
        return describe_hours(opening) if opening else "24 hours a day"

    def spoken(self, text: str) -> str:
        """Return the prompt as plain text, numbers in their national format."""
        return "".join(
            part if isinstance(part, str) else part.national for part in self._parts(text)
        )

    def say(self, parent: TwiML, text: str) -> Say:
        """Append a <Say> of the prompt, phone numbers read as telephone numbers."""
        say = Say(voice=self.voice, language=self.language)
        for part in self._parts(text):
            if isinstance(part, str):
                say.append(part)
            else:
                say.say_as(part.national, interpret_as="telephone")
        parent.append(say)
        return say

    def prompt(self, parent: TwiML, properties: Mapping[str, Any], default: str = "") -> None:
        """Append the step's audio, or speak its words (or the default words)."""
        if properties.get("audio"):
            parent.append(Play(properties["audio"]))
        elif properties.get("say") or default:
            self.say(parent, properties.get("say") or default)

    def _parts(self, text: str) -> list[str | Line]:
        """Split a prompt into text and the lines whose numbers it reads out."""
        parts: list[str | Line] = []
        position = 0
        for match in PLACEHOLDER.finditer(text):
            parts.append(text[position : match.start()])
            name, line = match.groups()
            if name == "number":
                parts.append(self.lines[line])
            elif name == "hours":
                parts.append(self.hours(line or self.main))
            else:
                parts.append(str(getattr(self, name)))
            position = match.end()
        parts.append(text[position:])
        # TwiML keeps one run of text between elements, so join neighbouring text.
        merged: list[str | Line] = []
        for part in parts:
            if merged and isinstance(part, str) and isinstance(merged[-1], str):
                merged[-1] += part
            else:
                merged.append(part)
        return [part for part in merged if part != ""]
