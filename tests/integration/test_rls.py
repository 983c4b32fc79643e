"""Wall 3: row-level security seen through raw SQL, which skips the ORM filter entirely."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.exc import DBAPIError

from coopsaas.core.ids import uuid7

pytestmark = pytest.mark.postgres


def _set(conn, tenant=None, agency=None):
    conn.execute(
        text("SELECT set_config('app.tenant_id', :t, true), set_config('app.agency_id', :a, true)"),
        {"t": str(tenant or ""), "a": str(agency or "")},
    )


def _seed(conn, slug):
    tid = uuid7()
    conn.execute(
        text(
            "INSERT INTO tenant (id, slug, name, legal_form, timezone, chart_template, settings, "
            "is_active, created_at, updated_at) VALUES (:id, :slug, :slug, 'ksp', 'Asia/Jakarta', "
            "'ksp', '{}', true, now(), now())"
        ),
        {"id": tid, "slug": slug},
    )
    _set(conn, tid)
    conn.execute(
        text(
            "INSERT INTO account (tenant_id, id, code, name, type, normal_side, is_contra, tags, "
            "weights, is_active) VALUES (:t, :id, '1101', :name, 'asset', 'D', false, '[]', '{}', true)"
        ),
        {"t": tid, "id": uuid7(), "name": f"Kas {slug}"},
    )
    return tid


def test_app_role_sees_no_rows_of_another_tenant_and_cannot_insert_for_it(db_session):
    conn = db_session.connection()
    assert conn.execute(text("SELECT current_user")).scalar() == "coopsaas_app"
    a = _seed(conn, "rls-a")
    b = _seed(conn, "rls-b")
    _set(conn, a)
    names = conn.execute(text("SELECT name FROM account")).scalars().all()
    assert names == ["Kas rls-a"]
    assert conn.execute(text("SELECT count(*) FROM account WHERE tenant_id = :b"), {"b": b}).scalar() == 0
    nested = conn.begin_nested()
    with pytest.raises(DBAPIError, match="row-level security"):
        conn.execute(
            text(
                "INSERT INTO account (tenant_id, id, code, name, type, normal_side, is_contra, tags, "
                "weights, is_active) VALUES (:t, :id, '1102', 'Bank', 'asset', 'D', false, '[]', '{}', "
                "true)"
            ),
            {"t": b, "id": uuid7()},
        )
    nested.rollback()
    _set(conn, a)
    updated = conn.execute(text("UPDATE account SET name = 'x' WHERE tenant_id = :b"), {"b": b}).rowcount
    assert updated == 0


def test_no_tenant_set_means_no_rows(db_session):
    conn = db_session.connection()
    _seed(conn, "rls-c")
    _set(conn, None)
    assert conn.execute(text("SELECT count(*) FROM account")).scalar() == 0


def test_agency_role_reads_only_linked_tenants_and_cannot_write(app, app_config):
    """Needs committed rows (another role, another connection): made here and removed after."""
    from coopsaas.extensions import db

    agency_url = app_config["SQLALCHEMY_BINDS"]["agency"]
    slug = f"rls-{uuid.uuid4().hex[:8]}"
    with app.app_context():
        with db.engine.begin() as conn:
            linked = _seed(conn, slug + "-l")
            other = _seed(conn, slug + "-o")
            agency = uuid7()
            _set(conn, None)
            conn.execute(
                text(
                    "INSERT INTO agency (id, slug, name, settings, created_at) VALUES "
                    "(:id, :s, 'Dinas', '{}', now())"
                ),
                {"id": agency, "s": slug},
            )
            conn.execute(
                text(
                    "INSERT INTO agency_link (id, agency_id, tenant_id, created_at) VALUES "
                    "(:id, :a, :t, now())"
                ),
                {"id": uuid7(), "a": agency, "t": linked},
            )
        engine = create_engine(agency_url)
        try:
            with engine.connect() as conn:
                _set(conn, None, agency)
                assert conn.execute(text("SELECT current_user")).scalar() == "coopsaas_agency"
                seen = set(conn.execute(text("SELECT tenant_id FROM account")).scalars())
                assert seen == {linked}
                with pytest.raises(DBAPIError, match="permission denied"):
                    conn.execute(text("UPDATE account SET name = 'x'"))
                conn.rollback()
                _set(conn, None, None)
                assert conn.execute(text("SELECT count(*) FROM account")).scalar() == 0
                with pytest.raises(DBAPIError, match="permission denied"):
                    conn.execute(text("SELECT password_hash FROM user_account"))
                conn.rollback()
        finally:
            engine.dispose()
            with db.engine.begin() as conn:
                for t in (linked, other):
                    _set(conn, t)
                    conn.execute(text("DELETE FROM account WHERE tenant_id = :t"), {"t": t})
                _set(conn, None)
                conn.execute(text("DELETE FROM agency_link WHERE agency_id = :a"), {"a": agency})
                conn.execute(text("DELETE FROM agency WHERE id = :a"), {"a": agency})
                conn.execute(text("DELETE FROM tenant WHERE id IN (:l, :o)"), {"l": linked, "o": other})
