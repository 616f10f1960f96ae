"""Drive a live helpline over HTTP with calls signed and shaped exactly as Twilio sends them.

Twilio signs the public URL it was given (HELPLINE_PUBLIC_BASE_URL behind a proxy) and posts
to wherever that resolves; the driver does the same: it signs `public + path` and posts to
`target + path`. A call follows the TwiML it is answered with: keys pressed at each <Gather>,
an outcome for each <Dial> action, <Redirect>s followed, then the final status callback.
"""

from __future__ import annotations

import http.client
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from urllib.parse import urlencode, urlsplit
from xml.etree import ElementTree

from twilio.request_validator import RequestValidator

from tests.twilio_client import TEST_AUTH_TOKEN, dial_params, incoming_params, status_params

PUBLIC_BASE_URL = "https://helpline.test"
MAX_STEPS = 12
# Connection refused or reset, or a proxy's 502-504: the server is restarting; Twilio retries.
RETRY_STATUSES = frozenset({502, 503, 504})


@dataclass(frozen=True)
class CallPlan:
    """What one caller does: keys at each menu, and how each dialled line answers."""

    sid: str
    caller: str
    keys: tuple[str, ...] = ()
    dials: tuple[str, ...] = ("completed",)
    talk: int = 42
    duration: int = 60


@dataclass
class Exchange:
    """One webhook as Twilio sent it and how (if at all) it was answered."""

    path: str
    params: dict[str, str]
    status: int | None = None
    body: bytes = b""
    attempts: int = 0
    elapsed: float = 0.0
    error: str = ""

    @property
    def sid(self) -> str:
        """Return the call this webhook was about."""
        return self.params.get("CallSid", "")

    @property
    def acked(self) -> bool:
        """Return whether Twilio heard 2xx: from then on it never resends."""
        return self.status is not None and 200 <= self.status < 300

    def twiml(self) -> ElementTree.Element | None:
        """Return the parsed TwiML answer, or None when there is none."""
        if not self.acked or not self.body.strip():
            return None
        return ElementTree.fromstring(self.body)  # noqa: S314 - our own server's output

    def describe(self) -> str:
        """Return a short line for assertion messages (no body)."""
        detail = self.error or str(self.status)
        kind = self.params.get("CallStatus", "") + "/" + self.params.get("DialCallStatus", "")
        return f"{self.path.split('?')[0]} [{kind.strip('/')}] -> {detail} x{self.attempts}"


