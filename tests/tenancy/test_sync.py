"""`sync` against a real database: creates, then changes nothing; never deletes; writes nothing on errors."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from sqlalchemy import func, select, text

from coopsaas.core.audit import AuditEvent, PlatformEvent
from coopsaas.core.db import tenant_scope
from coopsaas.ledger.models import Account
from coopsaas.tenancy.models import Agency, AgencyLink, Tenant
from coopsaas.tenancy.sync import DefinitionsInvalid, sync
from tests.tenancy.conftest import AGENCY, DEMO_SLUGS, SHIPPED, edit


def _tenant(session, slug: str) -> Tenant:
    return session.scalars(select(Tenant).where(Tenant.slug == slug)).one()


def _accounts(session, slug: str) -> dict[str, SimpleNamespace]:
    """The tenant's accounts, read inside its scope (rows expire when the scope commits)."""
    tenant = _tenant(session, slug)
    fields = ("code", "name", "type", "normal_side", "is_contra", "unit", "tags", "weights", "is_active")
    with tenant_scope(session, tenant.id):
        return {a.code: SimpleNamespace(**{f: getattr(a, f) for f in fields})
                for a in session.scalars(select(Account))}


def _count(session, model) -> int:
    return session.scalar(select(func.count()).select_from(model))


def test_sync_creates_the_nine_cooperatives_their_agency_and_links(db_session):
    report = sync(db_session, SHIPPED)

    assert (report.agencies.created, report.tenants.created, report.links.created) == (1, 9, 9)
    assert report.accounts.created == 3 * 41 + 3 * 36 + 48 + 2 * 49  # nurul-huda conventional, two sharia
    slugs = db_session.scalars(select(Tenant.slug).where(Tenant.slug.in_(DEMO_SLUGS))).all()
    assert sorted(slugs) == sorted(DEMO_SLUGS)
    agency = db_session.scalars(select(Agency).where(Agency.slug == AGENCY)).one()
    assert agency.name == "Dinas Koperasi dan Usaha Mikro Kota Sukamakmur"
    linked = db_session.scalars(select(Tenant.slug).join(AgencyLink, AgencyLink.tenant_id == Tenant.id)
                                .where(AgencyLink.agency_id == agency.id)).all()
    assert sorted(linked) == sorted(DEMO_SLUGS)
    ksp = _tenant(db_session, "ksp-sejahtera")
    assert (ksp.legal_form, ksp.chart_template, ksp.timezone) == ("ksp", "ksp", "Asia/Jakarta")
    assert ksp.registration_no == "3599010120000001"
    assert ksp.settings["shu"]["jasa_usaha"] == "20"
    assert ksp.settings["loan_products"][1]["rate_pa"] == "18"


def test_each_tenant_gets_the_accounts_of_its_template_and_units(db_session):
    sync(db_session, SHIPPED)

    ksp = _accounts(db_session, "ksp-sejahtera")
    assert len(ksp) == 41
    assert ksp["1201"].type == "asset" and ksp["1201"].normal_side == "D" and ksp["1201"].unit == "USP"
    assert "pinjaman" in ksp["1201"].tags
    assert ksp["1201"].weights == {"atmr": "100"}
    assert ksp["1209"].is_contra and ksp["1209"].normal_side == "K"
    assert ksp["3101"].type == "equity" and ksp["3101"].weights == {"mt": "100"}
    assert "1401" not in ksp
    shop_only = _accounts(db_session, "kopontren-baitul-amin")
    assert len(shop_only) == 36
    assert "1201" not in shop_only and shop_only["1401"].tags == ["persediaan"]
    sharia = _accounts(db_session, "kopontren-al-hikmah")
    assert len(sharia) == 49
    assert "pinjaman" in sharia["1211"].tags and "4101" not in sharia
    assert len(_accounts(db_session, "kopontren-nurul-huda")) == 48


def test_second_sync_changes_nothing(db_session):
    sync(db_session, SHIPPED)
    events = _count(db_session, PlatformEvent)

    report = sync(db_session, SHIPPED)

    assert not report.changed
    assert (report.agencies.unchanged, report.tenants.unchanged, report.links.unchanged) == (1, 9, 9)
    assert report.accounts.unchanged == 377
    assert report.accounts.created == report.accounts.updated == 0
    assert _count(db_session, PlatformEvent) == events


def test_sync_writes_audit_events(db_session):
    sync(db_session, SHIPPED)

    actions = db_session.scalars(select(PlatformEvent.action)).all()
    assert actions.count("tenant.create") == 9
    assert actions.count("agency.create") == 1
    assert actions.count("agency.link") == 9
    tenant = _tenant(db_session, "ksp-sejahtera")
    with tenant_scope(db_session, tenant.id):
        summary = db_session.scalars(
            select(AuditEvent.summary).where(AuditEvent.action == "chart.sync")).one()
    assert summary["template"] == "ksp"
    assert len(summary["created"]) == 41


