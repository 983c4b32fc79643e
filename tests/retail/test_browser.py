"""A shopkeeper rings up a sale at the till in a real browser on a phone-sized screen."""

from __future__ import annotations

import pytest

import tests.e2e.conftest as e2e
from coopsaas.core.db import tenant_scope
from coopsaas.extensions import db
from tests.helpers import PASSWORD
from tests.retail.conftest import start_shop

pytestmark = pytest.mark.browser

# The browser and live-server fixtures of tests/e2e, shared rather than copied.
browser_type_launch_args = e2e.browser_type_launch_args
browser_context_args = e2e.browser_context_args
live_app = e2e.live_app
live_server = e2e.live_server
results_dir = e2e.results_dir


@pytest.fixture(scope="module")
def shopkeeper(live_app):
    from coopsaas.retail.services import (
        ItemData,
        OrderLineData,
        create_item,
        create_purchase_order,
        create_supplier,
        receive_goods,
    )
    from coopsaas.tenancy.models import Tenant

    with live_app.app_context():
        shop = start_shop("kop-pos")
        shop.shopkeeper.locale = None  # the default language, Bahasa Indonesia
        db.session.commit()
        tid, name = shop.tenant.id, shop.shopkeeper.username
    with live_app.app_context(), tenant_scope(db.session, tid):
        tenant = db.session.get(Tenant, tid)
        item = create_item(
            tenant=tenant,
            actor=None,
            data=ItemData(
                sku="TEH", barcode="8990001", name="Teh botol", member_price="4500", public_price="5000"
            ),
        )
        supplier = create_supplier(tenant=tenant, actor=None, name="Distributor")
        order = create_purchase_order(
            tenant=tenant, actor=None, supplier=supplier, lines=[OrderLineData(item, "24", "3500")]
        )
        receive_goods(tenant=tenant, actor=None, order=order, quantities={order.lines[0].id: "24"})
    return name


def test_a_sale_at_the_till_shows_the_change_and_ends_on_the_sale(page, live_server, shopkeeper, results_dir):
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.goto(live_server + "/login")
    page.locator("#username").fill(shopkeeper)
    page.locator("#password").fill(PASSWORD)
    page.locator("form button[type=submit]").click()
    page.goto(live_server + "/t/kop-pos/toko/pos")

    page.locator("#code").fill("8990001")
    page.locator("#qty").fill("3")
    page.locator("button[value=add]").click()
    assert page.locator("#pos-total").inner_text() == "Rp 15.000"
    page.locator("#cash_tendered").fill("20.000")
    assert page.locator("#pos-change").inner_text() == "Rp 5.000"  # shown while typing (retail.js)
    page.screenshot(path=str(results_dir / "pos-360.png"), full_page=True)
    page.locator("button[value=pay]").click()
    page.wait_for_url("**/toko/sales/**")
    facts = page.locator(".facts").inner_text()
    assert "Rp 15.000" in facts and "Rp 5.000" in facts
    assert errors == []
