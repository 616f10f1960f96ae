"""Helpers for the casework tests: read a case's page as the signed-in user sees it."""

from __future__ import annotations

from flask.testing import FlaskClient


def case_page(client: FlaskClient, reference: str) -> str:
    """Return the HTML of a case's page."""
    return client.get(f"/cases/{reference}").get_data(as_text=True)
