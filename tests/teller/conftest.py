"""A savings cooperative with a teller, a second teller, a manager and an auditor, its clock frozen
on Thursday 19 November 2026, the suspense account 1190 in its chart, messages in English."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from flask_babel import force_locale

from coopsaas.core.clock import frozen
from coopsaas.extensions import db
from coopsaas.ledger.models import Account
from coopsaas.savings import services as savings
from tests.helpers import make_user
from tests.savings_month_end.conftest import EXTRA_CHART, berjangka
from tests.savings_services.builders import NIK_BUDI, NIK_SITI, NOW, TODAY, start_coop

SUSPENSE = ("1190", "Selisih kas / rekening penampung", "asset", "D", ["selisih_kas"])
FEE_INCOME = ("4105", "Pendapatan administrasi simpanan", "income", "K", ["pendapatan_provisi_admin"])


@pytest.fixture
def coop(db_session: Any) -> Any:
    with frozen(NOW), force_locale("en"):
        c = start_coop()
        settings = dict(c.tenant.settings)
        settings["savings_products"] = [
            *settings["savings_products"],
            berjangka("DEPO", "MONTHLY", "TRANSFER", "PERCENT_OF_PRINCIPAL", "1"),
        ]
        c.tenant.settings = settings
        for code, name, type_, side, tags in [*EXTRA_CHART, SUSPENSE, FEE_INCOME]:
            c.accounts[code] = Account(
                code=code, name=name, type=type_, normal_side=side, is_contra=False, tags=tags, weights={}
            )
            db.session.add(c.accounts[code])
        c.teller2 = make_user("kasir2-ksp-uji", tenant=c.tenant, role="teller")
        c.auditor = make_user("pengawas-ksp-uji", tenant=c.tenant, role="auditor")
        db.session.flush()
        c.products = savings.ensure_products(c.tenant)
        c.siti = c.register(nik=NIK_SITI, name="Siti Aminah", joined_on=date(2026, 11, 2))
        c.budi = c.register(nik=NIK_BUDI, name="Budi Santoso", sex="L", joined_on=date(2026, 11, 2))
        yield c


def rp(value: str | int) -> Decimal:
    return Decimal(str(value)).quantize(Decimal("0.01"))


__all__ = ["TODAY", "rp"]
