"""On a 360px phone in a pesantren cooperative's sharia unit: a teller records a murabahah
instalment, sees the margin and ta'widh wording, and gets the receipt link."""

from __future__ import annotations

import pytest

import tests.e2e.conftest as e2e
from coopsaas.core.db import clear_tenant
from coopsaas.extensions import db
from coopsaas.ledger.services import today_for
from tests.helpers import PASSWORD
from tests.loans_sharia.builders import finance, start_sharia_coop

pytestmark = pytest.mark.browser

browser_type_launch_args = e2e.browser_type_launch_args
browser_context_args = e2e.browser_context_args
live_app = e2e.live_app
live_server = e2e.live_server
results_dir = e2e.results_dir

SLUG = "kopontren-hp-murabahah"


@pytest.fixture(scope="module")
def financing_on_line(live_app):
    """Siti's murabahah of the worked example (cost Rp 7.400.000, 15 %, 12 months), paid out today."""
    with live_app.app_context():
        coop = start_sharia_coop(SLUG)
        today = today_for(coop.tenant)  # the live server runs on the real clock
        loan = finance(coop, coop.register(joined_on=today).member)
        names = {"teller": coop.teller.username, "loan": str(loan.id)}
        db.session.commit()
        clear_tenant(db.session)
        return names


def fits_the_phone(page):
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_a_teller_records_a_murabahah_instalment_on_a_phone(
    page, live_server, financing_on_line, results_dir
):
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.goto(live_server + "/login")
    page.locator("#username").fill(financing_on_line["teller"])
    page.locator("#password").fill(PASSWORD)
    page.locator("form button[type=submit]").click()
    page.goto(f"{live_server}/lang/id")
    page.goto(f"{live_server}/t/{SLUG}/loans/{financing_on_line['loan']}/repay")
    body = page.locator("main").inner_text()
    assert "Ta'widh/denda (dana kebajikan) dibayar lebih dulu, lalu margin, lalu pokok" in body
    assert "Lunasi pembiayaan lebih awal (pelunasan)" in body
    assert page.locator("#amount").input_value() == "709.167"
    assert fits_the_phone(page)
    page.locator("form button[type=submit].button").last.click()
    page.wait_for_selector("a[href*='/receipts/']")
    body = page.locator("main").inner_text()
    # 709.167 = 616.667 of cost + 92.500 of margin: the remaining cost is 6.783.333
    assert "Rp 6.783.333" in body and "Margin Rp 92.500" in body
    assert fits_the_phone(page)
    page.screenshot(path=str(results_dir / "loans-murabahah-repay-360.png"), full_page=True)
    assert errors == []
