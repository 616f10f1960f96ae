"""Time the webhooks against a baseline Flask app returning fixed TwiML.

In-process (no network), the default:
  .venv/bin/python bench/webhooks.py [--requests 2000]
  baseline  - a bare Flask route returning a constant <Dial> document
  incoming  - the real /voice/incoming (signature check, routing, TwiML, log write)
  db-down   - the same with the database unreachable (events journaled instead)

Live, as production serves it:
  .venv/bin/python bench/webhooks.py --live [--rate 50] [--seconds 20]
  the repo's gunicorn config (config/gunicorn.conf.py, 2 workers) on a fresh PostgreSQL
  database, open-loop signed traffic: `rate` calls a second, each one /voice/incoming and
  then its /voice/status callback; the same against the bare-Flask app under the same config.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

from flask import Flask, Response

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import create_engine, func, select, text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

from helpline import create_app  # noqa: E402
from helpline.models import Call  # noqa: E402
from tests.chaos.server import Gunicorn, free_port  # noqa: E402
from tests.conftest import POSTGRES_ADMIN_URL, environment, migrate  # noqa: E402
from tests.twilio_client import TwilioClient, incoming_params, status_params  # noqa: E402
from tests.twilio_driver import PUBLIC_BASE_URL, TwilioDriver  # noqa: E402

PATHS = ("/voice/incoming", "/voice/status")
WARM_UP_SECONDS = 2.0
# A call's completed callback comes this long after its incoming webhook.
STATUS_DELAY = 0.5

FIXED = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    "<Response><Dial><Number>+443301757258</Number></Dial></Response>"
)


def timed(post: Callable[[int], object], count: int) -> list[float]:
    """Return per-request latencies in milliseconds."""
    latencies = []
    for index in range(count):
        start = time.perf_counter()
        post(index)
        latencies.append((time.perf_counter() - start) * 1000)
    return latencies


def baseline(count: int) -> list[float]:
    """Time a bare Flask view that returns fixed TwiML."""
    app = Flask("baseline")
    app.add_url_rule(
        "/voice/incoming",
        "incoming",
        lambda: Response(FIXED, mimetype="text/xml"),
        methods=["POST"],
    )
    client = app.test_client()
    return timed(
        lambda i: client.post("/voice/incoming", data=incoming_params(f"CA{i}", "+447911123456")),
        count,
    )


def real(count: int, url: str, folder: str) -> list[float]:
    """Time the real incoming webhook; queued writes are drained outside the timing."""
    app = create_app(environment(url), instance_path=folder)
    client = app.test_client()
    signer = TwilioClient(app, client)
    url_signed = "http://localhost/voice/incoming"
    forms = [incoming_params(f"CA{i:06d}", f"+4479111{i % 9999:05d}") for i in range(count)]
    heads = [{"X-Twilio-Signature": signer.sign(url_signed, form)} for form in forms]
    latencies = timed(
        lambda i: client.post("/voice/incoming", data=forms[i], headers=heads[i]), count
    )
    app.extensions["helpline.writer"].drain()
    return latencies


def summary(name: str, latencies: list[float], base: float) -> str:
    """Return one line: median, p95 and the ratio to the baseline median."""
    median = statistics.median(latencies)
    p95 = statistics.quantiles(latencies, n=20)[-1]
    return f"{name:10s} median {median:7.3f} ms  p95 {p95:7.3f} ms  ratio {median / base:5.1f}x"


def main() -> None:
    """Run the in-process measurements, or the live ones with --live."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--live", action="store_true", help="real gunicorn on PostgreSQL")
    parser.add_argument("--rate", type=float, default=50.0, help="calls per second (--live)")
    parser.add_argument("--seconds", type=float, default=20.0, help="measured seconds (--live)")
    options = parser.parse_args()
    if options.live:
        live(options.rate, options.seconds)
    else:
        in_process(options.requests)


def in_process(count: int) -> None:
    """Run the three in-process measurements and print them."""
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{folder}/bench.sqlite3"
        migrate(url)
        base = baseline(count)
        measured = real(count, url, folder)
        down = real(min(count, 200), "postgresql+psycopg://postgres@127.0.0.1:9/none", folder)
    base_median = statistics.median(base)
    for name, values in (("baseline", base), ("incoming", measured), ("db-down", down)):
        print(summary(name, values, base_median))


