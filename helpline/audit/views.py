"""The audit log page, for administrators only."""

from __future__ import annotations

from flask import Blueprint, render_template, request
from sqlalchemy import select

from helpline.auth import role_required
from helpline.db import get_database
from helpline.models import AuditEntry

bp = Blueprint("audit", __name__, url_prefix="/admin/audit")
LIMIT = 500


@bp.get("/")
@role_required("admin")
def index() -> str:
    """Show the newest audit entries, filtered by who, what or which record."""
    query = select(AuditEntry)
    filters = {
        name: request.args.get(name, "").strip()[:200] for name in ("actor", "action", "target")
    }
    if filters["actor"]:
        query = query.where(AuditEntry.actor == filters["actor"].lower())
    if filters["action"]:
        query = query.where(AuditEntry.action == filters["action"])
    if filters["target"]:
        query = query.where(AuditEntry.target == filters["target"])
    with get_database().transaction() as session:
        entries = list(
            session.scalars(query.order_by(AuditEntry.at.desc(), AuditEntry.id.desc()).limit(LIMIT))
        )
    return render_template("audit/index.html", entries=entries, filters=filters, limit=LIMIT)
