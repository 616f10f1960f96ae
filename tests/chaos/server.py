"""Run the real gunicorn (as the Procfile does) and do violent things to it."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Mapping
from pathlib import Path

from tests.conftest import ROOT

BIN = Path(sys.executable).parent
WORKERS = 2


def free_port() -> int:
    """Return a TCP port nobody is listening on."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def wait_for(check: Callable[[], bool], timeout: float, what: str, interval: float = 0.05) -> None:
    """Poll check() until it is true; fail with what was awaited."""
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:.0f}s waiting for {what}")
        time.sleep(interval)


def children(pid: int) -> list[int]:
    """Return the pids whose parent is pid (Linux /proc), i.e. gunicorn's workers."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        with contextlib.suppress(OSError):
            # The command name may hold spaces and parentheses: split after its closing ")".
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            if int(fields[1]) == pid and fields[0] != "Z":
                found.append(int(entry.name))
    return sorted(found)


class Gunicorn:
    """One gunicorn master with its workers, its output kept in a log file for diagnostics."""

    def __init__(self, env: Mapping[str, str], log_path: Path, app: str = "helpline:create_app()"):
        self.env, self.log_path, self.app = dict(env), log_path, app
        self.port = int(self.env["GUNICORN_BIND"].rsplit(":", 1)[1])
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        """Return the base URL the server listens on."""
        return f"http://127.0.0.1:{self.port}"

    @property
    def pid(self) -> int:
        """Return the master's pid."""
        assert self.process is not None, "gunicorn is not running"
        return self.process.pid

    def start(self) -> Gunicorn:
        """Start the master exactly as the Procfile's web process does, and wait until ready."""
        with self.log_path.open("ab") as log:
            log.write(f"\n===== gunicorn start {time.strftime('%H:%M:%S')} =====\n".encode())
            # A session of its own, so teardown can kill the master and workers as one group.
            self.process = subprocess.Popen(
                [str(BIN / "gunicorn"), "--config", "config/gunicorn.conf.py", self.app],
                cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT,
                start_new_session=True,
            )  # fmt: skip
        self.wait_ready()
        return self

    def wait_ready(self, timeout: float = 40) -> None:
        """Wait until the liveness probe answers and the full set of workers is running."""
        wait_for(self._ready, timeout, f"gunicorn to be ready\n{self.log_tail()}", 0.1)

    def _ready(self) -> bool:
        """Return whether the master serves /healthz with all its workers."""
        if self.process is None or self.process.poll() is not None:
            raise AssertionError(f"gunicorn exited while starting\n{self.log_tail()}")
        if len(self.workers()) != WORKERS:
            return False
        try:
            with urllib.request.urlopen(f"{self.url}/healthz", timeout=2) as response:  # noqa: S310
                return bool(response.status == 200)
        except OSError:
            return False

    def workers(self) -> list[int]:
        """Return the worker pids."""
        return children(self.pid)

    def kill_worker(self) -> int:
        """SIGKILL one worker, as the OOM killer or gunicorn's timeout would; return its pid."""
        victim = self.workers()[0]
        os.kill(victim, signal.SIGKILL)
        return victim

    def reload(self) -> None:
        """HUP the master and wait until every old worker has been replaced."""
        old = set(self.workers())
        os.kill(self.pid, signal.SIGHUP)
        wait_for(
            lambda: not old & set(self.workers()) and len(self.workers()) == WORKERS,
            40, f"the HUP reload to replace workers {sorted(old)}\n{self.log_tail()}", 0.1,
        )  # fmt: skip
        self.wait_ready()

    def stop(self, timeout: float = 30) -> int:
        """SIGTERM the master (a deploy's stop) and wait for it to exit; return its exit code."""
        assert self.process is not None
        self.process.send_signal(signal.SIGTERM)
        try:
            return self.process.wait(timeout=timeout)
        finally:
            self.kill_all()

    def kill_all(self) -> None:
        """Kill the master and any worker left behind (teardown: never leak a process)."""
        if self.process is None:
            return
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.process.pid, signal.SIGKILL)
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.process.wait(timeout=10)
        self.process = None

    def log_tail(self, lines: int = 30) -> str:
        """Return the end of gunicorn's output without access lines, for assertion messages."""
        if not self.log_path.exists():
            return "(no gunicorn output)"
        output = self.log_path.read_text(errors="replace").splitlines()
        tail = [line for line in output if "gunicorn.access" not in line][-lines:]
        return f"--- {self.log_path}, last {len(tail)} lines but access ---\n" + "\n".join(tail)
