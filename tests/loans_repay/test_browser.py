"""On a 360px phone: a teller records an instalment and gets the receipt link; the arrears list and
the portfolio report fit the screen."""

from __future__ import annotations

import pytest

import tests.e2e.conftest as e2e
from coopsaas.core.db import clear_tenant
from coopsaas.extensions import db
from coopsaas.ledger.services import today_for
from tests.helpers import PASSWORD
from tests.loans_repay.builders import make_loan, start_repay_coop

pytestmark = pytest.mark.browser

browser_type_launch_args = e2e.browser_type_launch_args
browser_context_args = e2e.browser_context_args
live_app = e2e.live_app
live_server = e2e.live_server
results_dir = e2e.results_dir


@pytest.fixture(scope="module")
def coop_on_line(live_app):
    """A cooperative whose member Siti has a loan of Rp 11.000.000 over 12 months, paid out today."""
    with live_app.app_context():
        coop = start_repay_coop("ksp-hp-angsur")
        today = today_for(coop.tenant)  # the live server runs on the real clock
        loan = make_loan(coop, coop.register(joined_on=today).member)
        names = {"teller": coop.teller.username, "loan": str(loan.id)}
        db.session.commit()
        clear_tenant(db.session)
        return names


def log_in(page, live_server, username):
    page.goto(live_server + "/login")
    page.locator("#username").fill(username)
    page.locator("#password").fill(PASSWORD)
    page.locator("form button[type=submit]").click()


def fits_the_phone(page):
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_a_teller_records_an_instalment_on_a_phone(page, live_server, coop_on_line, results_dir):
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    log_in(page, live_server, coop_on_line["teller"])
    page.goto(f"{live_server}/t/ksp-hp-angsur/loans/{coop_on_line['loan']}/repay")
    assert page.locator("#amount").input_value() == "1.081.667"
    assert fits_the_phone(page)
    page.locator("form button[type=submit].button").last.click()
    page.wait_for_selector("a[href*='/receipts/']")
    body = page.locator("main").inner_text()
    assert "Rp 10.083.333" in body
    assert fits_the_phone(page)
    page.screenshot(path=str(results_dir / "loans-repay-360.png"), full_page=True)
    for path in ("reports/arrears", "reports/portfolio"):
        page.goto(f"{live_server}/t/ksp-hp-angsur/loans/{path}")
        assert fits_the_phone(page), path
    assert errors == []
