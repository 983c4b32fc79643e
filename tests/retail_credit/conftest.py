"""Shop credit fixtures: a Koppontren running savings and a shop, with members who have savings,
stock on the shelves, a shopkeeper, a teller and a manager. Clock frozen on 19 November 2026."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import pytest
from flask_babel import force_locale
from sqlalchemy import text

from coopsaas.core.clock import frozen
from coopsaas.core.db import set_tenant
from coopsaas.extensions import db
from coopsaas.ledger import balance_of
from coopsaas.ledger.models import Account
from coopsaas.members import services as members
from coopsaas.retail import services as shop
from coopsaas.retail.services import ItemData, OrderLineData, SaleLineData
from coopsaas.savings import services as savings
from tests.helpers import make_tenant, make_user

TODAY = date(2026, 11, 19)
NOW = datetime(2026, 11, 19, 3, 0, tzinfo=UTC)
SLUG = "kop-kredit"

CHART = [
    ("1101", "Kas", "asset", "D", ["kas_bank", "kas"]),
    ("1102", "Bank", "asset", "D", ["kas_bank", "bank"]),
    ("1301", "Piutang usaha (toko)", "asset", "D", ["piutang_usaha"]),
    ("1401", "Persediaan barang dagang", "asset", "D", ["persediaan"]),
    ("2101", "Simpanan sukarela", "liability", "K", ["KL", "simpanan_sukarela"]),
    ("2111", "Utang usaha (pemasok toko)", "liability", "K", ["KL", "utang_usaha"]),
    ("2122", "Utang pajak", "liability", "K", ["KL", "utang_pajak"]),
    ("3101", "Simpanan pokok", "equity", "K", ["MS", "simpanan_pokok"]),
    ("3102", "Simpanan wajib", "equity", "K", ["MS", "simpanan_wajib"]),
    ("4201", "Penjualan barang anggota", "income", "K", ["PB", "penjualan_anggota"]),
    ("4202", "Penjualan barang non-anggota", "income", "K", ["NA", "penjualan_non_anggota"]),
    ("5201", "Harga pokok penjualan (HPP)", "expense", "D", ["BP", "hpp"]),
]

SETTINGS = {
    "units": ["USP", "TOKO"],
    "savings": {"pokok": "100000.00", "wajib": "20000.00", "wajib_frequency": "MONTHLY"},
    "savings_products": [
        {
            "code": "SIRELA",
            "name": "Simpanan Sukarela",
            "kind": "sukarela",
            "min_opening": "0.00",
            "min_balance": "0.00",
            "rate_pa": "3",
            "interest_method": "LOWEST_BALANCE",
            "day_count": "ACT_365",
            "min_balance_for_interest": "100000.00",
        }
    ],
}

# Valid NIKs (Kota Surabaya): a woman born 5 August 1990, a man born 17 March 1985.
NIKS = ("3578014508900001", "3578011703850002", "3578014508900003")


def rp(value: str | int) -> Decimal:
    return Decimal(str(value)).quantize(Decimal("0.01"))


@dataclass
class Coop:
    tenant: Any
    accounts: dict[str, Account]
    shopkeeper: Any
    teller: Any
    manager: Any

    def balance(self, code: str) -> Decimal:
        return balance_of(self.accounts[code])

    def member(
        self, n: int = 0, *, name: str = "Siti Aminah", wajib: str = "0", sukarela: str = "0", **kw: Any
    ) -> Any:
        """A member (pokok paid on joining) with `wajib` and `sukarela` deposited."""
        admission = members.register_member(
            tenant=self.tenant, actor=self.teller, nik=NIKS[n], name=name, joined_on=TODAY, **kw
        )
        for kind, amount in (("wajib", wajib), ("sukarela", sukarela)):
            if Decimal(amount) > 0:
                account = next(a for a in admission.accounts if a.product.kind == kind)
                savings.deposit(tenant=self.tenant, actor=self.teller, account=account, amount=rp(amount))
        return admission.member

    def item(self, sku: str, name: str, member_price: str, public_price: str, **kw: Any) -> Any:
        return shop.create_item(
            tenant=self.tenant,
            actor=self.manager,
            data=ItemData(sku=sku, name=name, member_price=member_price, public_price=public_price, **kw),
        )

    def stock_in(self, item: Any, qty: str, cost: str) -> None:
        supplier = shop.create_supplier(tenant=self.tenant, actor=self.manager, name=f"Pemasok {item.sku}")
        order = shop.create_purchase_order(
            tenant=self.tenant,
            actor=self.shopkeeper,
            supplier=supplier,
            lines=[OrderLineData(item, qty, cost)],
        )
        shop.receive_goods(
            tenant=self.tenant,
            actor=self.shopkeeper,
            order=order,
            quantities={ln.id: ln.open_qty for ln in order.lines},
        )

    def sell(self, *lines: tuple[Any, str], key: str, member: Any = None, tender: str = "cash") -> Any:
        return shop.create_sale(
            tenant=self.tenant,
            actor=self.shopkeeper,
            submit_key=key,
            member_id=member.id if member is not None else None,
            tender=tender,
            lines=[SaleLineData(i, q) for i, q in lines],
        )


def make_chart() -> dict[str, Account]:
    out = {}
    for code, name, type_, side, tags in CHART:
        out[code] = Account(
            code=code, name=name, type=type_, normal_side=side, is_contra=False, tags=tags, weights={}
        )
        db.session.add(out[code])
    db.session.flush()
    return out


def start_coop(slug: str = SLUG, **settings: Any) -> Coop:
    tenant = make_tenant(slug, name="Kopontren Al Amin", legal_form="koppontren")
    tenant.settings = {**SETTINGS, **settings}
    shopkeeper = make_user(f"toko-{slug}", tenant=tenant, role="shopkeeper")
    teller = make_user(f"kasir-{slug}", tenant=tenant, role="teller")
    manager = make_user(f"ketua-{slug}", tenant=tenant, role="manager")
    for user in (shopkeeper, teller, manager):
        user.locale = "en"
    db.session.commit()
    set_tenant(db.session, tenant.id)
    return Coop(tenant, make_chart(), shopkeeper, teller, manager)


def scope(coop: Coop) -> None:
    set_tenant(db.session, coop.tenant.id)


@pytest.fixture
def coop(db_session: Any) -> Any:
    with frozen(NOW), force_locale("en"):
        yield start_coop()


@pytest.fixture
def stocked(coop: Coop) -> Any:
    """Two items in stock: beras (cost 10.000/kg, member 12.000, public 13.000) and sabun (cost
    2.000, member 2.500, public 3.000); and Siti with wajib 200.000 and sukarela 300.000."""
    beras = coop.item("BRS", "Beras premium", "12000", "13000", unit="kg")
    sabun = coop.item("SBN", "Sabun mandi", "2500", "3000")
    coop.stock_in(beras, "100", "10000")
    coop.stock_in(sabun, "50", "2000")
    coop.siti = coop.member(0, wajib="200000", sukarela="300000", employer="RS Islam Sukamakmur")
    coop.beras, coop.sabun = beras, sabun
    db.session.commit()
    scope(coop)
    return coop


@pytest.fixture
def check_deferred(is_postgres: bool) -> Any:
    def run() -> None:
        if is_postgres:
            db.session.execute(text("SET CONSTRAINTS ALL IMMEDIATE"))
            db.session.execute(text("SET CONSTRAINTS ALL DEFERRED"))

    return run
