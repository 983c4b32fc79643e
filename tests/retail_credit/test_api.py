"""The receivables API: credit sales and collection, invoices, ageing; clear 4xx answers that change
nothing; another cooperative's member, invoice or customer is 404."""

from __future__ import annotations

import pytest
from flask_babel import force_locale
from sqlalchemy import func, select

from coopsaas.auth.services import create_token
from coopsaas.core.clock import frozen
from coopsaas.core.db import clear_tenant
from coopsaas.extensions import db
from coopsaas.retail import invoices
from coopsaas.retail.credit_models import Invoice
from coopsaas.retail.invoices import InvoiceLineData
from tests.api.conftest import FreshContextClient
from tests.retail_credit.conftest import NOW, SLUG, rp, scope, start_coop

BASE = f"/api/v1/t/{SLUG}/retail"


def client_for(app, user, tenant):
    _token, raw = create_token(user=user, tenant=tenant, name="Kasir 1")
    db.session.commit()
    client = FreshContextClient(app, app.response_class, use_cookies=False)
    client.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {raw}"
    return client


@pytest.fixture
def api(app, stocked):
    return client_for(app, stocked.shopkeeper, stocked.tenant)


@pytest.fixture
def ids(stocked):
    return {"siti": str(stocked.siti.id), "siti_no": stocked.siti.member_no}


def count(coop, model):
    scope(coop)
    n = db.session.scalar(select(func.count()).select_from(model))
    db.session.rollback()
    return n


def test_a_credit_sale_then_a_counter_payment_through_the_api(api, stocked, ids):
    sale = api.post(
        f"{BASE}/sales",
        json={"lines": [{"sku": "BRS", "qty": "10"}], "member_id": ids["siti"], "tender": "credit"},
        headers={"Idempotency-Key": "sale-1"},
    )
    assert sale.status_code == 201, sale.get_json()
    assert (sale.get_json()["tender"], sale.get_json()["total"]) == ("credit", "120000.00")
    status = api.get(f"{BASE}/members/{ids['siti']}/credit").get_json()
    assert (status["limit"], status["outstanding"], status["available"]) == (
        "250000.00",
        "120000.00",
        "130000.00",
    )
    over = api.post(f"{BASE}/members/{ids['siti']}/credit/payments", json={"amount": "120000.01"})
    assert over.status_code == 422
    assert over.get_json()["message"] == "Rp 120.000,01 is more than the shop credit owed, Rp 120.000,00."
    paid = api.post(
        f"{BASE}/members/{ids['siti']}/credit/payments",
        json={"amount": "20000.00", "method": "transfer"},
        headers={"Idempotency-Key": "pay-1"},
    )
    assert paid.status_code == 201
    assert paid.get_json()["balance_after"] == "100000.00"
    history = api.get(f"{BASE}/members/{ids['siti']}/credit/transactions").get_json()
    assert [t["kind"] for t in history["items"]] == ["payment", "sale"]
    scope(stocked)
    assert stocked.balance("1301") == rp(100000)


def test_credit_beyond_the_limit_is_a_409_and_a_walk_in_a_422(api, stocked, ids):
    over = api.post(
        f"{BASE}/sales",
        json={"lines": [{"sku": "BRS", "qty": "21"}], "member_id": ids["siti"], "tender": "credit"},
    )
    assert over.status_code == 409
    assert over.get_json()["error"] == "credit_limit"
    walk_in = api.post(f"{BASE}/sales", json={"lines": [{"sku": "SBN", "qty": "1"}], "tender": "credit"})
    assert walk_in.status_code == 422
    assert walk_in.get_json()["error"] == "credit_walk_in"
    scope(stocked)
    assert stocked.balance("1301") == rp(0)


def test_a_shopkeeper_may_not_take_savings_but_a_manager_may(app, api, stocked, ids):
    api.post(
        f"{BASE}/sales",
        json={"lines": [{"sku": "BRS", "qty": "10"}], "member_id": ids["siti"], "tender": "credit"},
    )
    url = f"{BASE}/members/{ids['siti']}/credit/savings-deductions"
    assert api.post(url, json={"amount": "1000.00"}).status_code == 403
    manager = client_for(app, stocked.manager, stocked.tenant)
    too_much = manager.post(url, json={"amount": "300000.01"})
    assert too_much.status_code == 422  # more than owed
    done = manager.post(url, json={"amount": "120000.00"})
    assert done.status_code == 201, done.get_json()
    scope(stocked)
    assert stocked.balance("2101") == rp(180000)
    assert stocked.balance("1301") == rp(0)


