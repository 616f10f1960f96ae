"""Time the incoming-call webhook against a baseline Flask view returning fixed TwiML.

Run: .venv/bin/python bench/webhooks.py [--requests 2000]
Prints median and 95th-percentile latency per request, in-process (no network), for:
  baseline  - a bare Flask route returning a constant <Dial> document
  incoming  - the real /voice/incoming (signature check, routing, TwiML, queued log write)
  db-down   - the same with the database unreachable (events journaled instead)
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from flask import Flask, Response

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from helpline import create_app  # noqa: E402
from tests.conftest import environment, migrate  # noqa: E402
from tests.twilio_client import TwilioClient, incoming_params  # noqa: E402

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
    """Run the three measurements and print them."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=2000)
    count = parser.parse_args().requests
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{folder}/bench.sqlite3"
        migrate(url)
        base = baseline(count)
        measured = real(count, url, folder)
        down = real(min(count, 200), "postgresql+psycopg://postgres@127.0.0.1:9/none", folder)
    base_median = statistics.median(base)
    for name, values in (("baseline", base), ("incoming", measured), ("db-down", down)):
        print(summary(name, values, base_median))


if __name__ == "__main__":
    main()
