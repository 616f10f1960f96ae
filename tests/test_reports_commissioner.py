"""The commissioner's report equals counts made from the export and the cases API."""

from __future__ import annotations

import csv
import io
import re
from collections import Counter
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from sqlalchemy import select

from helpline.db import get_database
from helpline.models import CATEGORIES, REFERRALS, Call, CaseDetail
from helpline.reports.periods import Period
from helpline.reports.rollups import refresh_rollups
from tests import report_calls
from tests.test_reports import LONDON, PERIOD, answered, exported
from tests.twilio_client import TwilioClient

QUARTER = Period(date(2026, 1, 1), date(2026, 3, 31), LONDON)
CASEWORK = [  # (index of a seeded call, categories, referrals, Community Trigger)
    (0, ["noise", "harassment"], ["mediation", "council"], False),
    (4, ["harassment"], ["police"], True),
    (11, ["neighbour dispute"], ["mediation", "housing"], False),
    (14, ["vandalism"], [], True),
]
CASE_KEYS = (
    "victims_supported", "victims_new", "victims_returning", "victims_since_start",
    "community_trigger", "mediation", "calls", "calls_line_harmony", "calls_line_out_of_hours",
    "callbacks_requested", "callbacks_made", "callbacks_on_time", "callbacks_owed",
    *(f"category_{name}" for name in CATEGORIES), *(f"referral_{name}" for name in REFERRALS),
)  # fmt: skip


@pytest.fixture
def seeded(app: Flask, twilio: TwilioClient) -> list[str]:
    """Drive the calls in, add callbacks (three on time, one late) and record casework."""
    sids = report_calls.seed(app, twilio)
    report_calls.request_callbacks(app, sids[:3], answered_after=timedelta(hours=2))
    report_calls.request_callbacks(app, sids[3:4], answered_after=timedelta(days=6))
    with get_database(app).transaction() as session:
        for index, categories, referrals, trigger in CASEWORK:
            call = session.scalars(select(Call).where(Call.call_sid == sids[index])).one()
            assert call.case_id is not None
            detail = session.get(CaseDetail, call.case_id) or CaseDetail(case_id=call.case_id)
            detail.categories, detail.referrals = categories, referrals
            detail.community_trigger = trigger
            session.add(detail)
    return sids


def cases_from_api(client: FlaskClient, token: str, references: set[str]) -> list[dict[str, Any]]:
    """Return each case as GET /api/v1/cases/<reference> gives it."""
    headers = {"Authorization": f"Bearer {token}"}
    found = [client.get(f"/api/v1/cases/{ref}", headers=headers) for ref in sorted(references)]
    assert all(response.status_code == 200 for response in found)
    return [response.get_json() for response in found]


def instant(text: str | None) -> datetime | None:
    """Return an exported ISO time as an aware datetime."""
    return datetime.fromisoformat(text.replace("Z", "+00:00")) if text else None


def inside(text: str | None, period: Period) -> bool:
    """Return True if an exported time falls in the period."""
    at = instant(text)
    return at is not None and period.since <= at < period.until


def expected_report(
    history: list[dict[str, Any]], cases: list[dict[str, Any]], period: Period
) -> dict[str, Any]:
    """Count the report's figures for a period from the export and the cases API."""
    rows = [row for row in history if inside(row["started_at"], period)]
    supported = {row["case_reference"] for row in rows if answered(row)} | {
        case["reference"] for case in cases
        if any(inside(c["completed_at"], period) for c in case["callbacks"])
    }  # fmt: skip
    ever = {row["case_reference"] for row in history if answered(row)
            and instant(row["started_at"]) < period.until} | {  # type: ignore[operator]
        case["reference"] for case in cases
        if any(c["completed_at"] and instant(c["completed_at"]) < period.until
               for c in case["callbacks"])
    }  # fmt: skip
    mine = [case for case in cases if case["reference"] in supported]
    callbacks = [
        c for case in cases for c in case["callbacks"] if inside(c["requested_at"], period)
    ]
    counts: Counter[str] = Counter()
    for case in mine:
        counts.update(f"category_{name}" for name in case["categories"])
        counts.update(f"referral_{name}" for name in case["referrals"])
        new = instant(case["opened_at"]) >= period.since  # type: ignore[operator]
        counts["victims_new" if new else "victims_returning"] += 1
    lines = Counter(row["route_line"] for row in rows)
    return {key: counts[key] for key in CASE_KEYS if key.startswith(("category", "referral"))} | {
        "victims_supported": len(mine), "victims_new": counts["victims_new"],
        "victims_returning": counts["victims_returning"], "victims_since_start": len(ever),
        "community_trigger": sum(case["community_trigger"] for case in mine),
        "mediation": sum("mediation" in case["referrals"] for case in mine),
        "calls": len(rows), "calls_line_harmony": lines["harmony"],
        "calls_line_out_of_hours": lines["out_of_hours"],
        "callbacks_requested": len(callbacks),
        "callbacks_made": sum(c["completed_at"] is not None for c in callbacks),
        "callbacks_on_time": sum(_on_time(c) for c in callbacks),
        "callbacks_owed": sum(c["completed_at"] is None for c in callbacks),
    }  # fmt: skip


