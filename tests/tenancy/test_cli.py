"""`flask tenants ...` and `flask demo load`: exit codes, messages and what they leave behind."""

from __future__ import annotations

from sqlalchemy import func, select

from coopsaas.auth import services as auth
from coopsaas.auth.models import User
from coopsaas.core.db import tenant_scope
from coopsaas.ledger.models import Account
from coopsaas.tenancy.models import Agency, AgencyMembership, Membership, Tenant
from tests.tenancy.conftest import AGENCY, DEMO_SLUGS, edit, line_with


def _run(app, *args):
    return app.test_cli_runner().invoke(args=list(args))


def _tenant_count(session) -> int:
    return session.scalar(select(func.count()).select_from(Tenant))


def test_sync_command_reports_counts_then_nothing_to_change(app, db_session, tenants_dir):
    first = _run(app, "tenants", "sync", "--dir", str(tenants_dir))
    second = _run(app, "tenants", "sync", "--dir", str(tenants_dir))

    assert first.exit_code == 0, first.output
    assert "tenants: 9 created, 0 updated, 0 unchanged" in first.output
    assert "accounts: 377 created, 0 updated, 0 unchanged" in first.output
    assert second.exit_code == 0, second.output
    assert "tenants: 0 created, 0 updated, 9 unchanged" in second.output
    assert "nothing to change" in second.output


def test_sync_command_exits_non_zero_naming_file_line_and_field(app, db_session, tenants_dir):
    path = tenants_dir / "ksp-sejahtera.toml"
    edit(path, "dana_pdk = 2.5", "dana_pdk = 7.5")
    other = tenants_dir / "ksp-artha-mandiri.toml"
    edit(other, 'city = "Kota Sukamakmur"', 'city = "Kota Sukamakmur"\ntimezone = "Asia/Singapore"')

    result = _run(app, "tenants", "sync", "--dir", str(tenants_dir))

    assert result.exit_code == 1
    assert "nothing was changed" in result.output
    assert f"tenants/ksp-sejahtera.toml:{line_with(path, '[shu]')}: shu: the percentages add up to 105" \
        in result.output
    line = line_with(other, "timezone")
    assert (f"tenants/ksp-artha-mandiri.toml:{line}: timezone: 'Asia/Singapore' is not "
            "one of: Asia/Jakarta, Asia/Makassar, Asia/Jayapura") in result.output
    assert _tenant_count(db_session) == 0


def test_list_command_shows_synced_tenants_with_their_agency(app, db_session, tenants_dir):
    assert "no tenants yet" in _run(app, "tenants", "list").output
    _run(app, "tenants", "sync", "--dir", str(tenants_dir))

    result = _run(app, "tenants", "list")

    assert result.exit_code == 0
    lines = result.output.splitlines()
    assert len(lines) == 9
    assert lines[-1].split()[:3] == ["ksp-sejahtera", "ksp", AGENCY]


def test_new_command_scaffolds_a_file_that_syncs(app, db_session, tenants_dir):
    result = _run(app, "tenants", "new", "ksp-maju-jaya", "--name", "KSP Maju Jaya", "--legal-form", "ksp",
                  "--registration-no", "3599101020000091", "--dir", str(tenants_dir))

    assert result.exit_code == 0, result.output
    text = (tenants_dir / "ksp-maju-jaya.toml").read_text(encoding="utf-8")
    assert 'agency = "dinkop-sukamakmur"' in text  # the only agency there is
    assert _run(app, "tenants", "sync", "--dir", str(tenants_dir)).exit_code == 0
    tenant = db_session.scalars(select(Tenant).where(Tenant.slug == "ksp-maju-jaya")).one()
    assert (tenant.name, tenant.registration_no) == ("KSP Maju Jaya", "3599101020000091")
    with tenant_scope(db_session, tenant.id):
        assert db_session.scalar(select(func.count()).select_from(Account)) == 41


def test_new_command_refuses_to_overwrite(app, db_session, tenants_dir):
    path = tenants_dir / "ksp-sejahtera.toml"
    before = path.read_text(encoding="utf-8")

    result = _run(app, "tenants", "new", "ksp-sejahtera", "--name", "X", "--legal-form", "ksp",
                  "--dir", str(tenants_dir))

    assert result.exit_code == 1
    assert "ksp-sejahtera.toml already exists" in result.output
    assert path.read_text(encoding="utf-8") == before


def test_new_command_refuses_an_unknown_agency(app, db_session, tenants_dir):
    result = _run(app, "tenants", "new", "kop-baru", "--name", "Kop Baru", "--legal-form", "konsumen",
                  "--agency", "dinkop-lain", "--dir", str(tenants_dir))

    assert result.exit_code == 1
    assert "agency: unknown agency 'dinkop-lain'" in result.output
    assert not (tenants_dir / "kop-baru.toml").exists()


def test_demo_load_creates_the_logins(app, db_session, tenants_dir):
    result = _run(app, "demo", "load", "--dir", str(tenants_dir))

    assert result.exit_code == 0, result.output
    assert "manajer.ksp-sejahtera" in result.output and "dinas.admin" in result.output
    for slug in DEMO_SLUGS:
        tenant = db_session.scalars(select(Tenant).where(Tenant.slug == slug)).one()
        for username, role in ((f"manajer.{slug}", "manager"), (f"kasir.{slug}", "teller"),
                               (f"anggota.{slug}", "member")):
            user = auth.authenticate(username, "demo1234")
            assert user is not None, username
            roles = db_session.scalars(select(Membership.role).where(Membership.user_id == user.id,
                                                                     Membership.tenant_id == tenant.id)).all()
            assert roles == [role]
    admin = auth.authenticate("dinas.admin", "demo1234")
    agency = db_session.scalars(select(Agency).where(Agency.slug == AGENCY)).one()
    membership = db_session.scalars(
        select(AgencyMembership).where(AgencyMembership.user_id == admin.id)).one()
    assert (membership.agency_id, membership.role) == (agency.id, "agency_admin")


def test_demo_load_twice_creates_nobody_new(app, db_session, tenants_dir):
    _run(app, "demo", "load", "--dir", str(tenants_dir))
    users = db_session.scalar(select(func.count()).select_from(User))
    memberships = db_session.scalar(select(func.count()).select_from(Membership))

    result = _run(app, "demo", "load", "--dir", str(tenants_dir))

    assert result.exit_code == 0, result.output
    assert "existing user, password unchanged" in result.output
    assert db_session.scalar(select(func.count()).select_from(User)) == users == 9 * 3 + 1
    assert db_session.scalar(select(func.count()).select_from(Membership)) == memberships == 9 * 3


def test_demo_load_refuses_in_production(app, db_session, tenants_dir, monkeypatch):
    monkeypatch.setitem(app.config, "COOPSAAS_ENV", "production")

    result = _run(app, "demo", "load", "--dir", str(tenants_dir))

    assert result.exit_code == 1
    assert "does not run when COOPSAAS_ENV=production" in result.output
    assert _tenant_count(db_session) == 0
    assert db_session.scalar(select(func.count()).select_from(User)) == 0


def test_demo_load_stops_on_a_broken_file(app, db_session, tenants_dir):
    edit(tenants_dir / "ksp-sejahtera.toml", 'legal_form = "ksp"', 'legal_form = "koperasi"')

    result = _run(app, "demo", "load", "--dir", str(tenants_dir))

    assert result.exit_code == 1
    assert "ksp-sejahtera.toml" in result.output and "legal_form" in result.output
    assert db_session.scalar(select(func.count()).select_from(User)) == 0
