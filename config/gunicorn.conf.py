"""Gunicorn settings for the web process (Procfile `web:`)."""

import os

bind = os.environ.get("GUNICORN_BIND", f"0.0.0.0:{os.environ.get('PORT', '8000')}")
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
threads = int(os.environ.get("GUNICORN_THREADS", "4"))
# Twilio waits 15 seconds for a webhook; never let a worker hang longer than that.
timeout = 15
graceful_timeout = 10
keepalive = 5
accesslog = "-"
# The request line without its query string: query strings can carry personal data.
access_log_format = '%(h)s "%(m)s %(U)s %(H)s" %(s)s %(b)s %(L)ss'