def _on_time(callback: dict[str, Any]) -> bool:
    """Return True if a made callback came within two hours (the seeded on-time ones)."""
    made, asked = instant(callback["completed_at"]), instant(callback["requested_at"])
    return made is not None and asked is not None and made - asked <= timedelta(hours=2)


def report_json(client: FlaskClient, token: str, period: Period) -> dict[str, Any]:
    """Return GET /api/v1/reports/commissioner for a period."""
    query = {"since": period.first.isoformat(), "until": period.last.isoformat()}
    response = client.get(
        "/api/v1/reports/commissioner", query_string=query,
        headers={"Authorization": f"Bearer {token}"},
    )  # fmt: skip
    assert response.status_code == 200, response.get_data(as_text=True)
    body: dict[str, Any] = response.json  # type: ignore[assignment]
    return body


def check(
    client: FlaskClient, runner: FlaskCliRunner, api_token: Callable[[str], str], period: Period
) -> dict[str, Any]:
    """Assert every column of the report for a period equals the independent counts."""
    history = exported(runner, Period(date(2020, 1, 1), date(2027, 12, 31), LONDON))
    cases = cases_from_api(client, api_token("handler"), {r["case_reference"] for r in history})
    body = report_json(client, api_token("supervisor"), period)
    for column, bounds in body["periods"].items():
        each = Period(date.fromisoformat(bounds["since"]), date.fromisoformat(bounds["until"]),
                      LONDON)  # fmt: skip
        expected = expected_report(history, cases, each)
        assert {key: body["figures"][column][key] for key in expected} == expected, column
    return body


def test_report_equals_the_export_and_cases_api(
    app: Flask, client: FlaskClient, runner: FlaskCliRunner,
    api_token: Callable[[str], str], seeded: list[str],
) -> None:  # fmt: skip
    body = check(client, runner, api_token, QUARTER)
    assert body["periods"]["previous_period"] == {
        "since": "2025-10-01", "until": "2025-12-31", "label": "1 Oct 2025 to 31 Dec 2025"
    }  # fmt: skip
    assert body["periods"]["year_to_date"]["since"] == "2025-04-01"
    whole = check(client, runner, api_token, PERIOD)["figures"]["period"]
    assert whole["victims_supported"] and whole["referral_mediation"] == whole["mediation"] >= 1
    assert whole["community_trigger"] >= 1 and whole["callbacks_on_time"] == 3
    assert sum(whole[f"outcome_{k}"] for k in report_calls_outcomes()) == whole["calls"]
    with get_database(app).transaction() as session:
        refresh_rollups(session, PERIOD.first, PERIOD.last, LONDON)
    check(client, runner, api_token, QUARTER)


def report_calls_outcomes() -> list[str]:
    """Return the outcome keys: answered split by the configured lines."""
    from helpline.reports.definitions import outcome_keys
    from tests.report_calls import LINES

    return outcome_keys(LINES)


