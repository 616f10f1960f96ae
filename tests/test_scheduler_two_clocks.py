"""Two clock processes started by mistake still run each job once per slot, on both databases."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from flask import Flask
from sqlalchemy import select

from helpline.db import get_database
from helpline.models import JobRun
from tests.conftest import ROOT, environment


def start(url: str, tmp_path: Path, mode: str, out: Path, start_at: float) -> subprocess.Popen[str]:
    """Start one real process running the probe job (see tests/clock_process.py)."""
    instance = tmp_path / f"instance-{mode}-{time.monotonic_ns()}"
    return subprocess.Popen(
        [sys.executable, "-m", "tests.clock_process", url, str(instance), mode, str(out),
         str(start_at)],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip


def finish(process: subprocess.Popen[str]) -> str:
    """Wait for a process and return its output, failing on a crash."""
    stdout, stderr = process.communicate(timeout=60)
    assert process.returncode == 0, stderr
    return stdout


def run_two_at_once(url: str, tmp_path: Path, mode: str) -> tuple[list[str], list[str]]:
    """Start two processes in a mode at the same instant; return their outputs and the runs.

    The runs are the lines the probe job wrote, one for each time it really ran.
    """
    out = tmp_path / "runs.txt"
    start_at = time.time() + 3
    processes = [start(url, tmp_path, mode, out, start_at) for _ in range(2)]
    outputs = [finish(process) for process in processes]
    return outputs, out.read_text().split()


def test_two_manual_runs_at_once_run_the_job_once(
    app: Flask, database_url: str, tmp_path: Path
) -> None:
    """Two processes running the same job at the same instant: one runs, one is told it is busy."""
    outputs, probe_runs = run_two_at_once(database_url, tmp_path, "run")
    assert sorted(json.loads(output)["outcome"] for output in outputs) == ["busy", "done"]
    assert len(probe_runs) == 1


def test_two_clock_processes_run_each_slot_once(
    app: Flask, database_url: str, tmp_path: Path
) -> None:
    """Two real schedulers side by side: every fired slot ran exactly once between them."""
    _outputs, probe_runs = run_two_at_once(database_url, tmp_path, "clock")
    with get_database(app).transaction() as session:
        runs = list(session.scalars(select(JobRun).where(JobRun.job == "probe")))
    slots = [run.slot for run in runs]
    assert slots and len(slots) == len(set(slots))
    assert all(run.outcome == "done" for run in runs)
    assert len(probe_runs) == len(runs)


def test_clock_process_starts_and_stops_cleanly_on_sigterm(
    app: Flask, database_url: str, tmp_path: Path
) -> None:
    """`helpline scheduler run` schedules every job and exits 0 when the platform stops it."""
    env = environment(database_url) | {"PATH": os.environ.get("PATH", "")}
    process = subprocess.Popen(
        [sys.executable, "-m", "helpline.cli", "scheduler", "run"], cwd=tmp_path, env=env,
        stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    assert process.stderr is not None
    seen = []
    for line in process.stderr:
        seen.append(line)
        if "Scheduler started" in line:
            break
    process.send_signal(signal.SIGTERM)
    rest = process.communicate(timeout=30)[1]
    assert process.returncode == 0
    output = "".join(seen) + (rest or "")
    for name in ("retention", "stale-calls", "overdue-callbacks", "weekly-summary"):
        assert f"scheduled {name}: next run" in output
    assert "clock process stopped" in output
