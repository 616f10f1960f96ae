"""Chaos suite: real gunicorn processes killed, restarted, reloaded and cut off mid-traffic.

Marked `chaos` (runs by default; `pytest -m "not chaos"` leaves it out). Each test starts
gunicorn exactly as the Procfile does, with a production environment, its own journal
(HELPLINE_JOURNAL) and its own control socket (GUNICORN_CMD_ARGS), drives calls with
tests/twilio_driver.py, strikes at a busy moment, stops gunicorn, runs `helpline calls replay`
and judges only through `helpline calls export --format json`.
"""
