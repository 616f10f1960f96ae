"""Structured logs: JSON in production, readable lines in development; never a phone number.

Every line carries the request id and the CallSid of the webhook being answered, so one
call can be followed through the logs without anyone's number appearing in them.
"""

from __future__ import annotations

import json
import logging
import re
import sys
import uuid
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from flask import Flask, Response, g, has_request_context, request

from helpline.config import Settings

# Phone-number-like runs of 9-15 digits (optionally +, 00, spaces, dashes, brackets), not
# inside a word (a CallSid's hex) and not followed by ':' (a clock time after a date).
PHONE_PATTERN = re.compile(r"(?<![\w+])(?:\+|\b00)?\(?\d(?:[ \-]?\(?\d\)?){8,14}(?![\w:])")
REDACTED = "[number]"
REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")
CALL_SID = re.compile(r"^CA[0-9a-zA-Z]{1,62}$")
# Development lines read in the service's own time (production's JSON lines are UTC, for tools).
LONDON = ZoneInfo("Europe/London")
TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s [%(request_id)s %(call_sid)s] %(message)s"


def redact(text: str) -> str:
    """Replace anything that looks like a phone number."""
    return PHONE_PATTERN.sub(REDACTED, text)


class RedactPhoneNumbers(logging.Filter):
    """A safety net: rewrite each record's message without phone numbers."""

    def filter(self, record: logging.LogRecord) -> bool:
        """Render the message once, redacted, so formatters cannot re-insert the arguments."""
        record.msg, record.args = redact(record.getMessage()), None
        return True


class RequestContext(logging.Filter):
    """Add request_id and call_sid to every record ('-' outside a webhook)."""

    def filter(self, record: logging.LogRecord) -> bool:
        """Attach the current request's id and CallSid."""
        record.request_id, record.call_sid = "-", "-"
        if has_request_context():
            record.request_id = g.get("request_id", "-")
            record.call_sid = _call_sid()
        return True


def _call_sid() -> str:
    """Return the request's CallSid if it looks like one; logging must never raise."""
    try:
        value = request.form.get("CallSid", "")
    except Exception:  # an unreadable body: the line is still worth writing
        return "-"
    return value if CALL_SID.match(value) else "-"


class JsonFormatter(logging.Formatter):
    """One JSON object a line, for log collectors."""

    def format(self, record: logging.LogRecord) -> str:
        """Return the record as JSON, exception included, redacted."""
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", "-"),
            "call_sid": getattr(record, "call_sid", "-"),
        }
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return redact(json.dumps(entry))


class TextFormatter(logging.Formatter):
    """Readable lines for development, in UK local time, redacted including tracebacks."""

    def __init__(self, fmt: str = TEXT_FORMAT, zone: ZoneInfo = LONDON) -> None:
        super().__init__(fmt)
        self.zone = zone

    def formatTime(self, record: logging.LogRecord, datefmt: str | None = None) -> str:  # noqa: N802
        """Return when the record was made in the service's zone, e.g. '2026-07-24 20:00:01 BST'."""
        made = datetime.fromtimestamp(record.created, self.zone)
        return made.strftime(datefmt or "%Y-%m-%d %H:%M:%S %Z")

    def format(self, record: logging.LogRecord) -> str:
        """Return the usual text line, redacted."""
        for name in ("request_id", "call_sid"):
            if not hasattr(record, name):
                setattr(record, name, "-")
        return redact(super().format(record))


def make_handler(
    json_lines: bool, stream: object = None, zone: ZoneInfo = LONDON
) -> logging.Handler:
    """Return a handler writing redacted, contextual lines to stream (standard error)."""
    handler = logging.StreamHandler(stream or sys.stderr)  # type: ignore[arg-type]
    handler.setFormatter(JsonFormatter() if json_lines else TextFormatter(TEXT_FORMAT, zone))
    handler.addFilter(RequestContext())
    handler.addFilter(RedactPhoneNumbers())
    handler.set_name("helpline")
    return handler


def init_app(app: Flask, settings: Settings) -> None:
    """Install the helpline's log handler once per process and tag requests with an id."""
    root = logging.getLogger()
    if not any(h.get_name() == "helpline" for h in root.handlers):
        json_lines, zone = settings.environment == "production", settings.calendar.timezone
        root.addHandler(make_handler(json_lines, zone=zone))
        root.setLevel(logging.INFO)
        # Alembic announces its plugins each time a worker starts; that is not news.
        logging.getLogger("alembic.runtime.plugins").setLevel(logging.WARNING)
    app.before_request(_assign_request_id)
    app.after_request(_echo_request_id)


def _assign_request_id() -> None:
    """Take the proxy's X-Request-Id if it is sane, else make one."""
    offered = request.headers.get("X-Request-Id", "")
    g.request_id = offered if REQUEST_ID.match(offered) else uuid.uuid4().hex


def _echo_request_id(response: Response) -> Response:
    """Return the request id so a caller's report can be matched to the logs."""
    response.headers["X-Request-Id"] = g.get("request_id", "-")
    return response
