"""Fixtures of the shop reports: the shop of tests/retail (a Koppontren with its shop accounts, a
shopkeeper and a manager), dated movements and a second shop for isolation."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from flask_babel import force_locale

from coopsaas.extensions import db
from coopsaas.ledger.services import today_for
from coopsaas.retail import services
from coopsaas.retail.lots import LotData
from coopsaas.retail.services import OrderLineData, SaleLineData
from tests.retail.conftest import Shop, start_shop


class DatedShop:
    """The shop with helpers that date every movement (the reports are about dates)."""

    def __init__(self, shop: Shop) -> None:
        self.shop = shop
        self.tenant = shop.tenant
        self.today = today_for(shop.tenant)
        self._keys = 0
        self._supplier: Any = None

    def item(self, sku: str, name: str, cost_hint: str = "1500", **kw: Any) -> Any:
        return self.shop.item(sku, name, cost_hint, cost_hint, **kw)

    def receive(
        self,
        item: Any,
        qty: str,
        cost: str,
        on: date,
        *,
        expires_on: date | None = None,
        lot_no: str | None = None,
    ) -> Any:
        if self._supplier is None:
            self._supplier = self.shop.supplier("CV Grosir Santri")
        order = services.create_purchase_order(
            tenant=self.tenant,
            actor=self.shop.shopkeeper,
            supplier=self._supplier,
            lines=[OrderLineData(item, qty, cost)],
            ordered_on=on,
        )
        line = order.lines[0]
        lots = {line.id: LotData(expires_on=expires_on, lot_no=lot_no)} if expires_on or lot_no else None
        return services.receive_goods(
            tenant=self.tenant,
            actor=self.shop.shopkeeper,
            order=order,
            quantities={line.id: qty},
            received_on=on,
            lot_data=lots,
        )

    def sell(self, item: Any, qty: str, on: date, member_id: Any = None) -> Any:
        self._keys += 1
        return services.create_sale(
            tenant=self.tenant,
            actor=self.shop.shopkeeper,
            submit_key=f"report-{self._keys}",
            lines=[SaleLineData(item, qty)],
            sold_on=on,
            member_id=member_id,
        )

    def give_back(self, sale: Any, qty: str, on: date) -> Any:
        return services.return_sale(
            tenant=self.tenant,
            actor=self.shop.shopkeeper,
            sale=sale,
            quantities={sale.lines[0].id: qty},
            reason="Kemasan rusak",
            on=on,
        )


@pytest.fixture
def shop(db_session: Any) -> Any:
    with force_locale("en"):
        started = start_shop("kop-laporan")
        db.session.commit()  # the chart too, so pages and the API see it
        yield started


@pytest.fixture
def dated(shop: Shop) -> DatedShop:
    return DatedShop(shop)


def commit() -> None:
    db.session.commit()
