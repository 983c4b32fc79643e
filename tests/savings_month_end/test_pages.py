"""Time deposit pages: a teller places a deposit through the form, a manager breaks it."""

from __future__ import annotations

import re
from datetime import date

from sqlalchemy import select

from coopsaas.core.db import set_tenant
from coopsaas.extensions import db
from coopsaas.savings.models_berjangka import BerjangkaPlacement
from tests.helpers import login
from tests.savings_month_end.helpers import balance, member_with, move


def csrf_of(html: str) -> str:
    return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html).group(1)


def client_for(app, user):
    user.locale = "en"
    db.session.commit()
    client = app.test_client()
    assert login(client, user.username).status_code == 302
    return client


def test_teller_places_and_manager_breaks_a_deposit_through_the_pages(app, coop):
    member, sirela = member_with(coop, 1, "A-LOW", joined=date(2026, 1, 5))
    move(coop, sirela, date(2026, 1, 6), 20000000)
    tenant_id, member_no = coop.tenant.id, member.member_no
    teller = client_for(app, coop.teller)
    page = teller.get("/t/ksp-uji/savings/berjangka/new")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    key = re.search(r'name="submit_key"[^>]*value="([^"]+)"', html).group(1)
    form = {
        "csrf_token": csrf_of(html),
        "submit_key": key,
        "member_no": member_no,
        "product": "BJ-M",
        "amount": "15.000.000",
        "term_months": "3",
        "source": "sukarela",
        "payout": "sukarela",
        "placed_on": "2026-10-01",
    }
    assert teller.post("/t/ksp-uji/savings/berjangka/new", data=form).status_code == 302
    assert teller.post("/t/ksp-uji/savings/berjangka/new", data=form).status_code == 302  # a double submit
    set_tenant(db.session, tenant_id)
    placement = db.session.scalars(select(BerjangkaPlacement)).one()
    placement_id = placement.id
    assert placement.maturity_on == date(2027, 1, 1)
    assert balance(sirela) == 5000000
    listing = teller.get("/t/ksp-uji/savings/berjangka/").get_data(as_text=True)
    assert "BJ-M-000001" in listing and "Rp 15.000.000" in listing
    set_tenant(db.session, tenant_id)
    bad = dict(form, submit_key="other", amount="15.000.000,123")
    assert teller.post("/t/ksp-uji/savings/berjangka/new", data=bad).status_code == 422

    assert (
        teller.post(
            f"/t/ksp-uji/savings/berjangka/{placement_id}/break", data={"csrf_token": csrf_of(listing)}
        ).status_code
        == 403
    )
    manager = client_for(app, coop.manager)
    set_tenant(db.session, tenant_id)
    listing = manager.get("/t/ksp-uji/savings/berjangka/").get_data(as_text=True)
    resp = manager.post(
        f"/t/ksp-uji/savings/berjangka/{placement_id}/break",
        data={"csrf_token": csrf_of(listing), "broken_on": "2026-11-10"},
    )
    assert resp.status_code == 302
    set_tenant(db.session, tenant_id)
    placement = db.session.scalars(select(BerjangkaPlacement)).one()
    assert placement.status == "broken"
    # 1 Oct - 1 Nov paid: 15.000.000 x 6 % x 31/365 = 76.438,36; the running month is forfeited.
    assert balance(sirela) == 20000000 + 76438