# Live mode ---------------------------------------------------------------------------------


class NoWriter:
    """Stand-in for the contact writer that the gunicorn config's worker hooks start and stop."""

    def start(self) -> None:
        """Start nothing: the baseline records nothing."""

    def stop(self, *_timeout: object) -> int:
        """Stop nothing; nothing is left."""
        return 0


def baseline_app() -> Flask:
    """Return the bare-Flask baseline: fixed TwiML, an empty 204, a liveness probe."""
    app = Flask("baseline")
    # The same gunicorn config must serve it, and its hooks look for the app's writer.
    app.extensions["helpline.writer"] = NoWriter()
    app.add_url_rule("/voice/incoming", "incoming", lambda: Response(FIXED, mimetype="text/xml"),
                     methods=["POST"])  # fmt: skip
    app.add_url_rule("/voice/status", "status", lambda: ("", 204), methods=["POST"])
    app.add_url_rule("/healthz", "healthz", lambda: "ok")
    return app


def live(rate: float, seconds: float) -> None:
    """Serve each app under the repo's gunicorn config and drive it open-loop; print ratios."""
    results: dict[str, dict[str, dict[str, float]]] = {}
    with tempfile.TemporaryDirectory() as folder, fresh_postgres() as url:
        env = live_environment(url, Path(folder))
        for name, app in (("baseline", "bench.webhooks:baseline_app()"),
                          ("helpline", "helpline:create_app()")):  # fmt: skip
            server = Gunicorn(env, Path(folder) / f"{name}.log", app)
            try:
                results[name] = drive(server.start(), rate, seconds)
                if name == "helpline":
                    results[name]["recorded"] = catch_up(url)
            finally:
                server.stop()
        results["helpline"]["recorded"]["after_stop"] = float(recorded_calls(url))
    print_live(results, rate, seconds)
    out = ROOT / "bench" / "results" / "webhooks-live.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps({"rate": rate, "seconds": seconds} | results, indent=2))


@contextmanager
def fresh_postgres() -> Iterator[str]:
    """Yield the URL of a new, migrated PostgreSQL database; drop it afterwards."""
    name = f"helpline_bench_webhooks_{uuid.uuid4().hex[:8]}"
    admin = create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(POSTGRES_ADMIN_URL).set(database=name).render_as_string(hide_password=False)
    try:
        migrate(url)
        yield url
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def live_environment(url: str, folder: Path) -> dict[str, str]:
    """Return a production web process's environment, with its journal in folder."""
    return os.environ | environment(url) | {
        "HELPLINE_ENV": "production",
        "HELPLINE_JOURNAL": str(folder / "contact-journal.jsonl"),
        "HELPLINE_PUBLIC_BASE_URL": PUBLIC_BASE_URL,
        "GUNICORN_BIND": f"127.0.0.1:{free_port()}",
        "WEB_CONCURRENCY": "2",
        "GUNICORN_CMD_ARGS": f"--control-socket {folder / 'gunicorn.ctl'}",
    }  # fmt: skip


def schedule(rate: float, seconds: float) -> list[tuple[float, str, dict[str, str]]]:
    """Return (send at, path, form) for every webhook: each call's incoming, then its status."""
    plan = []
    for index in range(int(rate * (seconds + WARM_UP_SECONDS))):
        sid, caller = f"CA{uuid.uuid4().hex}", f"+4479111{index % 99999:05d}"
        at = index / rate
        completed = status_params(sid, caller, "completed", 2, datetime.now(UTC), 30)
        plan += [(at, PATHS[0], incoming_params(sid, caller)),
                 (at + STATUS_DELAY, PATHS[1], completed)]  # fmt: skip
    return sorted(plan, key=lambda item: item[0])