def test_page_and_csv_show_the_api_figures(
    app: Flask, client: FlaskClient, api_token: Callable[[str], str],
    login_as: Callable[[str], str], seeded: list[str],
) -> None:  # fmt: skip
    body = report_json(client, api_token("supervisor"), QUARTER)
    login_as("supervisor")
    query = {"since": QUARTER.first.isoformat(), "until": QUARTER.last.isoformat()}
    page = client.get("/reports/commissioner", query_string=query).get_data(as_text=True)
    shown = dict(re.findall(r'data-figure="([^"]+)">([^<]*)<', page))
    counts = {k: v for k, v in body["figures"]["period"].items() if not k.endswith("_rate")}
    assert {key: shown[key] for key in counts} == {k: str(v) for k, v in counts.items()}
    assert "Harmony ASB and Mediation Service" in page and "1 Jan 2026 to 31 Mar 2026" in page
    assert "Produced" in page and "@page" in page and "counter(page)" in page
    table = list(
        csv.reader(
            io.StringIO(
                client.get("/reports/commissioner.csv", query_string=query).get_data(as_text=True)
            )
        )
    )
    by_label = {row[1]: row[2:] for row in table[1:]}  # fmt: skip
    assert by_label["Victims supported"][0] == str(counts["victims_supported"])
    assert table[0][2] == "period (1 Jan 2026 to 31 Mar 2026)"


def test_a_period_not_over_says_to_date(
    app: Flask, client: FlaskClient, login_as: Callable[[str], str]
) -> None:
    app.extensions["helpline.clock"] = lambda: datetime(2026, 11, 24, 12, tzinfo=UTC)
    login_as("supervisor")
    page = client.get("/reports/commissioner").get_data(as_text=True)
    assert "1 Oct 2026 to 31 Dec 2026, to date (24 Nov 2026)" in page


def test_commissioner_api_needs_a_supervisor(
    client: FlaskClient, api_token: Callable[[str], str]
) -> None:
    assert client.get("/api/v1/reports/commissioner").status_code == 401
    handler = {"Authorization": f"Bearer {api_token('handler')}"}
    assert client.get("/api/v1/reports/commissioner", headers=handler).status_code == 403
    admin = {"Authorization": f"Bearer {api_token('admin')}"}
    bad = client.get("/api/v1/reports/commissioner?since=soon", headers=admin)
    assert bad.status_code == 400


def test_the_first_year_claim_is_one_click_away(
    client: FlaskClient, runner: FlaskCliRunner, api_token: Callable[[str], str],
    login_as: Callable[[str], str], seeded: list[str],
) -> None:  # fmt: skip
    """ "Almost 400 victims supported in the first year" is checked on the first-year link."""
    login_as("supervisor")
    page = client.get("/reports/commissioner").get_data(as_text=True)
    link = re.search(r'href="([^"]+)">The service&#39;s first year<', page)
    assert link is not None
    assert link.group(1).endswith("since=2025-10-01&amp;until=2026-09-30")
    first_year = Period(date(2025, 10, 1), date(2026, 9, 30), LONDON)
    body = check(client, runner, api_token, first_year)
    assert body["figures"]["period"]["victims_supported"] >= 1


def test_callbacks_are_late_after_one_working_day(app: Flask, twilio: TwilioClient) -> None:
    """Asked Friday 16:30: due by Monday 16:30 (half an hour Friday, 7.5 hours Monday)."""
    from helpline.models import CallbackRequest, Case
    from helpline.reports.callbacks import callback_figures

    friday = datetime(2026, 3, 6, 16, 30, tzinfo=LONDON)
    monday = datetime(2026, 3, 9, 16, 0, tzinfo=LONDON)
    with get_database(app).transaction() as session:
        case = Case(reference="HAR-2026-09999", caller_number="+447700900999")
        session.add(case)
        session.flush()
        for done in (None, monday, monday + timedelta(hours=1)):
            session.add(CallbackRequest(case_id=case.id, requested_at=friday, completed_at=done))
        week = Period(date(2026, 3, 2), date(2026, 3, 8), LONDON)
        calendar = app.extensions["helpline.settings"].calendar
        before = callback_figures(session, week, calendar, monday)
        after = callback_figures(session, week, calendar, monday + timedelta(hours=1))
    assert (before.requested, before.made, before.on_time, before.owed) == (3, 2, 1, 1)
    assert (before.overdue, after.overdue) == (0, 1)
