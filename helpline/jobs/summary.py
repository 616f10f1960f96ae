"""The weekly summary for supervisors: last week's figures as HTML and CSV, e-mailed if set up."""

from __future__ import annotations

import csv
import io
import smtplib
import ssl
from collections.abc import Mapping
from datetime import date, datetime, time, timedelta
from email.message import EmailMessage
from pathlib import Path
from typing import Any

from markupsafe import escape

from helpline import current
from helpline.config import JobSettings, SmtpServer
from helpline.db import get_database
from helpline.jobs import JobContext
from helpline.jobs.settings import job_settings
from helpline.jobs.volumes import callback_figures, volumes

LABELS = {
    "total_calls": "Calls",
    "in_hours": "In hours (a line open)",
    "out_of_hours": "Out of hours (the always-open line)",
    "answered": "Answered",
    "missed": "Missed in hours",
    "unique_callers": "Different callers",
    "callbacks_requested": "Callbacks requested",
    "callbacks_done": "Callbacks made",
    "callbacks_overdue": "Callbacks overdue",
}


def run(context: JobContext) -> Mapping[str, Any]:
    """Write last week's summary files and e-mail them to the supervisors."""
    settings = current.settings(context.app)
    monday = last_week_monday(context.now, settings.calendar.timezone)
    figures = week_figures(context, monday)
    if context.dry_run:
        context.say(f"would write the summary for the week of {monday}: {figures}")
        return {"week": monday.isoformat(), **figures}
    paths = write_files(job_settings(context.app).summary_directory, monday, figures, settings)
    emailed = send_summary(job_settings(context.app), monday, paths, settings.service_name)
    context.say(f"wrote {', '.join(str(p) for p in paths)}; e-mailed: {emailed}")
    return {"week": monday.isoformat(), "emailed": emailed, **figures}


def last_week_monday(now: datetime, zone: Any) -> date:
    """Return the Monday of the last full week (UK local) before now."""
    today = now.astimezone(zone).date()
    return today - timedelta(days=today.weekday() + 7)


def week_figures(context: JobContext, monday: date) -> dict[str, int]:
    """Return the week's call and callback figures."""
    zone = current.settings(context.app).calendar.timezone
    since = datetime.combine(monday, time(0), tzinfo=zone)
    until = datetime.combine(monday + timedelta(days=7), time(0), tzinfo=zone)
    with get_database(context.app).transaction() as session:
        return volumes(session, since, until, zone) | callback_figures(session, since, until)


def write_files(
    folder: Path, monday: date, figures: Mapping[str, int], settings: Any
) -> list[Path]:
    """Write the summary as HTML and CSV; return their paths."""
    folder.mkdir(parents=True, exist_ok=True)
    stem = folder / f"weekly-summary-{monday.isoformat()}"
    html_path, csv_path = stem.with_suffix(".html"), stem.with_suffix(".csv")
    html_path.write_text(as_html(monday, figures, settings.service_name), encoding="utf-8")
    csv_path.write_text(as_csv(monday, figures), encoding="utf-8")
    return [html_path, csv_path]


def as_csv(monday: date, figures: Mapping[str, int]) -> str:
    """Return the figures as CSV: week, figure, value."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["week_starting", "figure", "value"])
    writer.writerows([monday.isoformat(), name, value] for name, value in figures.items())
    return buffer.getvalue()


def as_html(monday: date, figures: Mapping[str, int], service: str) -> str:
    """Return the figures as a small standalone HTML page."""
    title = escape(f"{service}: week starting {monday:%A} {monday.day} {monday:%B %Y}")
    rows = "".join(
        f'<tr><th scope="row">{escape(LABELS.get(name, name))}</th><td>{value}</td></tr>'
        for name, value in figures.items()
    )
    return (
        f'<!doctype html><html lang="en-GB"><head><meta charset="utf-8"><title>{title}</title>'
        f"</head><body><h1>{title}</h1><table>{rows}</table></body></html>\n"
    )


def send_summary(settings: JobSettings, monday: date, paths: list[Path], service: str) -> bool:
    """E-mail the summary when SMTP and recipients are configured; return whether it was sent."""
    if settings.smtp is None or not settings.summary_recipients:
        return False
    message = EmailMessage()
    message["Subject"] = f"{service}: weekly summary, week starting {monday.isoformat()}"
    message["From"], message["To"] = settings.summary_sender, ", ".join(settings.summary_recipients)
    html_path, csv_path = paths
    message.set_content(f"The weekly summary is attached (week starting {monday.isoformat()}).")
    message.add_alternative(html_path.read_text(encoding="utf-8"), subtype="html")
    message.add_attachment(
        csv_path.read_bytes(), maintype="text", subtype="csv", filename=csv_path.name
    )
    _deliver(settings.smtp, message)
    return True


def _deliver(server: SmtpServer, message: EmailMessage) -> None:
    """Send one message through the configured SMTP server."""
    smtp_class = smtplib.SMTP_SSL if server.scheme == "smtps" else smtplib.SMTP
    with smtp_class(server.host, server.port, timeout=30) as smtp:
        if server.scheme == "smtp+starttls":
            smtp.starttls(context=ssl.create_default_context())
        if server.username and server.password:
            smtp.login(server.username, server.password)
        smtp.send_message(message)
