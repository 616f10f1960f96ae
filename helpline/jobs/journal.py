"""Journal replay: record the call events written aside while the database was unavailable."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from helpline import current
from helpline.calls.writer import ContactWriter
from helpline.jobs import JobContext


def run(context: JobContext) -> Mapping[str, Any]:
    """Replay this machine's journal; a dry run only counts what is waiting."""
    writer: ContactWriter = current.writer(context.app)
    if context.dry_run:
        waiting = writer.journaled_count()
        context.say(f"{waiting} journaled events waiting to be recorded")
        return {"waiting": waiting}
    recorded, failed = writer.replay_journal()
    context.say(f"recorded {recorded} journaled events, {failed} still failing")
    return {"recorded": recorded, "failed": failed}
