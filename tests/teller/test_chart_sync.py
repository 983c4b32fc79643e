"""Account 1190 (cash differences) reaches every cooperative, old ones on their next sync."""

from __future__ import annotations

import shutil
from pathlib import Path

from sqlalchemy import select

from coopsaas.core.db import tenant_scope
from coopsaas.ledger.models import Account
from coopsaas.tenancy.models import Tenant
from coopsaas.tenancy.sync import sync

SHIPPED = Path(__file__).resolve().parents[2] / "tenants"


def suspense_of(session, slug):
    tenant = session.scalars(select(Tenant).where(Tenant.slug == slug)).one()
    with tenant_scope(session, tenant.id):
        account = session.scalars(select(Account).where(Account.code == "1190")).one_or_none()
        return None if account is None else (account.name, account.type, account.normal_side, account.tags)


def test_tenants_made_before_1190_get_it_on_the_next_sync(db_session, tmp_path):
    old = tmp_path / "tenants"
    shutil.copytree(SHIPPED, old)
    pack = old / "templates" / "charts" / "packs" / "inti.toml"
    lines = [ln for ln in pack.read_text(encoding="utf-8").splitlines(keepends=True) if '"1190"' not in ln]
    pack.write_text("".join(lines), encoding="utf-8")
    sync(db_session, old)
    assert suspense_of(db_session, "ksp-sejahtera") is None

    report = sync(db_session, SHIPPED)
    assert report.accounts.created == 9  # one per cooperative, nothing else changes
    for slug in ("ksp-sejahtera", "kopontren-baitul-amin", "kopontren-nurul-huda"):
        assert suspense_of(db_session, slug) == (
            "Selisih kas / rekening penampung",
            "asset",
            "D",
            ["selisih_kas"],
        )
