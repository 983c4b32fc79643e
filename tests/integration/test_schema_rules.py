"""Wall 2 and Citus shape: every tenant-owned table keys on (tenant_id, id), every foreign key into a
tenant-owned table carries tenant_id, every unique constraint starts with tenant_id; on PostgreSQL
every tenant-owned table has row-level security enabled, forced and both policies."""

from __future__ import annotations

import pytest
from sqlalchemy import Index, UniqueConstraint, text

from coopsaas.extensions import db

# Read before a tenant is known (login, slug, token lookup) or shared by all: Citus reference tables.
GLOBAL_TABLES = {
    "tenant",
    "agency",
    "agency_link",
    "membership",
    "agency_membership",
    "user_account",
    "api_token",
    "platform_event",
    "alembic_version",
    # The supply network's agency-level tables (directory, hubs, links, order register).
    "network_partner",
    "network_hub",
    "network_link",
    "network_order",
}


def tenant_tables(app):
    with app.app_context():
        return [t for name, t in sorted(db.metadata.tables.items()) if name not in GLOBAL_TABLES]


def test_every_table_is_either_global_or_tenant_owned(app):
    with app.app_context():
        for name, table in db.metadata.tables.items():
            if name in GLOBAL_TABLES:
                continue
            assert "tenant_id" in table.c, f"{name}: not a known global table and has no tenant_id"


def test_tenant_tables_have_tenant_id_first_in_the_primary_key(app):
    for table in tenant_tables(app):
        assert [c.name for c in table.primary_key.columns] == ["tenant_id", "id"], table.name
        assert not table.c.tenant_id.nullable, table.name


def test_foreign_keys_into_tenant_tables_carry_tenant_id(app):
    for table in tenant_tables(app) + [
        db.metadata.tables[n] for n in GLOBAL_TABLES if n in db.metadata.tables
    ]:
        for fk in table.foreign_key_constraints:
            referred = fk.referred_table.name
            if referred in GLOBAL_TABLES:
                continue
            assert table.name not in GLOBAL_TABLES, f"global {table.name} points into tenant table {referred}"
            pairs = {(e.parent.name, e.column.name) for e in fk.elements}
            assert ("tenant_id", "tenant_id") in pairs, f"{table.name} -> {referred} lacks tenant_id"


def test_unique_constraints_and_indexes_start_with_tenant_id(app):
    for table in tenant_tables(app):
        for cons in table.constraints:
            if isinstance(cons, UniqueConstraint):
                assert next(iter(cons.columns)).name == "tenant_id", f"{table.name}: {cons.name}"
        for idx in table.indexes:
            if isinstance(idx, Index) and idx.unique:
                assert next(iter(idx.columns)).name == "tenant_id", f"{table.name}: {idx.name}"
        for col in table.columns:
            assert not (col.unique and col.name != "tenant_id"), f"{table.name}.{col.name} unique alone"


@pytest.mark.postgres
def test_row_level_security_is_enabled_forced_and_has_both_policies(app, db_session):
    conn = db_session.connection()
    for table in tenant_tables(app):
        row = conn.execute(
            text("SELECT relrowsecurity, relforcerowsecurity FROM pg_class WHERE relname = :t"),
            {"t": table.name},
        ).one()
        assert row.relrowsecurity and row.relforcerowsecurity, f"{table.name}: RLS not enabled and forced"
        policies = set(
            conn.execute(
                text("SELECT policyname FROM pg_policies WHERE tablename = :t"), {"t": table.name}
            ).scalars()
        )
        assert {"tenant_isolation", "agency_read"} <= policies, f"{table.name}: policies {policies}"


@pytest.mark.postgres
def test_app_role_is_not_superuser_and_owns_nothing(app, db_session):
    from coopsaas.core.pgsql import self_check

    assert self_check(db_session.connection()) == []
