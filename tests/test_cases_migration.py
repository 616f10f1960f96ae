"""0008_casework: old flags keep their provenance, old history reads as words, and it reverts."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from sqlalchemy import text

from helpline import create_app
from helpline.migrations.cli import alembic_config
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

CHANGE = (
    "INSERT INTO case_changes (case_id, at, actor, kind, detail) VALUES (1, "
    "'2026-11-03 11:00:00', 'handler@example.org', 'outcome', "
    "'categories=noise,harassment; referrals=-; community_trigger=True')"
)


def test_existing_flags_keep_their_provenance_and_history_is_put_in_words(
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
            connection.execute(text(CHANGE))
        command.upgrade(config, "0008_casework")
        with engine.connect() as connection:
            row = connection.execute(
                text("SELECT safety_set_at, safety_set_by FROM case_details")
            ).one()
        assert str(row[0]).startswith("2026-11-03 11:00") and row[1] == "handler@example.org"
        with engine.connect() as connection:
            detail = connection.execute(text("SELECT detail FROM case_changes")).scalar_one()
        assert detail == (
            "Categories: noise, harassment. Referrals: none. Community Trigger support: yes."
        )
        command.downgrade(config, "0006_merge")
        command.upgrade(config, "heads")
    app.extensions["helpline.db"].dispose()
