"""Operator commands that belong to no one feature: database roles."""

from __future__ import annotations

import os

import click
from flask import Flask
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from coopsaas.core import pgsql


def init_app(app: Flask) -> None:
    app.cli.add_command(db_roles)


@click.group("db-roles", help="PostgreSQL roles for the three tenancy walls.")
def db_roles() -> None:
    pass


@db_roles.command("init")
@click.option("--admin-url", envvar="COOPSAAS_ADMIN_DATABASE_URL", required=True,
              help="A superuser URL, e.g. postgresql+psycopg://postgres@127.0.0.1/postgres")
@click.option("--database", required=True, help="Database to create (if missing) and own as coopsaas_owner")
def init_roles(admin_url: str, database: str) -> None:
    """Create coopsaas_owner, coopsaas_app and coopsaas_agency, and the database owned by the owner.

    Passwords come from COOPSAAS_OWNER_DB_PASSWORD, COOPSAAS_APP_DB_PASSWORD and
    COOPSAAS_AGENCY_DB_PASSWORD when set (trust/peer authentication needs none).
    """
    url = make_url(admin_url)
    if url.get_backend_name() != "postgresql":
        raise click.ClickException("db-roles works on PostgreSQL only")
    passwords = {
        pgsql.OWNER: os.environ.get("COOPSAAS_OWNER_DB_PASSWORD"),
        pgsql.APP: os.environ.get("COOPSAAS_APP_DB_PASSWORD"),
        pgsql.AGENCY: os.environ.get("COOPSAAS_AGENCY_DB_PASSWORD"),
    }
    if not database.replace("_", "").isalnum():
        raise click.ClickException("database name: letters, digits and underscores only")
    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        for stmt in pgsql.create_roles_sql(database, passwords):
            conn.execute(text(stmt))
        exists = conn.execute(text("SELECT 1 FROM pg_database WHERE datname = :d"), {"d": database}).scalar()
        if not exists:
            conn.execute(text(f'CREATE DATABASE "{database}" OWNER {pgsql.OWNER}'))
        conn.execute(text(f'GRANT CONNECT ON DATABASE "{database}" TO {pgsql.APP}, {pgsql.AGENCY}'))
    engine.dispose()
    db_engine = create_engine(url.set(database=database), isolation_level="AUTOCOMMIT")
    with db_engine.connect() as conn:
        conn.execute(text(f"ALTER SCHEMA public OWNER TO {pgsql.OWNER}"))
        conn.execute(text(f"GRANT USAGE ON SCHEMA public TO {pgsql.APP}, {pgsql.AGENCY}"))
    db_engine.dispose()
    click.echo(f"roles ready; database {database} owned by {pgsql.OWNER}")
