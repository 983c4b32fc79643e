"""A teller opens and closes the cash day in a real browser on a phone-sized screen."""

from __future__ import annotations

import pytest

import tests.e2e.conftest as e2e
from coopsaas.extensions import db
from coopsaas.ledger.models import Account
from tests.helpers import PASSWORD
from tests.savings_services.builders import start_coop
from tests.teller.conftest import SUSPENSE

pytestmark = pytest.mark.browser

browser_type_launch_args = e2e.browser_type_launch_args
browser_context_args = e2e.browser_context_args
live_app = e2e.live_app
live_server = e2e.live_server
results_dir = e2e.results_dir


@pytest.fixture(scope="module")
def cashier(live_app):
    with live_app.app_context():
        coop = start_coop("ksp-kas")
        code, name, type_, side, tags = SUSPENSE
        db.session.add(
            Account(
                code=code, name=name, type=type_, normal_side=side, is_contra=False, tags=tags, weights={}
            )
        )
        coop.teller.locale = None  # the default language, Bahasa Indonesia
        db.session.commit()
        return coop.teller.username


def test_teller_opens_counts_and_closes_the_day_on_a_phone(page, live_server, cashier, results_dir):
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.goto(live_server + "/login")
    page.locator("#username").fill(cashier)
    page.locator("#password").fill(PASSWORD)
    page.locator("form button[type=submit]").click()
    page.goto(live_server + "/t/ksp-kas/till/")

    page.locator("#opening_float").fill("1.000.000")
    page.locator("form[action$='/till/open'] button[type=submit]").click()
    page.wait_for_selector("#d100000")
    assert "Rp 1.000.000,00" in page.locator("table.table tfoot").inner_text()
    page.locator("#d100000").fill("9")
    page.locator("#d50000").fill("2")
    page.screenshot(path=str(results_dir / "till-close-360.png"), full_page=True)
    page.locator("form[action$='/till/close'] button[type=submit]").click()
    page.wait_for_url("**/till/days/**")
    facts = page.locator(".facts").first.inner_text()
    assert "Rp 1.000.000,00" in facts and "Rp 0,00" in facts
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 360
    assert errors == []