def drive(server: Gunicorn, rate: float, seconds: float) -> dict[str, dict[str, float]]:
    """Send the schedule open-loop (arrivals never wait on answers); return figures per path."""
    driver = TwilioDriver(server.url)
    plan = [(at, path, form, driver.sign(PUBLIC_BASE_URL + path, form))
            for at, path, form in schedule(rate, seconds)]  # fmt: skip
    samples: dict[str, list[float]] = {path: [] for path in PATHS}
    # The same, timed from the moment each request really left (the client's own lag excluded).
    service: dict[str, list[float]] = {path: [] for path in PATHS}
    failures, lag, lock = [0], [0.0], threading.Lock()
    start = time.perf_counter()

    def fire(at: float, path: str, form: dict[str, str], signature: str) -> None:
        sent = time.perf_counter()
        lag[0] = max(lag[0], sent - start - at)
        try:
            ok = 200 <= driver.send(path, form, signature)[0] < 300
        except OSError:
            ok = False
        done = time.perf_counter()
        with lock:
            failures[0] += not ok
            if at >= WARM_UP_SECONDS:
                # From the intended send time, so a stalled server cannot hide its queue.
                samples[path].append((done - start - at) * 1000)
                service[path].append((done - sent) * 1000)

    with ThreadPoolExecutor(max_workers=64) as pool:
        for at, path, form, signature in plan:
            time.sleep(max(0.0, start + at - time.perf_counter()))
            pool.submit(fire, at, path, form, signature)
    figures = {path: percentiles(values) for path, values in samples.items()}
    for path, values in service.items():
        figures[path]["service_p99"] = percentiles(values)["p99"]
    figures["client"] = {"failures": float(failures[0]), "max_send_lag_ms": lag[0] * 1000}
    return figures


def percentiles(values: list[float]) -> dict[str, float]:
    """Return n, p50, p95, p99 and max of latencies in ms."""
    cuts = statistics.quantiles(values, n=100)
    return {"n": float(len(values)), "p50": cuts[49], "p95": cuts[94], "p99": cuts[98],
            "max": max(values)}  # fmt: skip


def catch_up(url: str, quiet: float = 3.0, timeout: float = 60.0) -> dict[str, float]:
    """Wait until the recorded calls stop growing; return how many and how long that took."""
    started = last_change = time.monotonic()
    count = recorded_calls(url)
    while time.monotonic() - last_change < quiet and time.monotonic() - started < timeout:
        time.sleep(0.5)
        now = recorded_calls(url)
        if now != count:
            count, last_change = now, time.monotonic()
    return {"calls": float(count), "catch_up_seconds": last_change - started}


def recorded_calls(url: str) -> int:
    """Return how many calls the helpline recorded (a check that the writes happened)."""
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            return int(connection.scalar(select(func.count()).select_from(Call)) or 0)
    finally:
        engine.dispose()


def print_live(
    results: dict[str, dict[str, dict[str, float]]], rate: float, seconds: float
) -> None:
    """Print per-path percentiles for both apps and the helpline/baseline ratios."""
    print(f"live: gunicorn (config/gunicorn.conf.py, 2 workers), PostgreSQL, {rate:g} calls/s "
          f"open loop for {seconds:g}s after a {WARM_UP_SECONDS:g}s warm-up")  # fmt: skip
    for path in PATHS:
        for name in ("baseline", "helpline"):
            f = results[name][path]
            print(f"{name:9s} {path:16s} n {f['n']:5.0f}  p50 {f['p50']:7.2f}  p95 {f['p95']:7.2f}"
                  f"  p99 {f['p99']:7.2f}  max {f['max']:7.2f} ms"
                  f"  (p99 from the real send {f['service_p99']:6.2f} ms)")  # fmt: skip
        ratios = [results["helpline"][path][k] / results["baseline"][path][k]
                  for k in ("p50", "p95", "p99")]  # fmt: skip
        print(
            f"ratio     {path:16s} p50 {ratios[0]:.1f}x  p95 {ratios[1]:.1f}x  p99 {ratios[2]:.1f}x"
        )
    for name in ("baseline", "helpline"):
        client = results[name]["client"]
        print(f"{name}: {client['failures']:.0f} failed requests, "
              f"worst send lag {client['max_send_lag_ms']:.1f} ms")  # fmt: skip
    recorded, sent = results["helpline"]["recorded"], int(rate * (seconds + WARM_UP_SECONDS))
    print(f"helpline recorded {recorded['calls']:.0f} of {sent} calls while running (still "
          f"growing {recorded['catch_up_seconds']:.1f}s after the last request), "
          f"{recorded['after_stop']:.0f} after its SIGTERM stop")  # fmt: skip
    print("load average (1, 5, 15 min): " + ", ".join(f"{v:.1f}" for v in os.getloadavg()))


if __name__ == "__main__":
    main()
