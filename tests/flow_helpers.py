"""Helpers for flow tests: settings, a flow folder from text, a pure call context."""

from __future__ import annotations

import textwrap
from datetime import datetime
from pathlib import Path
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from helpline import flows
from helpline.config import Settings, load_settings
from helpline.flows.interpreter import CallContext
from helpline.phones import Caller
from helpline.routing import decide

ROOT = Path(__file__).resolve().parent.parent
LONDON = ZoneInfo("Europe/London")
HARMONY, SUPPORT = "+443301757258", "+448081689111"
IN_HOURS = datetime(2026, 11, 24, 10, 0, tzinfo=LONDON)
EVENING = datetime(2026, 11, 24, 18, 0, tzinfo=LONDON)


def settings() -> Settings:
    """Return the real service settings, as tests start them."""
    environ = {"HELPLINE_ENV": "testing", "HELPLINE_SECRET_KEY": "x",
               "HELPLINE_CONFIG": str(ROOT / "config" / "helpline.toml")}  # fmt: skip
    return load_settings(environ, ROOT / "instance")


def prompts() -> flows.Prompts:
    """Return the prompt book built from the real config."""
    return flows.Prompts.from_settings(settings())


def write_flows(folder: Path, **texts: str) -> Path:
    """Write flow files (name -> YAML text) into a folder and return it."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in texts.items():
        (folder / f"{name}.yaml").write_text(textwrap.dedent(text), encoding="utf-8")
    return folder


def problems_in(folder: Path, **texts: str) -> list[str]:
    """Return the checker's problems for some flow files, as text."""
    directory = write_flows(folder, **texts)
    found = flows.check(flows.flow_files(directory), prompts(), None)
    return [str(problem) for problem in found]


def context(
    at: datetime = IN_HOURS, number: str | None = "+447911123456", kind: str = "new"
) -> CallContext:
    """Return a call context with readable fake callback URLs."""
    calendar = settings().calendar

    def url(flow: str, state: str, hook: str, query: object) -> str:
        return f"https://helpline.test/{flow}/{state}/{hook}?{urlencode(dict(query))}"  # type: ignore[call-overload]

    return CallContext(
        decision=decide(at, calendar), caller=Caller(number), now=at, calendar=calendar,
        url=url, caller_kind=lambda: kind,
    )  # fmt: skip
