"""Alembic environment. Migrations run as the schema owner: COOPSAAS_MIGRATE_DATABASE_URL when
set (PostgreSQL: the coopsaas_owner role), else the app's own database URL (SQLite)."""

import logging
import os
from logging.config import fileConfig

from alembic import context
from flask import current_app
from sqlalchemy import create_engine, pool

config = context.config
if config.config_file_name and not logging.getLogger().handlers:
    fileConfig(config.config_file_name)

db = current_app.extensions["migrate"].db
target_metadata = db.metadata


def _url() -> str:
    return os.environ.get("COOPSAAS_MIGRATE_DATABASE_URL") or str(db.engine.url.render_as_string(hide_password=False))


def run_migrations_offline() -> None:
    context.configure(url=_url(), target_metadata=target_metadata, literal_binds=True, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    if os.environ.get("COOPSAAS_MIGRATE_DATABASE_URL"):
        engine = create_engine(os.environ["COOPSAAS_MIGRATE_DATABASE_URL"], poolclass=pool.NullPool)
    else:
        engine = db.engine
    conf_args = dict(current_app.extensions["migrate"].configure_args)
    conf_args.setdefault("render_as_batch", True)
    conf_args.setdefault("compare_type", True)
    with engine.connect() as connection:
        sqlite = connection.dialect.name == "sqlite"
        if sqlite:
            # Batch table rebuilds must not trip foreign keys half-way (the pragma only works
            # outside a transaction); the whole database is checked again at the end.
            connection.connection.dbapi_connection.execute("PRAGMA foreign_keys=OFF")
        context.configure(connection=connection, target_metadata=target_metadata, **conf_args)
        with context.begin_transaction():
            context.run_migrations()
        if sqlite:
            raw = connection.connection.dbapi_connection
            bad = raw.execute("PRAGMA foreign_key_check").fetchall()
            raw.execute("PRAGMA foreign_keys=ON")
            if bad:
                raise RuntimeError(f"foreign key check failed after migration: {bad[:5]}")


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
