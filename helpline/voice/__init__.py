"""Twilio voice webhooks: thin views that parse, call the domain, and answer with TwiML."""

from helpline.voice import flow_views as flow_views  # registers the flow callback routes
from helpline.voice.views import bp

__all__ = ["bp"]
