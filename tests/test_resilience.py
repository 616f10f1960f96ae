"""Routing never waits on the database; nothing is lost when it is down."""

from __future__ import annotations

import threading
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from flask import Flask
from sqlalchemy import select

from helpline import create_app
from helpline.calls.writer import ContactWriter
from helpline.closures import store
from helpline.db import Database, get_database
from helpline.models import Call
from tests.conftest import environment
from tests.twilio_client import TwilioClient, dialled_numbers, incoming_params, status_params, twiml

LONDON = ZoneInfo("Europe/London")
IN_HOURS = datetime(2026, 11, 24, 10, tzinfo=LONDON)
DOWN_URL = "postgresql+psycopg://postgres@127.0.0.1:9/helpline"  # nothing listens on port 9


@pytest.fixture
def down_app(tmp_path: Path) -> Flask:
    """Return an app whose database cannot be reached at all."""
    app = create_app(environment(DOWN_URL), instance_path=str(tmp_path))
    app.extensions["helpline.clock"] = lambda: IN_HOURS
    return app


def test_database_down_caller_still_routed(
    down_app: Flask, caplog: pytest.LogCaptureFixture
) -> None:
    """With no database the caller still hears the right TwiML, and the event is journaled."""
    monkey_fast_retries(down_app)
    twilio = TwilioClient(down_app, down_app.test_client())
    document = twiml(twilio.post("/voice/incoming", incoming_params("CA1", "+447911123456")))
    assert dialled_numbers(document) == ["+443301757258"]
    journal = Path(down_app.instance_path) / "contact-journal.jsonl"
    assert journal.exists() and "CA1" in journal.read_text()
    assert "could not record incoming event for call CA1" in caplog.text
    assert "7911123456" not in caplog.text


def test_status_callbacks_accepted_while_database_down(down_app: Flask) -> None:
    """Twilio hears 204 for status callbacks even when they cannot be written yet."""
    monkey_fast_retries(down_app)
    twilio = TwilioClient(down_app, down_app.test_client())
    response = twilio.post(
        "/voice/status", status_params("CA1", "+447911123456", "completed", 1, IN_HOURS, 30)
    )
    assert response.status_code == 204


def monkey_fast_retries(app: Flask) -> None:
    """Make the writer give up at once instead of retrying, to keep the test quick."""
    import helpline.calls.writer as module

    module.RETRY_DELAYS = ()  # type: ignore[assignment]


@pytest.fixture(autouse=True)
def restore_retries() -> object:
    """Put the writer's retry delays back after each test."""
    import helpline.calls.writer as module

    saved = module.RETRY_DELAYS
    yield
    module.RETRY_DELAYS = saved


def test_journal_replayed_when_database_returns(app: Flask, down_app: Flask) -> None:
    """Events journaled during an outage are recorded, once, when replayed."""
    monkey_fast_retries(down_app)
    down = TwilioClient(down_app, down_app.test_client())
    down.post("/voice/incoming", incoming_params("CA77", "+447911123456"))
    down.post("/voice/status", status_params("CA77", "+447911123456", "completed", 1, IN_HOURS, 30))
    journal = Path(down_app.instance_path) / "contact-journal.jsonl"
    writer = ContactWriter(get_database(app), journal)
    assert writer.replay_journal() == (2, 0)
    assert writer.replay_journal() == (0, 0)
    with get_database(app).transaction() as session:
        call = session.scalars(select(Call)).one()
        assert (call.call_sid, call.status, call.route_line, call.duration_seconds) == (
            "CA77",
            "completed",
            "harmony",
            30,
        )


