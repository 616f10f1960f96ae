"""Every webhook Twilio heard 2xx for is in the export exactly once, whatever happens to us."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.chaos.harness import Chaos
from tests.chaos.server import Gunicorn
from tests.test_traffic_replay import events_for, messy, scenarios
from tests.twilio_driver import Exchange

pytestmark = pytest.mark.chaos
CALLS = 24


Disruption = Callable[[Gunicorn], object]


def disrupt_mid_traffic(chaos: Chaos, title: str, *steps: tuple[int, Disruption]) -> None:
    """Run traffic; at each step, once CALLS // divisor calls are done, disrupt at a busy moment."""
    chaos.server.start()
    chaos.mark("ready")
    with chaos.traffic(CALLS) as traffic:
        for divisor, disrupt in steps:
            traffic.wait_done(CALLS // divisor)
            traffic.busy_moment()
            disrupt(chaos.server)
        exchanges = traffic.finish()
    chaos.conclude(title, exchanges)


def restart(server: Gunicorn) -> None:
    """Stop the master with SIGTERM and start it again, as a deploy does."""
    server.stop()
    server.start()


def test_sigkilled_workers_lose_nothing(chaos: Chaos) -> None:
    """SIGKILL a worker at a busy moment, then the other one (OOM, gunicorn's timeout kill)."""
    kill = Gunicorn.kill_worker
    disrupt_mid_traffic(chaos, "SIGKILL of workers mid-traffic", (4, kill), (2, kill))


def test_sigterm_and_restart_loses_nothing(chaos: Chaos) -> None:
    """SIGTERM the master at a busy moment (a deploy), start it again; Twilio retries meanwhile."""
    disrupt_mid_traffic(chaos, "SIGTERM of the master and a restart mid-traffic", (3, restart))


def test_hup_reload_loses_nothing(chaos: Chaos) -> None:
    """HUP the master at a busy moment: every worker is replaced while calls go on."""
    disrupt_mid_traffic(chaos, "HUP reload mid-traffic", (3, Gunicorn.reload))


@pytest.mark.postgres_only
def test_database_cut_off_loses_nothing(chaos: Chaos) -> None:
    """Cut PostgreSQL off for a few calls (no new connections, backends killed), then back."""
    chaos.server.start()
    chaos.mark("ready")
    with chaos.traffic(CALLS + 8) as traffic:
        traffic.wait_done(CALLS // 4)
        with chaos.database_cut_off():
            chaos.mark("database cut off")
            # Seconds of new calls answered while the database is unreachable, not a blip:
            # long enough for writers to give up retrying and fall back on the journal.
            traffic.wait_done(traffic.started + 16)
        chaos.mark("database back")
        exchanges = traffic.finish()
    chaos.conclude("PostgreSQL cut off and back mid-traffic", exchanges)


def test_sigterm_right_after_last_webhook_loses_nothing(chaos: Chaos) -> None:
    """Replay a messy day (retries, reordered callbacks) and live calls, then SIGTERM at once."""
    chaos.server.start()
    chaos.mark("ready")
    with ThreadPoolExecutor(1) as pool, chaos.traffic(8, rate=16) as traffic:
        day = pool.submit(messy_day, chaos)
        exchanges = traffic.finish() + day.result()
    chaos.conclude("SIGTERM right after the last webhook", exchanges, settle_first=False)


def messy_day(chaos: Chaos) -> list[Exchange]:
    """Post the traffic-replay test's messy day, renamed to this test's calls, in order."""
    driver = chaos.driver
    sent = []
    for scenario in scenarios():
        renamed = dataclasses.replace(scenario, sid=f"CA{chaos.prefix}{scenario.sid[2:]}")
        sent += [driver.post(path, params) for path, params, _at in messy(events_for(renamed))]
    return sent
