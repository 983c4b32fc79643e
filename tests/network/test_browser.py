"""A cooperative orders from its hub on a phone-sized screen, in a real browser."""

from __future__ import annotations

import pytest

import tests.e2e.conftest as e2e
from coopsaas.extensions import db
from tests.helpers import PASSWORD
from tests.network.conftest import build_network

pytestmark = pytest.mark.browser

browser_type_launch_args = e2e.browser_type_launch_args
browser_context_args = e2e.browser_context_args
live_app = e2e.live_app
live_server = e2e.live_server
results_dir = e2e.results_dir


@pytest.fixture(scope="module")
def network(live_app):
    with live_app.app_context():
        n = build_network()
        n.buyer.shopkeeper.locale = None  # the default language, Bahasa Indonesia
        db.session.commit()
        return {"buyer": n.buyer.tenant.slug, "user": n.buyer.shopkeeper.username, "link": str(n.link.id)}


def test_a_buyer_orders_from_the_hub_catalogue_on_a_phone(page, live_server, network, results_dir):
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.goto(live_server + "/login")
    page.locator("#username").fill(network["user"])
    page.locator("#password").fill(PASSWORD)
    page.locator("form button[type=submit]").click()
    page.goto(f"{live_server}/t/{network['buyer']}/jaringan/")
    page.locator(f"a[href$='/jaringan/hub/{network['link']}']").click()
    assert "Rp 15.000" in page.locator("main").inner_text()
    page.locator("input[name^='qty-']").nth(1).fill("20")
    page.screenshot(path=str(results_dir / "network-hub-360.png"), full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    page.locator("form button[type=submit]").last.click()
    page.wait_for_url("**/jaringan/pembelian/**")
    facts = page.locator(".facts").inner_text()
    assert "Rp 300.000" in facts
    assert errors == []
