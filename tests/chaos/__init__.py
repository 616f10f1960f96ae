"""Chaos suite: real gunicorn processes killed, restarted, reloaded and cut off mid-traffic."""
