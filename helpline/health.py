"""Liveness and readiness probes."""

from __future__ import annotations

from flask import Blueprint, current_app
from sqlalchemy import text

from helpline.db import get_database

bp = Blueprint("health", __name__)


@bp.get("/healthz")
def healthz() -> tuple[dict[str, str], int]:
    """Say the process is up."""
    return {"status": "ok"}, 200


@bp.get("/readyz")
def readyz() -> tuple[dict[str, str], int]:
    """Say whether the database answers; 503 with the reason when it does not."""
    try:
        with get_database(current_app).transaction() as session:
            session.execute(text("SELECT 1"))
    except Exception as error:  # any failure means not ready
        return {"status": "unavailable", "reason": f"database: {type(error).__name__}"}, 503
    return {"status": "ready"}, 200