def test_invoices_customers_payments_void_and_ageing_through_the_api(api, stocked):
    customer = api.post(f"{BASE}/customers", json={"name": "CV Maju", "npwp": "01.234.567.8-901.000"})
    assert customer.status_code == 201
    cid = customer.get_json()["id"]
    inv = api.post(
        f"{BASE}/invoices",
        json={
            "customer_id": cid,
            "terms_days": 7,
            "lines": [{"sku": "SBN", "qty": "10", "unit_price": "2800.00"}],
        },
        headers={"Idempotency-Key": "inv-1"},
    )
    assert inv.status_code == 201, inv.get_json()
    body = inv.get_json()
    assert (body["number"], body["total"], body["status"], body["due_on"]) == (
        "FK-2026-000001",
        "28000.00",
        "open",
        "2026-11-26",
    )
    pay = api.post(f"{BASE}/invoices/{body['id']}/payments", json={"amount": "28000.01"})
    assert pay.status_code == 422
    assert api.post(f"{BASE}/invoices/{body['id']}/payments", json={"amount": "8000.00"}).status_code == 201
    assert api.get(f"{BASE}/invoices/{body['id']}").get_json()["status"] == "partial"
    refused = api.post(f"{BASE}/invoices/{body['id']}/void", json={"reason": "Batal"})
    assert refused.status_code == 409
    ageing = api.get(f"{BASE}/receivables-ageing").get_json()
    assert (ageing["total"], ageing["control"], ageing["difference"]) == ("20000.00", "20000.00", "0.00")
    assert ageing["rows"][0]["name"] == "CV Maju"
    listed = api.get(f"{BASE}/invoices?status=partial").get_json()
    assert [i["number"] for i in listed["items"]] == ["FK-2026-000001"]


def test_bad_invoice_input_is_refused_and_writes_nothing(api, stocked, ids):
    no_buyer = api.post(f"{BASE}/invoices", json={"lines": [{"sku": "SBN", "qty": "1"}]})
    assert no_buyer.status_code == 422
    float_price = api.post(
        f"{BASE}/invoices",
        json={"member_id": ids["siti"], "lines": [{"sku": "SBN", "qty": "1", "unit_price": 10}]},
    )
    assert float_price.status_code == 422
    assert count(stocked, Invoice) == 0


def test_payroll_list_through_the_api(api, stocked, ids):
    api.post(
        f"{BASE}/sales",
        json={"lines": [{"sku": "SBN", "qty": "4"}], "member_id": ids["siti"], "tender": "credit"},
    )
    groups = api.get(f"{BASE}/credit/payroll?month=2026-11").get_json()
    assert groups == [
        {
            "employer": "RS Islam Sukamakmur",
            "total": "10000.00",
            "rows": [
                {
                    "member_id": ids["siti"],
                    "member_no": ids["siti_no"],
                    "name": "Siti Aminah",
                    "employer": "RS Islam Sukamakmur",
                    "occupation": "",
                    "credit": "10000.00",
                    "invoices": "0.00",
                    "total": "10000.00",
                }
            ],
        }
    ]
    assert api.get(f"{BASE}/credit/payroll?month=11-2026").status_code == 422


def test_another_cooperatives_objects_are_404(app, api, stocked):
    manager = stocked.manager.username
    db.session.commit()
    clear_tenant(db.session)
    with frozen(NOW), force_locale("en"):
        other = start_coop("kop-lain")
        member = other.member(1, name="Budi Santoso", wajib="100000")
        item = other.item("X", "Barang", "1000", "1000")
        other.stock_in(item, "5", "500")
        customer = invoices.create_customer(tenant=other.tenant, actor=other.manager, name="CV Lain")
        inv = invoices.issue_invoice(
            tenant=other.tenant,
            actor=other.manager,
            lines=[InvoiceLineData(item, "1")],
            submit_key="x",
            customer=customer,
        )
        ids = {"member": str(member.id), "invoice": str(inv.id), "customer": str(customer.id)}
        db.session.commit()
    assert api.get(f"{BASE}/members/{ids['member']}/credit").status_code == 404
    assert (
        api.post(f"{BASE}/members/{ids['member']}/credit/payments", json={"amount": "1.00"}).status_code
        == 404
    )
    assert api.get(f"{BASE}/invoices/{ids['invoice']}").status_code == 404
    assert api.post(f"{BASE}/invoices/{ids['invoice']}/payments", json={"amount": "1.00"}).status_code == 404
    assert api.post(f"{BASE}/invoices/{ids['invoice']}/void", json={"reason": "x"}).status_code == 404
    taken = api.post(
        f"{BASE}/invoices", json={"customer_id": ids["customer"], "lines": [{"sku": "SBN", "qty": "1"}]}
    )
    assert taken.status_code == 422
    web = app.test_client()
    from tests.helpers import login

    login(web, manager)
    for path in (
        f"/t/{SLUG}/toko/credit/{ids['member']}",
        f"/t/{SLUG}/toko/faktur/{ids['invoice']}",
        f"/t/{SLUG}/toko/faktur/{ids['invoice']}/faktur.pdf",
    ):
        assert web.get(path).status_code == 404, path
