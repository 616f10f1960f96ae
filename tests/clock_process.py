"""A real clock process for the tests: `python -m tests.clock_process URL INSTANCE MODE OUT`.

MODE "clock" runs the real scheduler for a few seconds with one probe job firing every
two seconds; MODE "run" runs the probe once by hand, as `helpline jobs run` does. The
probe appends this process's id to OUT and holds on for a moment, so runs overlap.
"""

from __future__ import annotations

import json
import os
import sys
import threading
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from helpline import create_app
from helpline.jobs import Job, JobContext
from helpline.jobs.runner import run_job
from helpline.scheduler import build_scheduler
from tests.conftest import environment

CLOCK_SECONDS = 7.0


def probe(out: Path) -> Job:
    """Return a job that records each run in out."""

    def run(context: JobContext) -> Mapping[str, Any]:
        with out.open("a") as handle:
            handle.write(f"{os.getpid()}\n")
        time.sleep(1.0)
        return {"pid": os.getpid()}

    return Job("probe", run, {"second": "*/2"}, "records that it ran")


def main(url: str, instance: str, mode: str, out: str, start_at: str) -> None:
    """Build the app, wait for the agreed start instant, then run the clock or the job."""
    app = create_app(environment(url), instance_path=instance)
    job = probe(Path(out))
    app.extensions["helpline.jobs"] = [job]
    time.sleep(max(0.0, float(start_at) - time.time()))
    if mode == "run":
        print(json.dumps({"outcome": run_job(app, job).outcome}))
        return
    scheduler = build_scheduler(app)
    threading.Timer(CLOCK_SECONDS, lambda: scheduler.shutdown(wait=True)).start()
    scheduler.start()


if __name__ == "__main__":
    main(*sys.argv[1:6])
