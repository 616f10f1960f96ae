"""Benchmark (not a test): time the flow interpreter and the incoming/gather webhooks.

Run: .venv/bin/python bench/flows_webhooks.py [N]
"""

from __future__ import annotations

import statistics
import sys
import time
from datetime import datetime
from zoneinfo import ZoneInfo

from twilio.request_validator import RequestValidator

from helpline import create_app
from helpline.flows.cli import simulation_app
from helpline.flows.interpreter import CallContext, start
from helpline.phones import Caller
from helpline.routing import decide

AT = datetime(2026, 11, 24, 10, 0, tzinfo=ZoneInfo("Europe/London"))


def percentiles(samples: list[float]) -> str:
    """Return p50/p95/max in milliseconds."""
    ordered = sorted(samples)
    p95 = ordered[int(len(ordered) * 0.95) - 1]
    return f"p50 {statistics.median(ordered) * 1000:.2f} ms, p95 {p95 * 1000:.2f} ms, " \
        f"max {ordered[-1] * 1000:.2f} ms"  # fmt: skip


def main(count: int) -> None:
    """Time the pure interpreter, then signed webhooks through the whole app."""
    with simulation_app(create_app) as (app, token):
        flows, prompts = app.extensions["helpline.flows"], app.extensions["helpline.prompts"]
        calendar = app.extensions["helpline.settings"].calendar
        context = CallContext(decide(AT, calendar), Caller("+447911123456"), AT, calendar,
                              url=lambda f, s, h, q: f"https://x/{f}/{s}/{h}")  # fmt: skip
        pure = []
        for _ in range(count):
            began = time.perf_counter()
            str(start(flows, prompts, context).response)
            pure.append(time.perf_counter() - began)
        print(f"interpreter, first reply in hours: {percentiles(pure)}")
        app.extensions["helpline.clock"] = lambda: AT
        client, validator = app.test_client(), RequestValidator(token)
        webhook = []
        for index in range(count):
            params = {"CallSid": f"CA{index:032d}", "From": "+447911123456", "To": "+441785000000"}
            signature = validator.compute_signature("http://localhost/voice/incoming", params)
            began = time.perf_counter()
            client.post("/voice/incoming", data=params, headers={"X-Twilio-Signature": signature})
            webhook.append(time.perf_counter() - began)
        app.extensions["helpline.writer"].drain()
        print(f"/voice/incoming webhook (signed, SQLite writer behind): {percentiles(webhook)}")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 500)
