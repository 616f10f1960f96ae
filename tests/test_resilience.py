"""Routing never waits on the database; nothing is lost when it is down."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from flask import Flask
from sqlalchemy import select

from helpline import create_app
from helpline.calls.events import ContactEvent
from helpline.calls.journal import Journal
from helpline.calls.writer import ContactWriter
from helpline.closures import store
from helpline.database import Database
from helpline.db import get_database
from helpline.models import Call
from tests.conftest import environment
from tests.twilio_client import TwilioClient, dialled_numbers, incoming_params, status_params, twiml

LONDON = ZoneInfo("Europe/London")
IN_HOURS = datetime(2026, 11, 24, 10, tzinfo=LONDON)
DOWN_URL = "postgresql+psycopg://postgres@127.0.0.1:9/helpline"  # nothing listens on port 9


@pytest.fixture
def down_app(tmp_path: Path) -> Iterator[Flask]:
    """Return an app whose database cannot be reached at all (its journal beside `app`'s)."""
    app = create_app(environment(DOWN_URL), instance_path=str(tmp_path))
    app.extensions["helpline.clock"] = lambda: IN_HOURS
    yield app
    app.extensions["helpline.writer"].stop(timeout=0)


def journal_of(app: Flask) -> Journal:
    """Return the app's journal."""
    journal: Journal = app.extensions["helpline.writer"].journal
    return journal


def journaled_sids(app: Flask) -> list[str]:
    """Return the CallSids of every event in the app's journal, oldest first."""
    entries = journal_of(app).waiting(owner="", settled_for=-60.0)
    return [entry.event.call_sid for entry in entries]


def test_database_down_caller_still_routed(
    down_app: Flask, caplog: pytest.LogCaptureFixture
) -> None:
    """With no database the caller still hears the right TwiML, and the event is journaled."""
    monkey_fast_retries(down_app)
    twilio = TwilioClient(down_app, down_app.test_client())
    document = twiml(twilio.post("/voice/incoming", incoming_params("CA1", "+447911123456")))
    assert dialled_numbers(document) == ["+443301757258"]
    assert journaled_sids(down_app) == ["CA1"]
    assert down_app.extensions["helpline.writer"].drain() == 1  # still down: kept
    assert journaled_sids(down_app) == ["CA1"]
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
    writer = ContactWriter(get_database(app), Journal(journal_of(down_app).path), "HAR")
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


def test_outage_pauses_writes_then_heals(
    app: Flask, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """During an outage events stay journaled untried; once it ends they are all recorded."""
    import helpline.calls.writer as module

    monkeypatch.setattr(module, "RETRY_DELAYS", ())
    writer = ContactWriter(get_database(app), Journal(tmp_path / "outage.sqlite3"), "HAR")
    attempts: list[str] = []
    real_transaction = Database.transaction

    def down(self: Database):  # type: ignore[no-untyped-def]
        attempts.append("try")
        raise RuntimeError("database down")

    monkeypatch.setattr(Database, "transaction", down)
    for sid in ("CA-first", "CA-second"):
        writer.journal.append(event(sid), writer.owner)
    assert writer.drain() == 2
    assert attempts == ["try", "try"]  # one write and one check, then no more tries
    monkeypatch.setattr(Database, "transaction", real_transaction)
    assert writer.drain() == 2  # the pause is not over yet
    writer._down_until = 0.0
    assert writer.drain() == 0
    with get_database(app).transaction() as session:
        assert sorted(session.scalars(select(Call.call_sid))) == ["CA-first", "CA-second"]
    assert writer.journaled_count() == 0


def test_event_the_database_refuses_does_not_block_others(
    app: Flask, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """A refused event is kept and retried a few times, never holding up the events after it."""
    import helpline.calls.writer as module

    monkeypatch.setattr(module, "RETRY_DELAYS", ())
    real_record = module.record

    def refuse_one(session: object, given: ContactEvent, prefix: str) -> bool:
        if given.call_sid == "CA-refused":
            raise ValueError("cannot record this one")
        return real_record(session, given, prefix)  # type: ignore[arg-type]

    monkeypatch.setattr(module, "record", refuse_one)
    writer = ContactWriter(get_database(app), Journal(tmp_path / "refused.sqlite3"), "HAR")
    for sid in ("CA-refused", "CA-after"):
        writer.journal.append(event(sid), writer.owner)
    for _ in range(module.MAX_ATTEMPTS):
        assert writer.drain() == 1
    assert writer.drain() == 0  # given up on by the writer: no longer tried
    assert writer.journaled_count() == 1  # but never dropped
    assert writer.replay_journal() == (0, 1)  # a replay still tries it, and says so
    with get_database(app).transaction() as session:
        assert session.scalars(select(Call.call_sid)).all() == ["CA-after"]


def event(sid: str) -> ContactEvent:
    """Return an incoming-call event for a CallSid."""
    return ContactEvent(
        "incoming", sid, IN_HOURS, incoming_params(sid, "+447911123456"), {"line": "harmony"}
    )


def test_replay_journal_job(app: Flask, down_app: Flask) -> None:
    """`jobs run replay-journal` records what an outage journaled; --dry-run only counts."""
    monkey_fast_retries(down_app)
    TwilioClient(down_app, down_app.test_client()).post(
        "/voice/incoming", incoming_params("CA88", "+447911123456")
    )
    assert journal_of(down_app).path == journal_of(app).path  # one machine, one journal
    cli = app.test_cli_runner()
    dry = cli.invoke(args=["jobs", "run", "replay-journal", "--dry-run"])
    assert "1 journaled events waiting" in dry.output, dry.output
    done = cli.invoke(args=["jobs", "run", "replay-journal"])
    assert "recorded 1 journaled events, 0 still failing" in done.output, done.output
    with get_database(app).transaction() as session:
        assert session.scalars(select(Call.call_sid)).all() == ["CA88"]
