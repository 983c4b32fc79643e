"""Demo savings activity: a year of postings through the real services, ledger and sub-ledger agree,
the same every time, and a second load adds nothing. One cooperative, a dozen members, to stay fast."""

from __future__ import annotations

import shutil

import pytest
from sqlalchemy import func, select

from coopsaas.auth import services as auth
from coopsaas.core.clock import frozen
from coopsaas.core.db import clear_tenant, set_tenant
from coopsaas.demo import loader, savings_activity
from coopsaas.extensions import db
from coopsaas.ledger import verify_ledger
from coopsaas.ledger.models import JournalEntry
from coopsaas.members.models import Member
from coopsaas.members.nik import validate_nik
from coopsaas.savings import services as savings
from coopsaas.savings.models import SavingsTransaction
from coopsaas.tenancy.models import Tenant
from tests.helpers import make_tenant
from tests.savings_services.builders import NOW, TODAY, make_chart
from tests.savings_services.builders import SETTINGS as SAVINGS_SETTINGS

ROOT = loader.Path(__file__).resolve().parents[2] / "tenants"
SLUG = "ksp-sejahtera"


@pytest.fixture
def scratch(app, db_session, tmp_path):
    """A tenants directory with one pilot cooperative and its agency, loaded as `demo load` does."""
    shutil.copy(ROOT / f"{SLUG}.toml", tmp_path / f"{SLUG}.toml")
    shutil.copytree(ROOT / "templates", tmp_path / "templates")
    shutil.copytree(ROOT / "agencies", tmp_path / "agencies")
    with frozen(NOW):
        report = loader.load_demo(db_session, tmp_path, environment="test")
        db_session.commit()
        yield [login for login in report.logins if login.role == "member"]


def in_tenant(fn):
    tenant = db.session.scalars(select(Tenant).where(Tenant.slug == SLUG)).one()
    db.session.rollback()
    set_tenant(db.session, tenant.id)
    try:
        return fn(tenant)
    finally:
        db.session.rollback()
        clear_tenant(db.session)


def totals(tenant):
    return (
        db.session.scalar(select(func.count()).select_from(Member)),
        db.session.scalar(select(func.count()).select_from(SavingsTransaction)),
        db.session.scalar(select(func.count()).select_from(JournalEntry)),
        savings.balances_by_kind(),
    )


def test_a_year_of_activity_agrees_with_the_ledger_and_loads_once(scratch):
    with frozen(NOW):
        first = savings_activity.load_all(db.session, scratch, members_count=12)
        after_first = in_tenant(totals)
        findings = in_tenant(verify_ledger)
        second = savings_activity.load_all(db.session, scratch, members_count=12)
        after_second = in_tenant(totals)

    assert (first[0].members, first[0].skipped) == (12, False)
    assert after_first[0] == 12
    assert after_first[1] == first[0].transactions > 12 * 6  # admissions, monthly wajib, sukarela
    assert after_first[2] == after_first[1]  # one journal entry per savings transaction
    assert set(after_first[3]) == {"pokok", "wajib", "sukarela"}
    assert findings == []  # balanced entries and every savings kind equal to its control account
    assert second[0].skipped
    assert after_second == after_first


def test_demo_members_have_valid_niks_and_the_demo_login_is_linked(scratch):
    with frozen(NOW):
        savings_activity.load_all(db.session, scratch, members_count=12)

        def check(tenant):
            rows = db.session.scalars(select(Member).order_by(Member.member_no)).all()
            for m in rows:
                assert validate_nik(m.nik, birth_date=m.birth_date, sex=m.sex, today=TODAY) == m.nik
            user = auth.find_user(f"anggota.{SLUG}")
            linked = db.session.scalars(select(Member).where(Member.user_id == user.id)).one()
            assert linked.member_no == "A-000001"
            assert sum(a.balance for a in savings.accounts_of(linked)) > 0
            return [(m.nik, m.name, m.joined_on) for m in rows]

        people = in_tenant(check)
    assert len({nik for nik, _name, _day in people}) == 12
    assert min(day for _nik, _name, day in people) == TODAY.replace(year=TODAY.year - 1, day=1)


def test_activity_is_deterministic(db_session):
    """The same cooperative on the same day gets the same members and postings."""

    def run(slug):
        tenant = make_tenant(slug)
        tenant.settings = dict(SAVINGS_SETTINGS)
        db.session.commit()
        set_tenant(db.session, tenant.id)
        make_chart()
        savings_activity.load_activity(tenant, members_count=6, seed="ksp-acak")
        members = [
            (m.name, m.nik, m.joined_on)
            for m in db.session.scalars(select(Member).order_by(Member.member_no))
        ]
        money = savings.balances_by_kind()
        db.session.rollback()
        clear_tenant(db.session)
        return members, money

    with frozen(NOW):
        first = run("ksp-acak-1")
        again = run("ksp-acak-2")
    assert first == again
    assert len(first[0]) == 6
