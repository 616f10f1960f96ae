"""Scripted flow tests as data (ivr_flows/tests/*.yaml): play each call, check what happened."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import yaml

from helpline.flows.kinds import KINDS
from helpline.flows.loader import first_line
from helpline.flows.model import FlowSet
from helpline.simulate import CallSimulator, Script, Transcript

# What a call's values must look like, said when one does not.
CALL_FORMS = "'at' must be an ISO 8601 date and time, 'press' and 'dial' lists, 'record' seconds"
EXPECT_KEYS = frozenset(
    {"hears", "not_hears", "dialled", "path_includes", "voicemails", "callback", "callbacks"}
    | {"line_hears", "answered_by", "screenings"}
)


@dataclass(frozen=True)
class ScriptedCall:
    """One call from a scripted test file, with what must happen."""

    source: str
    name: str
    at: str
    from_: str
    script: Script
    expect: Mapping[str, Any]


@dataclass
class Result:
    """The outcome of one scripted call."""

    call: ScriptedCall
    transcript: Transcript
    failures: list[str] = field(default_factory=list)


def load_calls(path: Path) -> list[ScriptedCall]:
    """Read a scripted test file; raise ValueError naming the file and call if it is malformed."""
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, yaml.YAMLError) as error:
        raise ValueError(f"{path}: cannot be read: {first_line(error)}") from None
    if not isinstance(raw, Mapping) or not isinstance(raw.get("calls"), list):
        raise ValueError(f"{path}: must be a mapping with a list of 'calls'")
    return [_call(path, index, item) for index, item in enumerate(raw["calls"], 1)]


def _call(path: Path, index: int, item: Any) -> ScriptedCall:
    """Parse one scripted call."""
    name = str(item.get("name", f"call {index}")) if isinstance(item, Mapping) else f"call {index}"
    if not isinstance(item, Mapping) or "at" not in item:
        raise ValueError(f"{path}: {name}: needs at least 'at' (and usually 'from', 'expect')")
    expect = item.get("expect") or {}
    unknown = set(expect) - EXPECT_KEYS
    if unknown:
        raise ValueError(f"{path}: {name}: unknown expectation(s) {', '.join(sorted(unknown))}")
    try:
        at = str(item["at"])
        datetime.fromisoformat(at)  # as_local reads it when the call is played
        script = Script(
            presses=[str(p) for p in item.get("press", [])],
            dial_outcomes=[str(d) for d in item.get("dial", [])],
            recordings=[int(r) for r in item.get("record", [])],
        )
    except (TypeError, ValueError):
        raise ValueError(f"{path}: {name}: {CALL_FORMS}") from None
    return ScriptedCall(str(path), name, at, str(item.get("from", "")), script, expect)


def run(simulator: CallSimulator, call: ScriptedCall, at: Any) -> Result:
    """Play a scripted call at an aware instant and check its expectations."""
    script = Script(
        list(call.script.presses), list(call.script.dial_outcomes), list(call.script.recordings)
    )
    transcript = simulator.call(at, call.from_, script)
    return Result(call, transcript, failures(call.expect, transcript))


def failures(expect: Mapping[str, Any], t: Transcript) -> list[str]:
    """Return each expectation the call did not meet, in words."""
    found = [f"TwiML problem: {problem}" for problem in t.problems]
    heard = " ".join(t.heard)
    found += [f"did not hear {text!r}" for text in expect.get("hears", []) if text not in heard]
    found += [f"heard {text!r}" for text in expect.get("not_hears", []) if text in heard]
    if "dialled" in expect and list(expect["dialled"]) != t.dialled:
        found.append(f"dialled {t.dialled}, expected {list(expect['dialled'])}")
    path = t.stored.get("ivr_path", [])
    found += [f"path lacks {e!r}: {path}" for e in expect.get("path_includes", []) if e not in path]
    if "voicemails" in expect and len(t.stored.get("voicemails", [])) != expect["voicemails"]:
        found.append(f"stored {len(t.stored.get('voicemails', []))} voicemails")
    found += _callback_failures(expect, t.stored.get("callbacks", []))
    found += _line_failures(expect, t)
    if t.stored and not t.stored.get("case_reference"):
        found.append("the call was not logged against a case")
    return found


def _callback_failures(expect: Mapping[str, Any], callbacks: list[dict[str, Any]]) -> list[str]:
    """Check the stored callback requests against the expected count and consent."""
    if "callbacks" in expect and len(callbacks) != expect["callbacks"]:
        return [f"stored {len(callbacks)} callback requests, expected {expect['callbacks']}"]
    wanted = expect.get("callback")
    if wanted is None:
        return []
    if len(callbacks) != 1:
        return [f"expected one callback request, found {len(callbacks)}"]
    return [
        f"callback {key} is {callbacks[0].get(key)!r}, expected {value!r}"
        for key, value in wanted.items()
        if callbacks[0].get(key) != value
    ]


def _line_failures(expect: Mapping[str, Any], t: Transcript) -> list[str]:
    """Check what the dialled line heard, each screening outcome, and who answered last."""
    heard = " ".join(t.line_heard)
    wanted = expect.get("line_hears", [])
    found = [f"the line did not hear {text!r}" for text in wanted if text not in heard]
    if "answered_by" in expect and t.stored.get("answered_by") != expect["answered_by"]:
        found.append(f"answered by {t.stored.get('answered_by')!r}, not {expect['answered_by']!r}")
    outcomes = [outcome for _number, outcome in t.stored.get("screenings", [])]
    if "screenings" in expect and outcomes != list(expect["screenings"]):
        found.append(f"screening outcomes {outcomes}, expected {list(expect['screenings'])}")
    return found


def uncovered(flows: FlowSet, paths: Iterable[list[str]]) -> list[str]:
    """Return the main flow's states and transitions no scripted call went through."""
    flow = flows.flows[flows.main]
    seen: set[tuple[str, str | None]] = set()
    for path in paths:
        for entry in path:
            state, _, event = entry.partition(":")
            step = flow.states.get(state)
            if step is None:
                continue
            seen.add((state, None))
            passes = KINDS[step.type].passes
            if passes is not None:
                seen.add((state, passes))
            elif event:
                seen.add((state, _taken(step.type, event, step.transitions)))
    missing = [f"state {s}" for s in flow.states if (s, None) not in seen]
    for step in flow.states.values():
        missing += [
            f"transition {step.name}.{event}"
            for event in step.transitions
            if (step.name, event) not in seen
        ]
    return missing


def _taken(kind: str, event: str, transitions: Mapping[str, str]) -> str:
    """Return the transition an event takes: its own, else the first fallback the step has."""
    chain = (event, *KINDS[kind].fallbacks.get(event, ()))
    return next((name for name in chain if name in transitions), event)
