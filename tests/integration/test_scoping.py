"""Wall 1 (ORM scoping) and wall 2 (composite keys) on whichever database this pass runs on."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError

from coopsaas.core.counters import Counter, next_number
from coopsaas.core.db import TenantMissing, clear_tenant, get_scoped, set_tenant, tenant_scope
from coopsaas.ledger.models import Account
from tests.helpers import make_tenant


def _account(code: str, name: str = "Kas") -> Account:
    return Account(code=code, name=name, type="asset", normal_side="D", tags=["kas_bank"], weights={})


@pytest.fixture
def two_tenants(db_session):
    a, b = make_tenant("kop-a"), make_tenant("kop-b")
    db_session.commit()
    for t, code in ((a, "1101"), (b, "1101")):
        with tenant_scope(db_session, t.id):
            db_session.add(_account(code, f"Kas {t.slug}"))
    return a, b


def test_query_on_tenant_model_without_tenant_raises(db_session, two_tenants):
    with pytest.raises(TenantMissing):
        db_session.scalars(select(Account)).all()


def test_each_tenant_sees_only_its_own_rows(db_session, two_tenants):
    a, _b = two_tenants
    with tenant_scope(db_session, a.id):
        names = db_session.scalars(select(Account.name)).all()
        count = db_session.scalar(select(func.count()).select_from(Account))
    assert names == ["Kas kop-a"]
    assert count == 1


def test_bulk_update_touches_only_the_tenant_in_scope(db_session, two_tenants):
    a, b = two_tenants
    with tenant_scope(db_session, a.id):
        db_session.execute(update(Account).values(name="Kas besar"))
    with tenant_scope(db_session, b.id):
        assert db_session.scalars(select(Account.name)).all() == ["Kas kop-b"]


def test_get_scoped_returns_none_for_another_tenants_id(db_session, two_tenants):
    a, b = two_tenants
    with tenant_scope(db_session, b.id):
        b_id = db_session.scalars(select(Account.id)).one()
    with tenant_scope(db_session, a.id):
        assert get_scoped(db_session, Account, b_id) is None
        assert get_scoped(db_session, Account, "not-a-uuid") is None


def test_insert_without_tenant_raises(db_session, two_tenants):
    db_session.add(_account("1102"))
    with pytest.raises(TenantMissing):
        db_session.flush()
    db_session.rollback()


def test_insert_for_another_tenant_raises(db_session, two_tenants):
    a, b = two_tenants
    set_tenant(db_session, a.id)
    acc = _account("1102")
    acc.tenant_id = b.id
    db_session.add(acc)
    with pytest.raises(TenantMissing):
        db_session.flush()
    db_session.rollback()
    clear_tenant(db_session)


def test_switching_tenant_inside_a_session_raises(db_session, two_tenants):
    a, b = two_tenants
    set_tenant(db_session, a.id)
    with pytest.raises(TenantMissing):
        set_tenant(db_session, b.id)
    db_session.rollback()
    clear_tenant(db_session)


def test_composite_foreign_key_refuses_a_parent_of_another_tenant(db_session, two_tenants):
    a, b = two_tenants
    with tenant_scope(db_session, b.id):
        b_parent = db_session.scalars(select(Account.id)).one()
    set_tenant(db_session, a.id)
    child = _account("1199", "Sub kas")
    child.parent_id = b_parent  # exists, but in tenant B: (a.id, b_parent) matches no account
    db_session.add(child)
    with pytest.raises(IntegrityError):
        db_session.flush()
    db_session.rollback()
    clear_tenant(db_session)


def test_counters_are_per_tenant_and_gapless(db_session, two_tenants):
    a, b = two_tenants
    with tenant_scope(db_session, a.id):
        got_a = [next_number("voucher.JU") for _ in range(3)]
    with tenant_scope(db_session, b.id):
        got_b = [next_number("voucher.JU")]
        stored = db_session.scalars(select(Counter.value)).one()
    assert got_a == [1, 2, 3]
    assert got_b == [1]
    assert stored == 1
