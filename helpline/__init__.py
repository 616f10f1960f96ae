"""The Harmony ASB and Mediation Service helpline: Twilio webhooks, routing and case logs."""

from helpline.app import create_app

__all__ = ["create_app"]
