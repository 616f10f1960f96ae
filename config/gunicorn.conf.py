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

# In production gunicorn's own lines (worker starts, timeouts, access) are JSON too, redacted,
# like the service's; the app adds its own handler to the root logger, so root gets none here.
if os.environ.get("HELPLINE_ENV", "production").strip().lower() == "production":
    logconfig_dict = {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"helpline_json": {"()": "helpline.logs.JsonFormatter"}},
        "filters": {"helpline_redact": {"()": "helpline.logs.RedactPhoneNumbers"}},
        "handlers": {
            "helpline_stderr": {
                "class": "logging.StreamHandler",
                "formatter": "helpline_json",
                "filters": ["helpline_redact"],
                "stream": "ext://sys.stderr",
            }
        },
        "root": {"level": "INFO", "handlers": []},
        "loggers": {
            name: {"level": "INFO", "handlers": ["helpline_stderr"], "propagate": False}
            for name in ("gunicorn.error", "gunicorn.access")
        },
    }
