"""Gunicorn settings for the web process (Procfile `web:`)."""

import os
import sys

bind = os.environ.get("GUNICORN_BIND", f"0.0.0.0:{os.environ.get('PORT', '8000')}")
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
threads = int(os.environ.get("GUNICORN_THREADS", "4"))
# Twilio waits 15 seconds for a webhook; never let a worker hang longer than that.
timeout = 15
graceful_timeout = 10
# What a stopping worker spends writing its journaled events to the database: the rest of the
# graceful period is for requests in flight. Whatever is left stays journaled for the next start.
drain_seconds = graceful_timeout / 2
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


def on_starting(server):
    """Refuse to start at all, with one line, if a worker could not start (config, flows)."""
    _build_app_or_exit()


def on_reload(server):
    """On HUP, check the new config before gunicorn replaces the workers with ones that fail."""
    from gunicorn.errors import HaltServer

    try:
        _build_app_or_exit()
    except SystemExit as stop:
        raise HaltServer(str(stop.code), 4) from None


def post_fork(server, worker):
    """Make a worker that cannot build the app exit as gunicorn's boot error, halting the master.

    A plain exit(1) makes gunicorn respawn the worker for ever while the master says "Listening";
    exit code 3 (WORKER_BOOT_ERROR) stops the whole service instead.
    """
    load_wsgi = worker.load_wsgi

    def load_or_halt():
        try:
            load_wsgi()
        except SystemExit as stop:
            if stop.code not in (None, 0):
                print(stop.code, file=sys.stderr, flush=True)
                sys.exit(3)
            raise

    worker.load_wsgi = load_or_halt


def post_worker_init(worker):
    """Start the worker's journal writer now: its first sweep replays what this machine holds."""
    from helpline import current

    current.writer(worker.wsgi).start()


def worker_exit(server, worker):
    """Write what the journal holds before the worker goes; what is left waits on disk."""
    from helpline import current

    app = getattr(worker, "wsgi", None)
    if app is not None:
        current.writer(app).stop(drain_seconds)


def _build_app_or_exit():
    """Build (and drop) the app once in the master, exactly as each worker will."""
    from helpline import create_app

    create_app()