@dataclass
class TwilioDriver:
    """Post signed webhooks to a live server, retrying while it restarts, as Twilio does."""

    target: str
    public: str = PUBLIC_BASE_URL
    token: str = TEST_AUTH_TOKEN
    give_up_after: float = 20.0
    timeout: float = 10.0
    # Told of every webhook once it is finally answered (chaos tests strike on this).
    on_answer: Callable[[Exchange], None] | None = None
    validator: RequestValidator = field(init=False)

    def __post_init__(self) -> None:
        """Make the validator that signs, as Twilio does, with the auth token."""
        self.validator = RequestValidator(self.token)

    def sign(self, url: str, params: dict[str, str]) -> str:
        """Return the X-Twilio-Signature Twilio would send for this public URL and form."""
        return str(self.validator.compute_signature(url, params))

    def post(self, path_or_url: str, params: dict[str, str]) -> Exchange:
        """POST one webhook (a path, or a public URL from our TwiML) until answered or given up."""
        path = _path_of(path_or_url)
        exchange = Exchange(path, params)
        signature = self.sign(self.public + path, params)
        deadline = time.monotonic() + self.give_up_after
        while True:
            exchange.attempts += 1
            if self._attempt(exchange, signature) or time.monotonic() >= deadline:
                if self.on_answer is not None:
                    self.on_answer(exchange)
                return exchange
            time.sleep(min(0.5, 0.05 * exchange.attempts))

    def _attempt(self, exchange: Exchange, signature: str) -> bool:
        """Send once; return True when the answer is final (not a restart gap)."""
        started = time.perf_counter()
        try:
            exchange.status, exchange.body = self.send(exchange.path, exchange.params, signature)
            exchange.error = ""
        except (OSError, http.client.HTTPException) as error:
            exchange.status, exchange.error = None, type(error).__name__
        exchange.elapsed = time.perf_counter() - started
        return exchange.status is not None and exchange.status not in RETRY_STATUSES

    def send(self, path: str, params: dict[str, str], signature: str) -> tuple[int, bytes]:
        """Send one signed form POST once, on a fresh connection as Twilio does (no retry)."""
        parts = urlsplit(self.target)
        connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=self.timeout)
        headers = {
            "Content-Type": "application/x-www-form-urlencoded; charset=utf-8",
            "X-Twilio-Signature": signature,
            "I-Twilio-Idempotency-Token": uuid.uuid4().hex,
            "User-Agent": "TwilioProxy/1.1",
        }
        try:
            connection.request("POST", path, body=urlencode(params), headers=headers)
            response = connection.getresponse()
            return response.status, response.read()
        finally:
            connection.close()

    def play(self, plan: CallPlan) -> list[Exchange]:
        """Play one whole call: incoming, progress callbacks, the flow's turns, completed."""
        start = datetime.now(UTC)
        first = self.post("/voice/incoming", incoming_params(plan.sid, plan.caller))
        log = [first]
        for sequence, status in enumerate(("ringing", "in-progress")):
            progress = status_params(plan.sid, plan.caller, status, sequence, start)
            log.append(self.post("/voice/status", progress))
        log += self._follow(plan, first.twiml())
        end = datetime.now(UTC)
        final = status_params(plan.sid, plan.caller, "completed", 2, end, plan.duration)
        log.append(self.post("/voice/status", final))
        return log

    def _follow(self, plan: CallPlan, document: ElementTree.Element | None) -> list[Exchange]:
        """Walk the call through our TwiML as Twilio would, one turn at a time."""
        keys, dials, log = list(plan.keys), list(plan.dials), []
        for _ in range(MAX_STEPS):
            step = None if document is None else next_turn(plan, document, keys, dials)
            if step is None:
                return log
            exchange = self.post(*step)
            log.append(exchange)
            document = exchange.twiml()
        return log


def next_turn(
    plan: CallPlan, document: ElementTree.Element, keys: list[str], dials: list[str]
) -> tuple[str, dict[str, str]] | None:
    """Return the URL and form Twilio posts next for this document, or None if the call ends."""
    for verb in document:
        if verb.tag == "Gather" and keys and verb.get("action"):
            return str(verb.get("action")), gather_params(plan, keys.pop(0))
        if verb.tag == "Dial":
            # With no outcome left the caller hangs up while the line rings.
            if not dials or not verb.get("action"):
                return None
            outcome = dials.pop(0)
            return str(verb.get("action")), dial_params(plan.sid, plan.caller, outcome, plan.talk)
        if verb.tag == "Redirect":
            return (verb.text or "").strip(), in_progress_params(plan)
        if verb.tag in ("Hangup", "Reject", "Record"):
            return None
    return None


def gather_params(plan: CallPlan, digits: str) -> dict[str, str]:
    """Return what Twilio posts to a <Gather> action when keys were pressed."""
    return in_progress_params(plan) | {"Digits": digits, "FinishedOnKey": "", "msg": "Gather End"}


def in_progress_params(plan: CallPlan) -> dict[str, str]:
    """Return the common form of a request about a call that is in progress."""
    return incoming_params(plan.sid, plan.caller) | {"CallStatus": "in-progress"}


def _path_of(path_or_url: str) -> str:
    """Return the path and query of a public URL (or a path given as is)."""
    parts = urlsplit(path_or_url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def call_plans(prefix: str, count: int) -> Iterator[CallPlan]:
    """Yield varied, deterministic calls: answered, unanswered then support, menu keys, repeats."""
    shapes: tuple[tuple[tuple[str, ...], tuple[str, ...]], ...] = (
        ((), ("completed",)),
        (("1",), ("completed",)),
        ((), ("no-answer", "completed")),
        (("2", "1"), ("busy", "completed")),
        (("9",), ("completed",)),
        ((), ("no-answer", "no-answer")),
    )
    for index in range(count):
        keys, dials = shapes[index % len(shapes)]
        caller = f"+447700{900000 + index % 7:06d}"  # some callers ring more than once
        sid = f"CA{prefix}{index:04d}".ljust(34, "0")[:34]
        yield CallPlan(sid, caller, keys, dials, talk=30 + index, duration=60 + index)
