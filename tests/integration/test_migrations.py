"""Migrations are the only schema path: one head, upgrade from empty, down to base and up again,
and no drift between the models and the migrated schema."""

from __future__ import annotations

import os
import uuid
from pathlib import Path

import pytest
from alembic import command
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, inspect, text

from tests.conftest import PG_ADMIN_URL, ROOT, TEST_DB, pg_url

MIGRATIONS = str(ROOT / "migrations")


def _alembic_config(app):
    with app.app_context():
        return app.extensions["migrate"].migrate.get_config(MIGRATIONS)


def test_there_is_exactly_one_head(app):
    with app.app_context():
        heads = ScriptDirectory.from_config(_alembic_config(app)).get_heads()
    assert len(heads) == 1, heads


@pytest.fixture
def fresh_app(tmp_path: Path):
    """An app on a brand-new, empty database (SQLite file or a new PostgreSQL database)."""
    from coopsaas.app import create_app

    cfg = {"TESTING": True, "SECRET_KEY": "x", "PASSWORD_METHOD": "pbkdf2:sha256:1000"}
    dbname = None
    if TEST_DB == "postgres":
        from click.testing import CliRunner

        from coopsaas.cli import init_roles

        dbname = f"coopsaas_mig_{uuid.uuid4().hex[:8]}"
        res = CliRunner().invoke(init_roles, ["--admin-url", PG_ADMIN_URL, "--database", dbname])
        assert res.exit_code == 0, res.output
        cfg["SQLALCHEMY_DATABASE_URI"] = pg_url("coopsaas_app", dbname)
        os.environ["COOPSAAS_MIGRATE_DATABASE_URL"] = pg_url("coopsaas_owner", dbname)
    else:
        cfg["SQLALCHEMY_DATABASE_URI"] = f"sqlite:///{tmp_path / 'fresh.db'}"
    app = create_app(cfg)
    yield app
    os.environ.pop("COOPSAAS_MIGRATE_DATABASE_URL", None)
    from coopsaas.extensions import db

    with app.app_context():
        for engine in db.engines.values():
            engine.dispose()
    if dbname:
        admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{dbname}" WITH (FORCE)'))
        admin.dispose()


def _tables(app):
    from coopsaas.extensions import db

    with app.app_context():
        return set(inspect(db.engine).get_table_names()) - {"alembic_version"}


def test_upgrade_from_empty_downgrade_to_base_and_upgrade_again(fresh_app):
    from coopsaas.extensions import db

    cfg = _alembic_config(fresh_app)
    with fresh_app.app_context():
        command.upgrade(cfg, "head")
        expected = set(db.metadata.tables)
        assert _tables(fresh_app) == expected
        command.check(cfg)  # models and migrated schema agree (raises on drift)
        command.downgrade(cfg, "base")
        assert _tables(fresh_app) == set()
        command.upgrade(cfg, "head")
        assert _tables(fresh_app) == expected