@pytest.mark.parametrize("broken", [
    ("ksp-sejahtera.toml", "pokok = 250_000", "pokok = = 250_000"),
    ("ksp-artha-mandiri.toml", 'legal_form = "ksp"', 'legal_form = "bank"'),
    ("ksp-sejahtera.toml", "dana_pdk = 2.5", "dana_pdk = 5"),
    ("kopontren-darussalam.toml", 'slug = "kopontren-darussalam"', 'slug = "kopontren-al-hikmah"'),
])
def test_a_broken_file_writes_nothing(db_session, tenants_dir, broken):
    name, old, new = broken
    edit(tenants_dir / name, old, new)

    with pytest.raises(DefinitionsInvalid) as info:
        sync(db_session, tenants_dir)

    assert info.value.errors[0].file == f"tenants/{name}"
    assert _count(db_session, Tenant) == 0
    assert _count(db_session, Agency) == 0
    assert _count(db_session, PlatformEvent) == 0


def test_sync_never_deletes_an_account_that_left_the_template(db_session, tenants_dir):
    sync(db_session, tenants_dir)
    pack = tenants_dir / "templates" / "charts" / "packs" / "simpan_pinjam.toml"
    text = pack.read_text(encoding="utf-8")
    pack.write_text("\n".join(line for line in text.splitlines() if '"1203"' not in line) + "\n",
                    encoding="utf-8")
    edit(tenants_dir / "templates" / "charts" / "packs" / "inti.toml", 'name = "Kas"', 'name = "Kas tunai"')

    report = sync(db_session, tenants_dir)

    ksp = _accounts(db_session, "ksp-sejahtera")
    assert ksp["1203"].is_active
    assert ksp["1203"].name == "Pendapatan jasa pinjaman yang masih harus diterima"
    assert ksp["1101"].name == "Kas tunai"
    assert len(ksp) == 41
    assert report.accounts.updated == 9  # 1101 in every tenant
    assert report.accounts.created == 0


def test_a_tenant_whose_file_is_removed_stays_with_its_accounts(db_session, tenants_dir):
    sync(db_session, tenants_dir)
    (tenants_dir / "ksp-artha-mandiri.toml").unlink()

    report = sync(db_session, tenants_dir)

    assert (report.tenants.unchanged, report.links.unchanged) == (8, 8)
    tenant = _tenant(db_session, "ksp-artha-mandiri")
    assert tenant.is_active
    assert len(_accounts(db_session, "ksp-artha-mandiri")) == 41


def test_sync_keeps_the_type_of_an_existing_account(db_session, tenants_dir):
    sync(db_session, tenants_dir)
    edit(tenants_dir / "templates" / "charts" / "packs" / "inti.toml",
         '{ code = "4901", name = "Pendapatan lain-lain", type = "pendapatan", normal = "K"',
         '{ code = "4901", name = "Pendapatan lain", type = "beban", normal = "D"')

    report = sync(db_session, tenants_dir)

    account = _accounts(db_session, "ksp-sejahtera")["4901"]
    assert (account.type, account.normal_side, account.name) == ("income", "K", "Pendapatan lain")
    assert len(report.warnings) == 9
    assert ("ksp-sejahtera: account 4901 is income/K but template ksp says expense/D; left as it is"
            in report.warnings)


def test_a_tenant_that_opens_a_usp_gets_its_accounts(db_session, tenants_dir):
    sync(db_session, tenants_dir)
    edit(tenants_dir / "kopontren-baitul-amin.toml", 'units = ["TOKO"]', 'units = ["TOKO", "USP"]')

    report = sync(db_session, tenants_dir)

    assert (report.tenants.updated, report.accounts.created) == (1, 12)
    assert len(_accounts(db_session, "kopontren-baitul-amin")) == 48
    event = db_session.scalars(select(PlatformEvent).where(PlatformEvent.action == "tenant.update")).one()
    assert event.summary["changed"] == ["settings"]


def test_a_renamed_tenant_is_updated_in_place(db_session, tenants_dir):
    sync(db_session, tenants_dir)
    before = _tenant(db_session, "ksp-mitra-usaha").id
    edit(tenants_dir / "ksp-mitra-usaha.toml", 'name = "Koperasi Simpan Pinjam Mitra Usaha Sukamakmur"',
         'name = "KSP Mitra Usaha"')

    report = sync(db_session, tenants_dir)

    tenant = _tenant(db_session, "ksp-mitra-usaha")
    assert (tenant.id, tenant.name) == (before, "KSP Mitra Usaha")
    assert (report.tenants.updated, report.tenants.unchanged) == (1, 8)


@pytest.mark.postgres
def test_accounts_are_written_under_row_level_security(db_session):
    sync(db_session, SHIPPED)
    ksp, shop = _tenant(db_session, "ksp-sejahtera"), _tenant(db_session, "kopontren-baitul-amin")

    # text() skips the ORM filter: only RLS limits these counts to the tenant in scope.
    with tenant_scope(db_session, ksp.id):
        assert db_session.execute(text("SELECT count(*) FROM account")).scalar() == 41
    with tenant_scope(db_session, shop.id):
        assert db_session.execute(text("SELECT count(*) FROM account")).scalar() == 36
    assert db_session.execute(text("SELECT count(*) FROM account")).scalar() == 0
