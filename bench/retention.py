"""Time a retention run over a seeded database: `python -m bench.retention [URL] [CALLS]`.

Not a test: prints how long the nightly job takes for a given volume of old calls.
"""

from __future__ import annotations

import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta

from helpline import create_app
from helpline.db import get_database
from helpline.jobs.registry import find_job
from helpline.jobs.runner import run_job
from helpline.models import Call, CallbackRequest, CallEvent, Case
from tests.conftest import environment, migrate

OLD = datetime(2024, 1, 8, 10, tzinfo=UTC)


def seed(app: object, calls: int) -> None:
    """Insert old cases, calls with three events each, and a callback per ten calls."""
    with get_database(app).transaction() as session:  # type: ignore[arg-type]
        for n in range(calls):
            number = f"+4479{n % (calls // 3 + 1):08d}"
            at = OLD + timedelta(minutes=7 * n)
            case = Case(reference=f"HAR-2024-{n:06d}", caller_number=number, status="closed",
                        opened_at=at)  # fmt: skip
            call = Call(call_sid=f"CA{n:032d}", case=case, from_number=number, started_at=at,
                        route_open=True, route_line="harmony", status="completed",
                        dial_status="completed", ivr_path=[])  # fmt: skip
            session.add_all([case, call])
            for k, status in enumerate(("ringing", "in-progress", "completed")):
                params = {"CallStatus": status, "From": number}
                session.add(CallEvent(call=call, kind="status", dedupe_key=f"s{k}",
                                      call_status=status, params=params))  # fmt: skip
            if n % 10 == 0:
                session.add(CallbackRequest(case=case, number=number, requested_at=at))


def main(url: str | None = None, calls: str = "10000") -> None:
    """Seed, run retention once, and report the time taken."""
    folder = tempfile.mkdtemp()
    url = url or f"sqlite:///{folder}/bench.sqlite3"
    migrate(url)
    app = create_app(environment(url), instance_path=folder)
    started = time.perf_counter()
    seed(app, int(calls))
    seeded = time.perf_counter()
    job = find_job(app, "retention")
    assert job is not None
    result = run_job(app, job)
    finished = time.perf_counter()
    print(f"{url.split(':')[0]}: seeded {calls} calls in {seeded - started:.1f}s; "
          f"retention {result.outcome} in {finished - seeded:.2f}s: {result.summary}")  # fmt: skip


if __name__ == "__main__":
    main(*sys.argv[1:])
