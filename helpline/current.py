"""Typed access to the running app's state: the one module that knows the extension keys.

Views, jobs and commands read the settings, the clock, the flows and the rest through these
functions, so every read is typed and mypy checks it; `app.py` installs them with `install`.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, Any, cast

from flask import Flask, current_app

if TYPE_CHECKING:  # only for the annotations: importing them here would make import cycles
    from helpline.auth.nav import Navigation
    from helpline.auth.throttle import AddressThrottle
    from helpline.calls.writer import ContactWriter
    from helpline.closures.cache import ClosureCache
    from helpline.config import Settings
    from helpline.database import Database
    from helpline.flows.model import FlowSet
    from helpline.flows.prompts import Prompts
    from helpline.jobs import Job

SETTINGS = "helpline.settings"
CLOCK = "helpline.clock"
FLOWS = "helpline.flows"
PROMPTS = "helpline.prompts"
DATABASE = "helpline.db"
WRITER = "helpline.writer"
CLOSURES = "helpline.closures"
JOBS = "helpline.jobs"
NAVIGATION = "helpline.navigation"
LOGIN_THROTTLE = "helpline.login_throttle"


def install(app: Flask, **state: Any) -> None:
    """Attach state to the app by name: settings, clock, flows, prompts, database, ..."""
    keys = {
        "settings": SETTINGS,
        "clock": CLOCK,
        "flows": FLOWS,
        "prompts": PROMPTS,
        "database": DATABASE,
        "writer": WRITER,
        "closures": CLOSURES,
        "jobs": JOBS,
        "navigation": NAVIGATION,
        "login_throttle": LOGIN_THROTTLE,
    }
    for name, value in state.items():
        app.extensions[keys[name]] = value


def _get(key: str, app: Flask | None) -> Any:
    """Return one piece of the app's state (the current app's by default)."""
    return (app or current_app).extensions[key]


def settings(app: Flask | None = None) -> Settings:
    """Return the validated configuration."""
    return cast("Settings", _get(SETTINGS, app))


def clock(app: Flask | None = None) -> Callable[[], datetime]:
    """Return the app's clock (swappable so tests and the simulator can place a call)."""
    return cast("Callable[[], datetime]", _get(CLOCK, app))


def now(app: Flask | None = None) -> datetime:
    """Return the current instant by the app's clock (aware UTC)."""
    return clock(app)()


def flows(app: Flask | None = None) -> FlowSet:
    """Return the loaded IVR flows."""
    return cast("FlowSet", _get(FLOWS, app))


def prompts(app: Flask | None = None) -> Prompts:
    """Return the spoken words the flows use."""
    return cast("Prompts", _get(PROMPTS, app))


def database(app: Flask | None = None) -> Database:
    """Return the database."""
    return cast("Database", _get(DATABASE, app))


def writer(app: Flask | None = None) -> ContactWriter:
    """Return the contact writer (journal and background recorder)."""
    return cast("ContactWriter", _get(WRITER, app))


def closures(app: Flask | None = None) -> ClosureCache:
    """Return the in-memory closures."""
    return cast("ClosureCache", _get(CLOSURES, app))


def jobs(app: Flask | None = None) -> list[Job]:
    """Return the scheduled jobs (a list other modules may add their own Job to)."""
    return cast("list[Job]", _get(JOBS, app))


def navigation(app: Flask | None = None) -> Navigation:
    """Return the staff pages' navigation: its links and the counts beside them."""
    return cast("Navigation", _get(NAVIGATION, app))


def login_throttle(app: Flask | None = None) -> AddressThrottle:
    """Return the failed sign-ins counted per address."""
    return cast("AddressThrottle", _get(LOGIN_THROTTLE, app))
