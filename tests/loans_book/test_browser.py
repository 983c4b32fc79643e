"""On a 360px phone: a teller previews a loan schedule and saves the application; a member sees
their loan and the next instalment due."""

from __future__ import annotations

import pytest

import tests.e2e.conftest as e2e
from coopsaas.core.db import clear_tenant
from coopsaas.extensions import db
from coopsaas.ledger.services import today_for
from coopsaas.loans import applications as apps
from coopsaas.loans import disbursement, products
from coopsaas.members import services as members
from tests.helpers import PASSWORD, make_user
from tests.loans_book.builders import NIK_BUDI, rp, start_loan_coop

pytestmark = pytest.mark.browser

browser_type_launch_args = e2e.browser_type_launch_args
browser_context_args = e2e.browser_context_args
live_app = e2e.live_app
live_server = e2e.live_server
results_dir = e2e.results_dir


@pytest.fixture(scope="module")
def coop_on_line(live_app):
    """A cooperative whose member Siti has a login and a loan of Rp 11.000.000 over 12 months."""
    with live_app.app_context():
        coop = start_loan_coop("ksp-hp")
        today = today_for(coop.tenant)  # the live server runs on the real clock
        siti = coop.register(joined_on=today).member
        coop.register(nik=NIK_BUDI, name="Budi Santoso", joined_on=today)
        user = make_user("anggota-hp", tenant=coop.tenant, role="member")
        members.link_user(tenant=coop.tenant, actor=coop.manager, member=siti, user=user)
        product = products.ensure_products(coop.tenant)["PINJ-UMUM"]
        application = apps.submit_application(
            tenant=coop.tenant,
            actor=coop.teller,
            member=siti,
            product=product,
            amount=rp(11000000),
            term_months=12,
            purpose="Modal warung",
        )
        apps.approve_application(tenant=coop.tenant, actor=coop.manager, application=application)
        loan = disbursement.disburse(tenant=coop.tenant, actor=coop.teller, application=application)
        assert loan.loan_no == "PJ-000001"
        names = {"teller": coop.teller.username, "member": "anggota-hp", "product": str(product.id)}
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


def test_a_teller_previews_the_schedule_then_saves_the_application(
    page, live_server, coop_on_line, results_dir
):
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    log_in(page, live_server, coop_on_line["teller"])
    page.goto(live_server + "/t/ksp-hp/loans/applications/new")
    page.locator("#member_no").fill("A-000002")
    page.locator("#product_id").select_option(coop_on_line["product"])
    page.locator("#amount").fill("5.000.000")
    page.locator("#term_months").fill("10")
    page.locator("#purpose").fill("Renovasi kios")
    page.locator("button[value=preview]").click()
    table = page.locator("table.table").inner_text()
    assert "Rp 575.000" in table  # 500.000 pokok + 75.000 bunga flat (18 % p.a.)
    assert fits_the_phone(page)
    page.screenshot(path=str(results_dir / "loan-preview-360.png"), full_page=True)
    page.locator("button[value=save]").click()
    page.wait_for_url("**/loans/applications/*")
    assert "PM-000002" in page.locator("h1").inner_text()
    assert fits_the_phone(page)
    page.screenshot(path=str(results_dir / "loan-application-360.png"), full_page=True)
    assert errors == []


def test_a_member_sees_the_loan_and_the_next_instalment_on_the_phone(
    page, live_server, coop_on_line, results_dir
):
    log_in(page, live_server, coop_on_line["member"])
    page.goto(live_server + "/t/ksp-hp/me")
    card = page.locator("section.card", has_text="PJ-000001").inner_text()
    assert "Rp 11.000.000" in card and "Rp 1.081.667" in card
    page.locator("a", has_text="PJ-000001").click()
    page.wait_for_url("**/me/loans/*")
    assert "Rp 1.081.663" in page.locator("table.table").inner_text()
    assert fits_the_phone(page)
    page.screenshot(path=str(results_dir / "my-loan-360.png"), full_page=True)
