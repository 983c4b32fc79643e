"""A shopkeeper sells to a member on shop credit at the till in a real browser on a phone-sized
screen, then opens the member's credit page."""

from __future__ import annotations

from decimal import Decimal

import pytest

import tests.e2e.conftest as e2e
from coopsaas.core.db import tenant_scope
from coopsaas.extensions import db
from tests.helpers import PASSWORD

pytestmark = pytest.mark.browser

browser_type_launch_args = e2e.browser_type_launch_args
browser_context_args = e2e.browser_context_args
live_app = e2e.live_app
live_server = e2e.live_server
results_dir = e2e.results_dir

SLUG = "kop-kredit-pos"


@pytest.fixture(scope="module")
def world(live_app):
    from coopsaas.members import services as members
    from coopsaas.retail import services as shop
    from coopsaas.savings import services as savings
    from coopsaas.tenancy.models import Tenant
    from tests.retail_credit.conftest import NIKS, start_coop

    with live_app.app_context():
        coop = start_coop(SLUG)
        coop.shopkeeper.locale = None  # the default language, Bahasa Indonesia
        db.session.commit()
        tid, name = coop.tenant.id, coop.shopkeeper.username
    with live_app.app_context(), tenant_scope(db.session, tid):
        tenant = db.session.get(Tenant, tid)
        admission = members.register_member(tenant=tenant, actor=None, nik=NIKS[0], name="Siti Aminah")
        sukarela = next(a for a in admission.accounts if a.product.kind == "sukarela")
        savings.deposit(tenant=tenant, actor=None, account=sukarela, amount=Decimal("100000.00"))
        item = shop.create_item(
            tenant=tenant,
            actor=None,
            data=shop.ItemData(sku="TEH", name="Teh botol", member_price="4500", public_price="5000"),
        )
        supplier = shop.create_supplier(tenant=tenant, actor=None, name="Distributor")
        order = shop.create_purchase_order(
            tenant=tenant, actor=None, supplier=supplier, lines=[shop.OrderLineData(item, "24", "3500")]
        )
        shop.receive_goods(tenant=tenant, actor=None, order=order, quantities={order.lines[0].id: "24"})
        member_no = admission.member.member_no
    return name, member_no


def test_a_credit_sale_at_the_till_ends_on_the_sale_and_shows_on_the_member_page(
    page, live_server, world, results_dir
):
    username, member_no = world
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.goto(live_server + "/login")
    page.locator("#username").fill(username)
    page.locator("#password").fill(PASSWORD)
    page.locator("form button[type=submit]").click()
    page.goto(live_server + f"/t/{SLUG}/toko/pos")
    page.locator("#code").fill("TEH")
    page.locator("#qty").fill("4")
    page.locator("button[value=add]").click()
    page.locator("#member_id").fill(member_no)
    page.locator("#tender").select_option("credit")
    page.screenshot(path=str(results_dir / "pos-credit-360.png"), full_page=True)
    page.locator("button[value=pay]").click()
    page.wait_for_url("**/toko/sales/**")
    # Member price 4.500 x 4 = 18.000 on credit (limit: 50 % of 100.000 sukarela).
    assert "Rp 18.000" in page.locator(".facts").inner_text()
    page.goto(live_server + f"/t/{SLUG}/toko/credit?member={member_no}")
    assert page.locator("#credit-outstanding").inner_text() == "Rp 18.000,00"
    assert page.locator("#credit-available").inner_text() == "Rp 32.000,00"
    assert errors == []
