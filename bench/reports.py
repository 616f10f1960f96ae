"""Time the dashboard and the volumes API over a year of calls, beside a plain indexed COUNT(*).

    .venv/bin/python -m bench.reports --backend sqlite --calls 1000000
    .venv/bin/python -m bench.reports --backend postgresql --calls 1000000

Results go to bench/results/reports-<backend>-<calls>.json (and are printed).
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from flask import Flask
from sqlalchemy import create_engine, func, select, text

from bench.seed_calls import seed
from helpline import create_app
from helpline.auth.accounts import create_user, find_user
from helpline.auth.tokens import issue_token
from helpline.db import get_database
from helpline.models import Call, ReportDay, utcnow
from helpline.reports.callbacks import callback_figures
from helpline.reports.live import case_counts, unique_callers
from helpline.reports.periods import Period
from helpline.reports.rollups import distinct_counts, refresh_rollups, repeat_counts, tallies

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
PASSWORD = "bench password for the supervisor"  # noqa: S105 - the bench database only
ADMIN_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"


def database_url(backend: str, calls: int) -> str:
    """Return (creating if needed) the benchmark database for a backend and size."""
    name = f"helpline_bench_{calls}"
    if backend == "sqlite":
        RESULTS.mkdir(parents=True, exist_ok=True)
        return f"sqlite:///{RESULTS / (name + '.sqlite3')}"
    admin = create_engine(ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        exists = connection.scalar(
            text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name}
        )
        if not exists:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return ADMIN_URL.rsplit("/", 1)[0] + "/" + name


def make_app(url: str) -> Flask:
    """Return an app on the benchmark database, migrated."""
    app = create_app({
        "HELPLINE_ENV": "testing", "HELPLINE_CONFIG": str(ROOT / "config" / "helpline.toml"),
        "HELPLINE_DATABASE_URL": url, "HELPLINE_SECRET_KEY": "bench",
    }, instance_path=str(RESULTS / "instance"), TESTING=True)  # fmt: skip
    app.test_cli_runner().invoke(args=["db", "upgrade"], catch_exceptions=False)
    return app


def ensure_calls(app: Flask, calls: int, year: int) -> float:
    """Seed the calls unless they are there already; return the seconds it took."""
    database = get_database(app)
    with database.transaction() as session:
        if session.scalar(select(func.count()).select_from(Call)) == calls:
            return 0.0
    started = time.perf_counter()
    with database.transaction() as session:
        seed(session, app.extensions["helpline.settings"].calendar, calls, year)
    with database.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(text("ANALYZE"))
    return time.perf_counter() - started


def ensure_rollups(app: Flask, year: int) -> float:
    """Roll up every day of the year unless done already; return the seconds it took."""
    zone = app.extensions["helpline.settings"].calendar.timezone
    with get_database(app).transaction() as session:
        done = session.scalar(select(func.count()).select_from(ReportDay))
        if done and done >= 365:
            return 0.0
        started = time.perf_counter()
        refresh_rollups(session, date(year, 1, 1), date(year, 12, 31), zone)
    return time.perf_counter() - started


def timed(action: Callable[[], Any], repeat: int) -> dict[str, Any]:
    """Run an action once to warm up, then `repeat` times; return the timings in ms."""
    action()
    runs = []
    for _ in range(repeat):
        started = time.perf_counter()
        action()
        runs.append((time.perf_counter() - started) * 1000)
    return {"median_ms": round(statistics.median(runs), 1), "min_ms": round(min(runs), 1),
            "max_ms": round(max(runs), 1)}  # fmt: skip


def staff(app: Flask) -> str:
    """Create the supervisor if needed and return a fresh API token."""
    with get_database(app).transaction() as session:
        user = find_user(session, "bench@example.org") or create_user(
            session, "bench@example.org", "Bench Supervisor", "supervisor", PASSWORD
        )
        return issue_token(session, user, utcnow())


def measure(app: Flask, year: int, repeat: int) -> dict[str, Any]:
    """Time the three requests over the year's range."""
    token = staff(app)
    client = app.test_client()
    app.config["WTF_CSRF_ENABLED"] = False
    client.post("/login", data={"email": "bench@example.org", "password": PASSWORD})
    query = {"since": f"{year}-01-01", "until": f"{year}-12-31"}
    since, until = datetime(year, 1, 1, tzinfo=UTC), datetime(year + 1, 1, 1, tzinfo=UTC)

    def dashboard() -> None:
        assert client.get("/reports/", query_string=query).status_code == 200

    def api() -> None:
        headers = {"Authorization": f"Bearer {token}"}
        response = client.get("/api/v1/reports/volumes", query_string=query, headers=headers)
        assert response.status_code == 200, response.get_data(as_text=True)

    def count() -> None:
        with get_database(app).transaction() as session:
            session.scalar(
                select(func.count()).select_from(Call)
                .where(Call.started_at >= since, Call.started_at < until)
            )  # fmt: skip

    def dashboard_for(first: str, last: str) -> Callable[[], None]:
        def request() -> None:
            response = client.get("/reports/", query_string={"since": first, "until": last})
            assert response.status_code == 200

        return request

    def commissioner_for(first: str, last: str) -> Callable[[], None]:
        def request() -> None:
            query = {"since": first, "until": last}
            assert client.get("/reports/commissioner", query_string=query).status_code == 200

        return request

    quarter = dashboard_for(f"{year}-10-01", f"{year}-12-31")
    week = dashboard_for(f"{year}-12-01", f"{year}-12-07")
    day = dashboard_for(f"{year}-12-03", f"{year}-12-03")
    return {
        "dashboard": timed(dashboard, repeat),
        "api_volumes": timed(api, repeat),
        "indexed_count": timed(count, repeat),
        "parts": parts(app, year, repeat),
        "dashboard_quarter": timed(quarter, repeat),
        "dashboard_week": timed(week, repeat),
        "dashboard_day": timed(day, repeat),
        "commissioner_quarter": timed(commissioner_for(f"{year}-10-01", f"{year}-12-31"), repeat),
        "commissioner_year": timed(commissioner_for(f"{year}-01-01", f"{year}-12-31"), repeat),
    }


