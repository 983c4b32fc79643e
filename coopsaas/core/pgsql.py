"""PostgreSQL roles, grants, row-level security and append-only triggers, for migrations and
the `db-roles` command. Everything here is a no-op on SQLite unless it says otherwise.

Roles (DEPENDENCIES.md section 1): coopsaas_owner owns the schema and runs migrations;
coopsaas_app serves web, workers and tests (no superuser, no BYPASSRLS, owns nothing);
coopsaas_agency reads linked tenants only.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import text

OWNER, APP, AGENCY = "coopsaas_owner", "coopsaas_app", "coopsaas_agency"
TENANT_EXPR = "NULLIF(current_setting('app.tenant_id', true), '')::uuid"
AGENCY_EXPR = "NULLIF(current_setting('app.agency_id', true), '')::uuid"
# Global tables the agency role must not read (credentials).
AGENCY_HIDDEN = ("user_account", "api_token")


def _is_pg(bind: Any) -> bool:
    return bind.dialect.name == "postgresql"


def role_exists(bind: Any, role: str) -> bool:
    return bool(bind.execute(text("SELECT 1 FROM pg_roles WHERE rolname = :r"), {"r": role}).scalar())


def grant_app_roles(op: Any) -> None:
    """Give the app and agency roles their privileges on every table (run at the end of each
    migration, so tables made by any owner are covered)."""
    bind = op.get_bind()
    if not _is_pg(bind):
        return
    if role_exists(bind, APP):
        op.execute(f"GRANT USAGE ON SCHEMA public TO {APP}")
        op.execute(f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {APP}")
        op.execute(f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {APP}")
    if role_exists(bind, AGENCY):
        op.execute(f"GRANT USAGE ON SCHEMA public TO {AGENCY}")
        op.execute(f"GRANT SELECT ON ALL TABLES IN SCHEMA public TO {AGENCY}")
        for t in AGENCY_HIDDEN:
            op.execute(f"REVOKE ALL ON {t} FROM {AGENCY}")


def enable_tenant_rls(op: Any, table: str) -> None:
    """Wall 3 for one tenant-owned table: RLS enabled and forced, tenant and agency policies."""
    bind = op.get_bind()
    if not _is_pg(bind):
        return
    op.execute(f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY")
    op.execute(f"ALTER TABLE {table} FORCE ROW LEVEL SECURITY")
    op.execute(
        f"CREATE POLICY tenant_isolation ON {table} USING (tenant_id = {TENANT_EXPR}) "
        f"WITH CHECK (tenant_id = {TENANT_EXPR})"
    )
    op.execute(
        f"CREATE POLICY agency_read ON {table} FOR SELECT USING (tenant_id IN "
        f"(SELECT tenant_id FROM agency_link WHERE agency_id = {AGENCY_EXPR}))"
    )


def disable_tenant_rls(op: Any, table: str) -> None:
    bind = op.get_bind()
    if not _is_pg(bind):
        return
    op.execute(f"DROP POLICY IF EXISTS agency_read ON {table}")
    op.execute(f"DROP POLICY IF EXISTS tenant_isolation ON {table}")
    op.execute(f"ALTER TABLE {table} NO FORCE ROW LEVEL SECURITY")
    op.execute(f"ALTER TABLE {table} DISABLE ROW LEVEL SECURITY")


def append_only(op: Any, table: str) -> None:
    """Refuse UPDATE and DELETE on `table` in the database itself (both dialects)."""
    bind = op.get_bind()
    if _is_pg(bind):
        op.execute(
            "CREATE OR REPLACE FUNCTION coopsaas_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$ "
            "BEGIN RAISE EXCEPTION '% rows are append-only (% refused)', TG_TABLE_NAME, TG_OP "
            "USING ERRCODE = 'restrict_violation'; END $$"
        )
        op.execute(
            f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
            f"FOR EACH ROW EXECUTE FUNCTION coopsaas_refuse_change()"
        )
    else:
        for verb in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER {table}_no_{verb.lower()} BEFORE {verb} ON {table} "
                f"BEGIN SELECT RAISE(ABORT, '{table} rows are append-only ({verb} refused)'); END"
            )


def drop_append_only(op: Any, table: str) -> None:
    bind = op.get_bind()
    if _is_pg(bind):
        op.execute(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}")
    else:
        for verb in ("update", "delete"):
            op.execute(f"DROP TRIGGER IF EXISTS {table}_no_{verb}")


def create_roles_sql(database: str, passwords: dict[str, str | None]) -> list[str]:
    """Statements a superuser runs once per database (`flask --app wsgi db-roles init`)."""
    out = []
    for role, extra in ((OWNER, ""), (APP, " NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE"),
                        (AGENCY, " NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE")):
        pw = passwords.get(role)
        pw_sql = f" PASSWORD '{pw.replace(chr(39), chr(39) * 2)}'" if pw else ""
        out.append(
            f"DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '{role}') THEN "
            f"CREATE ROLE {role} LOGIN{extra}; END IF; END $$"
        )
        if pw_sql:
            out.append(f"ALTER ROLE {role}{pw_sql}")
    return out


def self_check(connection: Any) -> list[str]:
    """Problems with the role the app connects as: it must not bypass RLS or own tables."""
    if not _is_pg(connection):
        return []
    row = connection.execute(text(
        "SELECT rolname, rolsuper, rolbypassrls FROM pg_roles WHERE rolname = current_user"
    )).one()
    problems = []
    if row.rolsuper:
        problems.append(f"database role {row.rolname} is a superuser: row-level security would not apply")
    if row.rolbypassrls:
        problems.append(f"database role {row.rolname} has BYPASSRLS")
    owned = connection.execute(text(
        "SELECT count(*) FROM pg_tables WHERE schemaname = 'public' AND tableowner = current_user"
    )).scalar()
    if owned:
        problems.append(f"database role {row.rolname} owns {owned} tables: connect as coopsaas_app")
    return problems
