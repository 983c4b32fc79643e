"""A savings-and-loan cooperative for savings tests: its chart, its products, staff, and members."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from coopsaas.core.db import set_tenant
from coopsaas.extensions import db
from coopsaas.ledger.models import Account
from coopsaas.members import services as members
from coopsaas.savings.models import SavingsAccount
from tests.helpers import make_tenant, make_user

# Thursday 19 November 2026, 10:00 WIB: the business date of every savings test.
TODAY = date(2026, 11, 19)
NOW = datetime(2026, 11, 19, 3, 0, tzinfo=UTC)

CHART = [
    ("1101", "Kas", "asset", "D", ["kas_bank", "kas"]),
    ("1102", "Bank", "asset", "D", ["kas_bank", "bank"]),
    ("2101", "Simpanan sukarela", "liability", "K", ["KL", "simpanan_sukarela"]),
    ("2102", "Simpanan berjangka", "liability", "K", ["KL", "simpanan_berjangka"]),
    ("3101", "Simpanan pokok", "equity", "K", ["MS", "simpanan_pokok"]),
    ("3102", "Simpanan wajib", "equity", "K", ["MS", "simpanan_wajib"]),
    ("4901", "Pendapatan lain-lain", "income", "K", []),
]

SETTINGS = {
    "units": ["USP"],
    "savings": {"pokok": "250000.00", "wajib": "50000.00", "wajib_frequency": "MONTHLY"},
    "savings_products": [
        {
            "code": "SIRELA",
            "name": "Simpanan Sukarela (Sirela)",
            "kind": "sukarela",
            "min_opening": "50000.00",
            "min_balance": "25000.00",
            "rate_pa": "3",
            "interest_method": "LOWEST_BALANCE",
            "day_count": "ACT_365",
            "min_balance_for_interest": "100000.00",
        },
        {
            "code": "WADIAH",
            "name": "Simpanan Wadiah",
            "kind": "wadiah",
            "min_opening": "0.00",
            "min_balance": "0.00",
        },
    ],
}

# Valid NIKs: Kota Surabaya (35 78), a woman born 5 August 1990 and a man born 17 March 1985.
NIK_SITI = "3578014508900001"
NIK_BUDI = "3578011703850002"


def rp(value: str | int) -> Decimal:
    return Decimal(str(value)).quantize(Decimal("0.01"))


@dataclass
class Coop:
    tenant: Any
    teller: Any
    manager: Any
    accounts: dict[str, Account]

    def register(self, nik: str = NIK_SITI, name: str = "Siti Aminah", **kw: Any) -> Any:
        kw.setdefault("joined_on", TODAY)
        return members.register_member(tenant=self.tenant, actor=self.teller, nik=nik, name=name, **kw)

    @staticmethod
    def account(admission: Any, kind: str) -> SavingsAccount:
        return next(a for a in admission.accounts if a.product.kind == kind)


def make_chart() -> dict[str, Account]:
    out = {}
    for code, name, type_, side, tags in CHART:
        out[code] = Account(
            code=code, name=name, type=type_, normal_side=side, is_contra=False, tags=tags, weights={}
        )
        db.session.add(out[code])
    db.session.flush()
    return out


def start_coop(slug: str = "ksp-uji", *, staff: bool = True) -> Coop:
    """The cooperative, committed, then in scope on the session. Without staff no global row
    (user, platform event) is made, so a committed tenant can be removed completely."""
    tenant = make_tenant(slug, name=f"KSP Uji {slug}")
    tenant.settings = dict(SETTINGS)
    teller = make_user(f"kasir-{slug}", tenant=tenant, role="teller") if staff else None
    manager = make_user(f"ketua-{slug}", tenant=tenant, role="manager") if staff else None
    db.session.commit()
    set_tenant(db.session, tenant.id)
    accounts = make_chart()
    return Coop(tenant, teller, manager, accounts)
