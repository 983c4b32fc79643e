"""On a 360 px phone: a teller opens a member's passbook and starts the member's exit; the pages fit
the screen (wide tables scroll inside their box, not the page)."""

from __future__ import annotations

from datetime import date

import pytest

import tests.e2e.conftest as e2e
from coopsaas.extensions import db
from coopsaas.savings import services as savings
from tests.helpers import PASSWORD
from tests.member_exit.conftest import exit_coop

pytestmark = pytest.mark.browser

browser_type_launch_args = e2e.browser_type_launch_args
browser_context_args = e2e.browser_context_args
live_app = e2e.live_app
live_server = e2e.live_server
results_dir = e2e.results_dir

FITS = "document.documentElement.scrollWidth <= document.documentElement.clientWidth"


@pytest.fixture(scope="module")
def teller(live_app):
    with live_app.app_context():
        coop = exit_coop("ksp-hp")
        admission = coop.register(joined_on=date(2026, 11, 12))
        account = coop.account(admission, "sukarela")
        for amount in ("1250000", "75000"):
            savings.deposit(
                tenant=coop.tenant, actor=coop.teller, account=account, amount=amount, on=date(2026, 11, 13)
            )
        db.session.commit()
        return coop.teller.username, admission.member.id, account.id


def test_passbook_and_exit_pages_fit_a_phone(page, live_server, teller, results_dir):
    username, member_id, account_id = teller
    page.goto(live_server + "/login")
    page.locator("#username").fill(username)
    page.locator("#password").fill(PASSWORD)
    page.locator("form button[type=submit]").click()

    page.goto(f"{live_server}/t/ksp-hp/savings/accounts/{account_id}/passbook")
    assert "Rp 1.325.000" in page.locator("main").inner_text()
    assert page.evaluate(FITS)
    page.screenshot(path=str(results_dir / "passbook-360.png"), full_page=True)

    page.goto(f"{live_server}/t/ksp-hp/members/{member_id}/exit")
    assert page.evaluate(FITS)
    page.locator("#reason").fill("Pindah domisili")
    page.locator("section.narrow form button.wide").click()
    page.wait_for_url("**/members/exits/**")
    assert "KA-000001" in page.locator("h1").inner_text()
    assert page.evaluate(FITS)
    page.screenshot(path=str(results_dir / "exit-360.png"), full_page=True)
