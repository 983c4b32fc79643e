"""A shopkeeper reads the shop reports on a phone-sized screen: the figures fit, wide tables scroll
inside their box, the period filter works without JavaScript."""

from __future__ import annotations

from datetime import timedelta

import pytest

import tests.e2e.conftest as e2e
from coopsaas.core.db import tenant_scope
from coopsaas.extensions import db
from tests.helpers import PASSWORD
from tests.retail.conftest import start_shop

pytestmark = pytest.mark.browser

browser_type_launch_args = e2e.browser_type_launch_args
browser_context_args = e2e.browser_context_args
live_app = e2e.live_app
live_server = e2e.live_server
results_dir = e2e.results_dir


@pytest.fixture(scope="module")
def reader(live_app):
    from coopsaas.ledger.services import today_for
    from coopsaas.retail import services
    from coopsaas.retail.lots import LotData
    from coopsaas.retail.services import ItemData, OrderLineData, SaleLineData
    from coopsaas.tenancy.models import Tenant

    with live_app.app_context():
        shop = start_shop("kop-laporan-hp")
        shop.shopkeeper.locale = None  # Bahasa Indonesia
        db.session.commit()
        tid, name = shop.tenant.id, shop.shopkeeper.username
    with live_app.app_context(), tenant_scope(db.session, tid):
        tenant = db.session.get(Tenant, tid)
        today = today_for(tenant)
        susu = services.create_item(
            tenant=tenant,
            actor=None,
            data=ItemData(sku="SUSU", name="Susu UHT cokelat 200 ml", member_price="5500",
                          public_price="6000", tracks_expiry=True),
        )  # fmt: skip
        supplier = services.create_supplier(tenant=tenant, actor=None, name="UD Segar Jaya")
        order = services.create_purchase_order(
            tenant=tenant, actor=None, supplier=supplier, lines=[OrderLineData(susu, "24", "4800")],
            ordered_on=today - timedelta(days=10),
        )  # fmt: skip
        services.receive_goods(
            tenant=tenant, actor=None, order=order, quantities={order.lines[0].id: "24"},
            received_on=today - timedelta(days=10),
            lot_data={order.lines[0].id: LotData(expires_on=today + timedelta(days=12), lot_no="UHT-0925")},
        )  # fmt: skip
        services.create_sale(tenant=tenant, actor=None, lines=[SaleLineData(susu, "6")], submit_key="hp-1",
                             sold_on=today - timedelta(days=2))  # fmt: skip
    return name


def test_the_reports_fit_a_phone(page, live_server, reader, results_dir):
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.goto(live_server + "/login")
    page.locator("#username").fill(reader)
    page.locator("#password").fill(PASSWORD)
    page.locator("form button[type=submit]").click()

    page.goto(live_server + "/t/kop-laporan-hp/toko/reports/period?view=turnover")
    assert page.locator("#total-cogs").inner_text() == "Rp 28.800,00"  # 6 x 4.800
    assert "Susu UHT cokelat 200 ml" in page.locator("table").inner_text()
    # Nothing wider than the phone but the table boxes, which scroll on their own.
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    page.screenshot(path=str(results_dir / "shop-turnover-360.png"), full_page=True)

    page.goto(live_server + "/t/kop-laporan-hp/toko/reports/expiry")
    assert page.locator("#expiring-value").inner_text() == "Rp 86.400,00"  # 18 left x 4.800
    assert "UHT-0925" in page.locator("table").inner_text()
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    page.screenshot(path=str(results_dir / "shop-expiry-360.png"), full_page=True)

    assert errors == []

    # The period filter is a plain GET form: a bad period answers with its message (and a 422).
    page.goto(live_server + "/t/kop-laporan-hp/toko/reports/stock-outs?start=2026-05-10&end=2026-05-01")
    assert page.locator(".flash-error").count() == 1
