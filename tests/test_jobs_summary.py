"""The weekly summary: HTML and CSV files, and an e-mail through a real local SMTP server."""

from __future__ import annotations

import csv
import dataclasses
import email
import io
import socket
from collections.abc import Iterator
from email.message import EmailMessage
from email.policy import default as default_policy
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import pytest
from aiosmtpd.controller import Controller
from flask import Flask
from flask.testing import FlaskCliRunner
from sqlalchemy import select

from helpline.config import smtp_server
from helpline.db import get_database
from helpline.models import Call, CallbackRequest
from tests.seeding import make_call, uk
from tests.twilio_client import TwilioClient


class Inbox:
    """An aiosmtpd handler that keeps every message it is sent."""

    def __init__(self) -> None:
        self.messages: list[tuple[list[str], EmailMessage]] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        """Keep the message; answer as a mail server does."""
        message = email.message_from_bytes(envelope.content, policy=default_policy)
        self.messages.append((list(envelope.rcpt_tos), message))  # type: ignore[arg-type]
        return "250 Message accepted for delivery"


@pytest.fixture
def inbox() -> Iterator[tuple[Inbox, int]]:
    """Run a real SMTP server on a free local port."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    handler = Inbox()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    yield handler, port
    controller.stop()


@pytest.fixture
def week_of_calls(app: Flask, twilio: TwilioClient) -> Flask:
    """Three calls in the week starting Monday 16 November 2026, one the week after."""
    make_call(twilio, "CA1", "+447911100001", uk(2026, 11, 16, 10, 0))
    make_call(twilio, "CA2", "+447911100001", uk(2026, 11, 18, 19, 0), outcome="no-answer")
    make_call(twilio, "CA3", "+447911100002", uk(2026, 11, 22, 23, 30))
    make_call(twilio, "CA4", "+447911100003", uk(2026, 11, 23, 10, 0))
    with get_database(app).transaction() as session:
        case_id = session.scalars(select(Call.case_id).where(Call.call_sid == "CA1")).one()
        session.add_all([
            CallbackRequest(case_id=case_id, requested_at=uk(2026, 11, 16, 10, 5),
                            status="done", completed_at=uk(2026, 11, 16, 14, 0)),
            CallbackRequest(case_id=case_id, requested_at=uk(2026, 11, 18, 10, 5),
                            overdue_at=uk(2026, 11, 19, 11, 0)),
        ])  # fmt: skip
    twilio.at(uk(2026, 11, 23, 7, 0))
    return app


EXPECTED = {"total_calls": 3, "in_hours": 1, "out_of_hours": 2, "answered": 2, "missed": 0,
            "unique_callers": 2, "callbacks_requested": 2, "callbacks_done": 1,
            "callbacks_overdue": 1}  # fmt: skip


def test_summary_written_as_html_and_csv(week_of_calls: Flask, runner: FlaskCliRunner) -> None:
    """Last week's figures land in weekly-summary-<monday>.html and .csv."""
    result = runner.invoke(args=["jobs", "run", "weekly-summary"])
    assert result.exit_code == 0, result.output
    folder = Path(week_of_calls.instance_path) / "summaries"
    rows = list(csv.DictReader(io.StringIO((folder / "weekly-summary-2026-11-16.csv").read_text())))
    figures = {row["figure"]: int(row["value"]) for row in rows}
    assert {k: figures[k] for k in EXPECTED} == EXPECTED
    assert {row["week_starting"] for row in rows} == {"2026-11-16"}
    page = (folder / "weekly-summary-2026-11-16.html").read_text()
    table = ElementTree.fromstring(page[page.index("<table>") : page.index("</table>") + 8])  # noqa: S314
    cells = {row.findtext("th"): row.findtext("td") for row in table.iter("tr")}
    assert cells["Calls"] == "3" and cells["Out of hours (the always-open line)"] == "2"
    assert "+44" not in page


def test_summary_emailed_when_smtp_is_configured(
    week_of_calls: Flask, runner: FlaskCliRunner, inbox: tuple[Inbox, int]
) -> None:
    """With HELPLINE_SMTP_URL and recipients, supervisors get the summary with the CSV."""
    handler, port = inbox
    settings = week_of_calls.extensions["helpline.settings"]
    jobs = dataclasses.replace(
        settings.jobs, smtp=smtp_server(f"smtp://127.0.0.1:{port}"),
        summary_recipients=("supervisor@harmony.example",),
        summary_sender="helpline@harmony.example",
    )  # fmt: skip
    week_of_calls.extensions["helpline.settings"] = dataclasses.replace(settings, jobs=jobs)
    result = runner.invoke(args=["jobs", "run", "weekly-summary"])
    assert result.exit_code == 0, result.output
    assert '"emailed": true' in result.output
    [(recipients, message)] = handler.messages
    assert recipients == ["supervisor@harmony.example"]
    assert "week starting 2026-11-16" in message["Subject"]
    attachments = {part.get_filename(): part.get_content() for part in message.iter_attachments()}
    assert "total_calls,3" in attachments["weekly-summary-2026-11-16.csv"].replace(
        "2026-11-16,", ""
    )
    html = message.get_body(preferencelist=("html",))
    assert html is not None and "<table>" in html.get_content()


def test_summary_not_emailed_without_smtp(week_of_calls: Flask, runner: FlaskCliRunner) -> None:
    """No SMTP configured: the files are still written and nothing is sent."""
    result = runner.invoke(args=["jobs", "run", "weekly-summary"])
    assert '"emailed": false' in result.output


def test_smtp_url_is_checked() -> None:
    """A mistyped SMTP URL is a configuration error, and credentials are decoded."""
    from helpline.config import ConfigError

    with pytest.raises(ConfigError):
        smtp_server("mail.example.org:25")
    server = smtp_server("smtp+starttls://user%40x:p%2Fw@mail.example.org")
    assert server is not None
    assert (server.username, server.password, server.port) == ("user@x", "p/w", 587)
