"""Judge a run only through `helpline calls export --format json`, as an auditor would."""

from __future__ import annotations

import json
import subprocess
import time
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from helpline.calls import export
from helpline.database import Database
from tests.chaos.server import BIN
from tests.conftest import ROOT
from tests.twilio_driver import Exchange

TERMINAL = frozenset({"completed", "busy", "failed", "no-answer", "canceled"})


@dataclass
class Expected:
    """What the export must say about one call, from the webhooks that were answered 2xx."""

    sid: str
    status: str | None = None
    dial_status: str | None = None
    duration: int | None = None
    acked: list[str] = field(default_factory=list)


def expectations(exchanges: Iterable[Exchange]) -> dict[str, Expected]:
    """Return, per call that Twilio got any 2xx for, the final state it must have."""
    calls: dict[str, Expected] = {}
    for exchange in exchanges:  # each call's webhooks are in the order they were sent
        if not exchange.acked:
            continue
        expected = calls.setdefault(exchange.sid, Expected(exchange.sid))
        expected.acked.append(exchange.describe())
        params = exchange.params
        if "/dial" in exchange.path:
            # A later line in the chain supersedes an earlier attempt; ours dial in order.
            expected.dial_status = params.get("DialCallStatus")
        if exchange.path.startswith("/voice/status") and params.get("CallStatus") in TERMINAL:
            expected.status = params["CallStatus"]
            expected.duration = int(params["CallDuration"]) if "CallDuration" in params else None
    return calls


def problems(expected: Mapping[str, Expected], rows: list[dict[str, object]]) -> list[str]:
    """Return one line per call that is missing, duplicated or wrong in the export."""
    counts = Counter(str(row["call_sid"]) for row in rows)
    by_sid = {str(row["call_sid"]): row for row in rows}
    found = []
    for sid, want in sorted(expected.items()):
        if counts[sid] != 1:
            state = "MISSING" if not counts[sid] else f"exported {counts[sid]} times"
            found.append(f"{sid}: {state}; answered 2xx: {'; '.join(want.acked)}")
            continue
        wrong = _wrong_fields(want, by_sid[sid])
        if wrong:
            found.append(f"{sid}: {', '.join(wrong)}")
    return found


def _wrong_fields(want: Expected, row: Mapping[str, object]) -> list[str]:
    """Return the fields of one exported call that differ from what Twilio was told."""
    pairs = (("status", want.status), ("dial_status", want.dial_status),
             ("duration_seconds", want.duration))  # fmt: skip
    return [
        f"{name} {row.get(name)!r} (expected {value!r})"
        for name, value in pairs
        if value is not None and row.get(name) != value
    ]


def export_rows(env: Mapping[str, str], prefix: str) -> list[dict[str, object]]:
    """Return the exported calls whose CallSid starts with prefix (this test's calls)."""
    result = subprocess.run(
        [str(BIN / "helpline"), "calls", "export", "--format", "json"],
        cwd=ROOT, env=dict(env), capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    if result.returncode != 0:
        raise AssertionError(f"export failed ({result.returncode}): {result.stderr[-2000:]}")
    return [row for row in json.loads(result.stdout) if str(row["call_sid"]).startswith(prefix)]


def replay(env: Mapping[str, str]) -> str:
    """Run `helpline calls replay` with the server's environment; return what it said."""
    result = subprocess.run(
        [str(BIN / "helpline"), "calls", "replay"],
        cwd=ROOT, env=dict(env), capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    return f"replay exit {result.returncode}: {result.stdout.strip()} {result.stderr[-500:]}"


def quiet(url: str, prefix: str, expected: Mapping[str, Expected], timeout: float = 20) -> None:
    """Wait (reading the database directly: cheap) until writes in flight have landed.

    Not a verdict, only a pause before the final stop, so that on a lossy build what is lost
    is lost by the scenario's own strike and not by the stop that ends every test.
    """
    database, deadline, previous, same = Database(url), time.monotonic() + timeout, None, 0
    try:
        while time.monotonic() < deadline and same < 3:
            with database.transaction() as session:
                rows = [
                    r for r in export.rows(session, None, None) if r["call_sid"].startswith(prefix)
                ]
            if not problems(expected, rows):
                return
            same = same + 1 if rows == previous else 0
            previous = rows
            time.sleep(0.3)
    finally:
        database.dispose()


def settle(
    env: Mapping[str, str], prefix: str, expected: Mapping[str, Expected],
    timeout: float = 30, unchanged: int = 2,
) -> tuple[list[dict[str, object]], list[str]]:  # fmt: skip
    """Poll the export until it is right, or the same `unchanged` more times, or timeout."""
    deadline, previous, same = time.monotonic() + timeout, None, 0
    while True:
        rows = export_rows(env, prefix)
        wrong = problems(expected, rows)
        same = same + 1 if rows == previous else 0
        if not wrong or same >= unchanged or time.monotonic() > deadline:
            return rows, wrong
        previous = rows
        time.sleep(0.5)


def verdict(title: str, expected: Mapping[str, Expected], wrong: list[str], notes: str) -> str:
    """Return the assertion message: which calls are missing or wrong, and diagnostics."""
    head = f"{title}: {len(wrong)} of {len(expected)} calls answered 2xx are missing or wrong"
    return "\n".join([head, *(f"  {line}" for line in wrong), notes])
