"""The JSON API under /api/v1, authenticated by per-user bearer tokens."""

from helpline.api.views import bp

__all__ = ["bp"]
