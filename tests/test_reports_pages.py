"""The dashboard, its CSV exports, the commissioner's report and the volumes API."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable

import pytest
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from sqlalchemy import select

from helpline.db import get_database
from helpline.models import AuditEntry
from tests import report_calls
from tests.test_reports import PERIOD, expected_figures, exported, voicemail_sids
from tests.twilio_client import TwilioClient

RANGE = {"since": PERIOD.first.isoformat(), "until": PERIOD.last.isoformat()}
PAGES = (
    "/reports/", "/reports/figures.csv", "/reports/calls.csv", "/reports/commissioner",
    "/reports/commissioner.csv",
)  # fmt: skip


def shown_figures(html: str) -> dict[str, str]:
    """Return the data-figure values a page shows."""
    return dict(re.findall(r'data-figure="([^"]+)">([^<]*)<', html))


@pytest.fixture
def seeded(app: Flask, twilio: TwilioClient) -> list[str]:
    """Drive the realistic mix of calls in."""
    return report_calls.seed(app, twilio)


@pytest.mark.parametrize("path", PAGES)
def test_pages_need_a_supervisor(
    client: FlaskClient, login_as: Callable[[str], str], path: str
) -> None:
    assert client.get(path).status_code == 302
    login_as("handler")
    assert client.get(path).status_code == 403


@pytest.mark.parametrize("role", ["supervisor", "admin"])
def test_supervisors_and_admins_see_the_pages(
    client: FlaskClient, login_as: Callable[[str], str], role: str
) -> None:
    login_as(role)
    for path in PAGES:
        assert client.get(path).status_code == 200, path


def test_dashboard_shows_the_exported_counts(
    app: Flask, client: FlaskClient, runner: FlaskCliRunner, login_as: Callable[[str], str],
    seeded: list[str],
) -> None:  # fmt: skip
    expected = expected_figures(exported(runner, PERIOD), voicemail_sids(app))
    # The page shows where calls ended instead of the overlapping abandoned and voicemail counts.
    del expected["abandoned"], expected["voicemail"]
    login_as("supervisor")
    page = client.get("/reports/", query_string=RANGE)
    shown = shown_figures(page.get_data(as_text=True))
    assert {key: int(shown[key]) for key in expected} == expected


def test_heatmap_cells_add_up_to_the_calls(
    client: FlaskClient, login_as: Callable[[str], str], seeded: list[str]
) -> None:
    login_as("supervisor")
    html = client.get("/reports/", query_string=RANGE).get_data(as_text=True)
    cells = [int(n) for n in re.findall(r'<rect [^>]*data-calls="(\d+)"', html)]
    assert len(cells) == 7 * 24
    assert sum(cells) == int(shown_figures(html)["total_calls"])
    assert re.search(r'data-weekday="Mon" data-hour="9" data-calls="[2-9]"', html)


def test_a_bad_period_falls_back_with_a_message(
    client: FlaskClient, login_as: Callable[[str], str]
) -> None:
    login_as("supervisor")
    page = client.get("/reports/", query_string={"since": "2026-13-01", "until": "x"})
    assert page.status_code == 200
    assert "could not be used" in page.get_data(as_text=True)


def test_api_volumes_refuses_without_the_right_token(
    client: FlaskClient, api_token: Callable[[str], str]
) -> None:
    assert client.get("/api/v1/reports/volumes").status_code == 401
    bogus = {"Authorization": "Bearer not-a-token"}
    assert client.get("/api/v1/reports/volumes", headers=bogus).status_code == 401
    handler = {"Authorization": f"Bearer {api_token('handler')}"}
    response = client.get("/api/v1/reports/volumes", headers=handler)
    assert response.status_code == 403
    assert response.get_json()["status"] == 403


def test_api_volumes_equal_the_exported_counts(
    app: Flask, client: FlaskClient, runner: FlaskCliRunner, api_token: Callable[[str], str],
    seeded: list[str],
) -> None:  # fmt: skip
    expected = expected_figures(exported(runner, PERIOD), voicemail_sids(app))
    headers = {"Authorization": f"Bearer {api_token('supervisor')}"}
    response = client.get("/api/v1/reports/volumes", query_string=RANGE, headers=headers)
    assert response.status_code == 200
    body = response.get_json()
    assert {key: body[key] for key in expected} == expected
    assert (body["since"], body["until"], body["timezone"]) == (*RANGE.values(), "Europe/London")


@pytest.mark.parametrize(
    "query", [{"since": "yesterday"}, {"since": "2026-03-02", "until": "2026-03-01"}]
)
def test_api_volumes_rejects_bad_dates(
    client: FlaskClient, api_token: Callable[[str], str], query: dict[str, str]
) -> None:
    headers = {"Authorization": f"Bearer {api_token('admin')}"}
    response = client.get("/api/v1/reports/volumes", query_string=query, headers=headers)
    assert response.status_code == 400
    assert "error" in response.get_json()


def test_calls_csv_is_the_export_and_is_audited(
    app: Flask, client: FlaskClient, runner: FlaskCliRunner, login_as: Callable[[str], str],
    seeded: list[str],
) -> None:  # fmt: skip
    email = login_as("supervisor")
    response = client.get("/reports/calls.csv", query_string=RANGE)
    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    assert [row["call_sid"] for row in rows] == [r["call_sid"] for r in exported(runner, PERIOD)]
    with get_database(app).transaction() as session:
        entries = session.scalars(select(AuditEntry).where(AuditEntry.action == "export")).all()
        assert [(entry.actor, entry.target) for entry in entries] == [(email, "calls")]


def test_figures_csv_has_the_headline_figures(
    app: Flask, client: FlaskClient, runner: FlaskCliRunner, login_as: Callable[[str], str],
    seeded: list[str],
) -> None:  # fmt: skip
    expected = expected_figures(exported(runner, PERIOD), voicemail_sids(app))
    login_as("supervisor")
    response = client.get("/reports/figures.csv", query_string=RANGE)
    figures = dict(csv.reader(io.StringIO(response.get_data(as_text=True))))
    assert {key: int(figures[key]) for key in expected} == expected
    assert int(figures["out of hours: weekend"]) >= 1