def test_slow_database_does_not_hold_the_caller(
    app: Flask, twilio: TwilioClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """While the database hangs, the webhook has already answered; the write lands later."""
    release = threading.Event()
    original = Database.transaction

    def stuck(self: Database):  # type: ignore[no-untyped-def]
        release.wait(timeout=30)
        return original(self)

    monkeypatch.setattr(Database, "transaction", stuck)
    params = incoming_params("CA5", "+447911123456")
    signature = twilio.sign("http://localhost/voice/incoming", params)
    response = twilio.client.post(
        "/voice/incoming", data=params, headers={"X-Twilio-Signature": signature}
    )
    assert dialled_numbers(twiml(response)) != []
    assert not release.is_set()  # the answer came back while the database was still stuck
    release.set()
    app.extensions["helpline.writer"].drain()
    monkeypatch.undo()
    with get_database(app).transaction() as session:
        assert session.scalars(select(Call.call_sid)).all() == ["CA5"]


def test_closures_come_from_cache_not_database(app: Flask, twilio: TwilioClient) -> None:
    """A closure reaches routing through the cache; a dead database keeps the last snapshot."""
    with get_database(app).transaction() as session:
        store.add(
            session, IN_HOURS.replace(hour=9), IN_HOURS.replace(hour=12), "staff training", "test"
        )
    cache = app.extensions["helpline.closures"]
    app.extensions["helpline.clock"] = lambda: IN_HOURS
    assert cache.refresh()
    document = twiml(
        twilio.at(IN_HOURS).post("/voice/incoming", incoming_params("CA6", "+447911123456"))
    )
    assert dialled_numbers(document) == ["+448081689111"]
    cache._load = lambda: (_ for _ in ()).throw(RuntimeError("database down"))
    assert not cache.refresh()
    assert [p.reason for p in cache.current()] == ["staff training"]


def test_outage_journals_at_once_then_heals(
    app: Flask, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """During an outage events go straight to the journal; the first good write replays them."""
    import helpline.calls.writer as module
    from helpline.calls.events import ContactEvent

    monkeypatch.setattr(module, "RETRY_DELAYS", ())
    writer = ContactWriter(get_database(app), tmp_path / "journal.jsonl")
    attempts: list[str] = []
    real_record = module.record

    def flaky(session: object, event: ContactEvent) -> bool:
        attempts.append(event.call_sid)
        if event.call_sid == "CA-down":
            raise RuntimeError("database down")
        return real_record(session, event)  # type: ignore[arg-type]

    monkeypatch.setattr(module, "record", flaky)

    def event(sid: str) -> ContactEvent:
        return ContactEvent(
            "incoming", sid, IN_HOURS, incoming_params(sid, "+447911123456"), {"line": "harmony"}
        )

    assert not writer.write(event("CA-down"))
    assert not writer.write(event("CA-queued"))  # journaled without trying the database
    assert attempts == ["CA-down"]
    monkeypatch.setattr(module, "DOWN_SECONDS", 0.0)
    writer._down_until = 0.0  # the outage window has passed
    assert writer.write(event("CA-after"))
    assert attempts == ["CA-down", "CA-after", "CA-down", "CA-queued"]
    with get_database(app).transaction() as session:
        assert sorted(session.scalars(select(Call.call_sid))) == ["CA-after", "CA-queued"]
    assert "CA-down" in (tmp_path / "journal.jsonl").read_text()  # still failing: kept


def test_replay_journal_job(app: Flask, down_app: Flask) -> None:
    """`jobs run replay-journal` records what an outage journaled; --dry-run only counts."""
    monkey_fast_retries(down_app)
    TwilioClient(down_app, down_app.test_client()).post(
        "/voice/incoming", incoming_params("CA88", "+447911123456")
    )
    journal = Path(down_app.instance_path) / "contact-journal.jsonl"
    (Path(app.instance_path) / "contact-journal.jsonl").write_text(journal.read_text())
    cli = app.test_cli_runner()
    dry = cli.invoke(args=["jobs", "run", "replay-journal", "--dry-run"])
    assert "1 journaled events waiting" in dry.output, dry.output
    done = cli.invoke(args=["jobs", "run", "replay-journal"])
    assert "recorded 1 journaled events, 0 still failing" in done.output, done.output
    with get_database(app).transaction() as session:
        assert session.scalars(select(Call.call_sid)).all() == ["CA88"]
