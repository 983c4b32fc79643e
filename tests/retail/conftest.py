"""Shop fixtures: a Koppontren with the shop accounts of its chart, a shopkeeper and a manager."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest
from flask_babel import force_locale

from coopsaas.core.db import set_tenant
from coopsaas.extensions import db
from coopsaas.ledger import balance_of
from coopsaas.ledger.models import Account
from coopsaas.retail import services
from coopsaas.retail.services import ItemData, OrderLineData, SaleLineData
from tests.helpers import make_tenant, make_user

SHOP_CHART = [
    ("1101", "Kas", "asset", "D", ["kas_bank", "kas"]),
    ("1102", "Bank", "asset", "D", ["kas_bank", "bank"]),
    ("1401", "Persediaan barang dagang", "asset", "D", ["persediaan"]),
    ("2111", "Utang usaha (pemasok toko)", "liability", "K", ["KL", "utang_usaha"]),
    ("4201", "Penjualan barang anggota", "income", "K", ["PB", "penjualan_anggota"]),
    ("4202", "Penjualan barang non-anggota", "income", "K", ["NA", "penjualan_non_anggota"]),
    ("5201", "Harga pokok penjualan (HPP)", "expense", "D", ["BP", "hpp"]),
]


def rp(value: str | int) -> Decimal:
    return Decimal(str(value)).quantize(Decimal("0.01"))


def make_shop_chart() -> dict[str, Account]:
    accounts = {}
    for code, name, type_, side, tags in SHOP_CHART:
        accounts[code] = Account(
            code=code, name=name, type=type_, normal_side=side, is_contra=False, tags=tags, weights={}
        )
        db.session.add(accounts[code])
    db.session.flush()
    return accounts


@dataclass
class Shop:
    tenant: Any
    accounts: dict[str, Account]
    shopkeeper: Any
    manager: Any

    def balance(self, code: str) -> Decimal:
        return balance_of(self.accounts[code])

    def item(
        self, sku: str, name: str, member_price: str = "1400", public_price: str = "1500", **kw: Any
    ) -> Any:
        return services.create_item(
            tenant=self.tenant,
            actor=self.manager,
            data=ItemData(sku=sku, name=name, member_price=member_price, public_price=public_price, **kw),
        )

    def member(self, member_no: str = "A-000001", name: str = "Siti Aminah", status: str = "active") -> Any:
        from coopsaas.ledger.services import today_for
        from coopsaas.members.models import Member

        m = Member(
            member_no=member_no,
            nik="3201" + member_no[-6:].rjust(12, "0"),
            name=name,
            joined_on=today_for(self.tenant),
            status=status,
        )
        db.session.add(m)
        db.session.flush()
        return m

    def supplier(self, name: str = "CV Sumber Rejeki") -> Any:
        return services.create_supplier(tenant=self.tenant, actor=self.manager, name=name)

    def order(self, supplier: Any, *lines: tuple[Any, str, str]) -> Any:
        return services.create_purchase_order(
            tenant=self.tenant,
            actor=self.shopkeeper,
            supplier=supplier,
            lines=[OrderLineData(item, qty, cost) for item, qty, cost in lines],
        )

    def receive_all(self, order: Any, **kw: Any) -> Any:
        return services.receive_goods(
            tenant=self.tenant,
            actor=self.shopkeeper,
            order=order,
            quantities={ln.id: ln.open_qty for ln in order.lines},
            **kw,
        )

    def stock_in(self, item: Any, qty: str, cost: str, supplier: Any = None) -> Any:
        supplier = supplier or self.supplier(f"Pemasok {item.sku} {qty} {cost}")
        return self.receive_all(self.order(supplier, (item, qty, cost)))

    def sell(self, *lines: tuple[Any, str], key: str, cash: str | None = None, member_id: Any = None) -> Any:
        return services.create_sale(
            tenant=self.tenant,
            actor=self.shopkeeper,
            submit_key=key,
            cash_tendered=cash,
            member_id=member_id,
            lines=[SaleLineData(i, q) for i, q in lines],
        )


def start_shop(slug: str) -> Shop:
    tenant = make_tenant(slug, legal_form="koppontren")
    shopkeeper = make_user(f"toko-{slug}", tenant=tenant, role="shopkeeper")
    manager = make_user(f"ketua-{slug}", tenant=tenant, role="manager")
    # Messages are asserted in English, whatever the Bahasa Indonesia catalogue will say.
    shopkeeper.locale = manager.locale = "en"
    db.session.commit()
    set_tenant(db.session, tenant.id)
    return Shop(tenant, make_shop_chart(), shopkeeper, manager)


@pytest.fixture
def shop(db_session: Any) -> Any:
    with force_locale("en"):
        yield start_shop("kop-toko")


@pytest.fixture
def stocked(shop: Shop) -> Any:
    """The shop with two items in stock (committed, so pages and the API see them)."""
    sabun = shop.item("SBN", "Sabun mandi", "1400", "1500", barcode="8991001")
    shop.stock_in(sabun, "10", "1000")
    shop.item("GL", "Gula pasir", "15500", "17000", unit="kg")
    db.session.commit()
    return shop


def scope(shop: Shop) -> None:
    """Back into the shop's tenant after a request (its teardown leaves the scope)."""
    set_tenant(db.session, shop.tenant.id)