def parts(app: Flask, year: int, repeat: int) -> dict[str, dict[str, float]]:
    """Time each query behind the year's figures, to show where the time goes."""
    calendar = app.extensions["helpline.settings"].calendar
    period = Period(date(year, 1, 1), date(year, 12, 31), calendar.timezone)
    with get_database(app).transaction() as session:
        return {
            "tallies": timed(lambda: tallies(session, period), repeat),
            "distinct_counts": timed(lambda: distinct_counts(session, period), repeat),
            "unique_callers_live": timed(lambda: unique_callers(session, period), repeat),
            "case_counts_live": timed(lambda: case_counts(session, period), repeat),
            "repeat_counts": timed(lambda: repeat_counts(session, period), repeat),
            "callback_figures": timed(
                lambda: callback_figures(session, period, calendar, utcnow()), repeat
            ),
        }


def main(argv: list[str]) -> None:
    """Seed, measure and write the results."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--calls", type=int, default=1_000_000)
    parser.add_argument("--year", type=int, default=2025)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--live", action="store_true", help="Count live: no rollups.")
    args = parser.parse_args(argv)
    app = make_app(database_url(args.backend, args.calls))
    seeded = ensure_calls(app, args.calls, args.year)
    rolled = 0.0 if args.live else ensure_rollups(app, args.year)
    timings = measure(app, args.year, args.repeat)
    count = timings["indexed_count"]["median_ms"] or 0.1
    result = {
        "backend": args.backend, "calls": args.calls, "range": f"{args.year} (whole year)",
        "rollups": not args.live, "seed_seconds": round(seeded, 1),
        "rollup_seconds": round(rolled, 1), **timings,
        "dashboard_vs_count": round(timings["dashboard"]["median_ms"] / count, 1),
        "api_vs_count": round(timings["api_volumes"]["median_ms"] / count, 1),
        "dashboard_week_vs_count": round(timings["dashboard_week"]["median_ms"] / count, 1),
    }  # fmt: skip
    RESULTS.mkdir(parents=True, exist_ok=True)
    suffix = "-live" if args.live else ""
    path = RESULTS / f"reports-{args.backend}-{args.calls}{suffix}.json"
    path.write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main(sys.argv[1:])
