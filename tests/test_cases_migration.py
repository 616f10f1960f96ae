"""0008_casework: flags already set keep their provenance, and the migration reverts cleanly."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from sqlalchemy import text

from helpline import create_app
from helpline.cli import alembic_config
from tests.conftest import environment

CASE = (
    "INSERT INTO cases (id, reference, caller_number, withheld, status, opened_at, legal_hold) "
    "VALUES (1, 'HAR-2026-00001', '+447911123456', 0, 'closed', '2026-11-02 10:00:00', 0)"
)
DETAIL = (
    "INSERT INTO case_details (case_id, categories, referrals, community_trigger, "
    "safe_to_call_back, updated_at, updated_by) "
    "VALUES (1, '[]', '[]', 0, 0, '2026-11-03 11:00:00', 'handler@example.org')"
)


def test_existing_flags_take_their_provenance_from_the_last_update(
    backend: str, tmp_path: Path
) -> None:
    if backend != "sqlite":  # the shared PostgreSQL database stays at head for other tests
        return
    app = create_app(
        environment(f"sqlite:///{tmp_path / 'm.sqlite3'}"), instance_path=str(tmp_path)
    )
    engine = app.extensions["helpline.db"].engine
    with app.app_context():
        config = alembic_config()
        command.upgrade(config, "0006_merge")
        with engine.begin() as connection:
            connection.execute(text(CASE))
            connection.execute(text(DETAIL))
        command.upgrade(config, "0008_casework")
        with engine.connect() as connection:
            row = connection.execute(
                text("SELECT safety_set_at, safety_set_by FROM case_details")
            ).one()
        assert str(row[0]).startswith("2026-11-03 11:00") and row[1] == "handler@example.org"
        command.downgrade(config, "0006_merge")
        command.upgrade(config, "heads")
    app.extensions["helpline.db"].dispose()
