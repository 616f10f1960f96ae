"""The journal: on disk before the webhook answers, shared by processes, safe at any instant."""

from __future__ import annotations

import json
import multiprocessing
import os
import signal
import subprocess
import sys
import textwrap
from datetime import UTC, datetime
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import select

from helpline.calls.events import ContactEvent
from helpline.calls.journal import Entry, Journal
from helpline.calls.writer import ContactWriter
from helpline.db import get_database
from helpline.models import Call, CallEvent
from tests.conftest import ROOT
from tests.twilio_client import TwilioClient, incoming_params

CALLER = "+447911123456"


def event(sid: str) -> ContactEvent:
    """Return an incoming-call event."""
    return ContactEvent(
        "incoming", sid, datetime.now(UTC), incoming_params(sid, CALLER), {"line": "harmony"}
    )


def recorded_sids(app: Flask) -> list[str]:
    """Return the CallSids in the database, in order."""
    with get_database(app).transaction() as session:
        return list(session.scalars(select(Call.call_sid).order_by(Call.call_sid)))


def test_event_is_on_disk_before_the_webhook_answers(
    app: Flask, twilio: TwilioClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With no writer running at all, the answered webhook's event is already in the journal."""
    monkeypatch.setattr(ContactWriter, "start", lambda self: None)
    params = incoming_params("CA-disk", CALLER)
    signature = twilio.sign("http://localhost/voice/incoming", params)
    response = twilio.client.post(
        "/voice/incoming", data=params, headers={"X-Twilio-Signature": signature}
    )  # the client's own post would wait for the writer
    assert response.status_code == 200
    writer: ContactWriter = app.extensions["helpline.writer"]
    assert writer.journaled_count() == 1
    assert recorded_sids(app) == []
    assert writer.drain() == 0
    assert (writer.journaled_count(), recorded_sids(app)) == (0, ["CA-disk"])


def append_many(path: str, prefix: str, count: int) -> None:
    """Append events from a separate process (a worker of its own)."""
    journal = Journal(Path(path))
    for index in range(count):
        journal.append(event(f"{prefix}-{index}"), owner=prefix)


def test_several_processes_append_at_once(tmp_path: Path) -> None:
    """Four processes appending together lose nothing and tear nothing."""
    path = str(tmp_path / "journal.sqlite3")
    context = multiprocessing.get_context("spawn")
    workers = [context.Process(target=append_many, args=(path, f"W{n}", 100)) for n in range(4)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=60)
        assert worker.exitcode == 0
    sids = [entry.event.call_sid for entry in all_entries(Journal(Path(path)))]
    assert sorted(sids) == sorted(f"W{n}-{index}" for n in range(4) for index in range(100))


KILLED_WRITER = textwrap.dedent(
    """
    import sys
    from datetime import UTC, datetime
    from pathlib import Path
    from helpline.calls.events import ContactEvent
    from helpline.calls.journal import Entry, Journal

    journal = Journal(Path(sys.argv[1]))
    for n in range(1000000):
        sid = f"CA-kill-{n}"
        journal.append(ContactEvent("incoming", sid, datetime.now(UTC), {"CallSid": sid}), "k")
        print(sid, flush=True)  # acknowledged, as a webhook's answer would be
    """
)


def test_kill_9_loses_no_acknowledged_event(tmp_path: Path) -> None:
    """SIGKILL at an arbitrary instant: every event acknowledged before it is in the journal."""
    path = tmp_path / "journal.sqlite3"
    process = subprocess.Popen(
        [sys.executable, "-c", KILLED_WRITER, str(path)],
        stdout=subprocess.PIPE, text=True, cwd=ROOT,
    )  # fmt: skip
    assert process.stdout is not None
    acknowledged = [process.stdout.readline().strip() for _ in range(200)]
    os.kill(process.pid, signal.SIGKILL)
    acknowledged += process.stdout.read().split()
    process.wait(timeout=10)
    journaled = {entry.event.call_sid for entry in all_entries(Journal(path))}
    assert len(acknowledged) >= 200 and set(acknowledged) <= journaled


def all_entries(journal: Journal) -> list[Entry]:
    """Return every entry of a journal, however many."""
    entries: list[Entry] = []
    after = 0
    while batch := journal.waiting("", settled_for=-60.0, after=after):
        entries += batch
        after = batch[-1].id
    return entries


def test_old_json_lines_journal_with_a_torn_line_is_taken_in(
    app: Flask, caplog: pytest.LogCaptureFixture
) -> None:
    """An earlier release's journal is replayed; a line torn by a crash is reported, not fatal."""
    writer: ContactWriter = app.extensions["helpline.writer"]
    old = writer.journal.path.with_name("contact-journal.jsonl")
    lines = [json.dumps(event(sid).to_json()) for sid in ("CA-old-1", "CA-old-2")]
    old.write_text("\n".join(lines) + '\n{"kind": "incoming", "call_si', encoding="utf-8")
    assert writer.replay_journal() == (2, 0)
    assert not old.exists()
    assert recorded_sids(app) == ["CA-old-1", "CA-old-2"]
    assert "line 3 is damaged" in caplog.text


def test_replay_after_a_crash_between_commit_and_delete_counts_once(
    app: Flask, tmp_path: Path
) -> None:
    """An event recorded but not yet deleted when the process died is recorded once on replay."""
    writer: ContactWriter = app.extensions["helpline.writer"]
    for sid in ("CA-twice", "CA-twice"):
        writer.journal.append(event(sid), writer.owner)  # the second stands for the leftover
    assert writer.replay_journal() == (2, 0)
    with get_database(app).transaction() as session:
        assert len(session.scalars(select(CallEvent)).all()) == 1
    assert recorded_sids(app) == ["CA-twice"]


def test_journal_file_is_private(app: Flask, twilio: TwilioClient) -> None:
    """The journal holds callers' numbers: only the service's own user may read it."""
    twilio.post("/voice/incoming", incoming_params("CA-private", CALLER))
    path: Path = app.extensions["helpline.writer"].journal.path
    assert path.stat().st_mode & 0o077 == 0
