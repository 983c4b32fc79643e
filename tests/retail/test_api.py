"""The shop API: money and quantities as strings, the sale's Idempotency-Key, clear 4xx answers."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from coopsaas.auth.services import create_token
from coopsaas.extensions import db
from coopsaas.retail.models import Item, Sale, StockMovement
from tests.api.conftest import FreshContextClient
from tests.retail.conftest import scope

BASE = "/api/v1/t/kop-toko/retail"


@pytest.fixture
def api(app, stocked):
    _token, raw = create_token(user=stocked.shopkeeper, tenant=stocked.tenant, name="Kasir 1")
    db.session.commit()
    client = FreshContextClient(app, app.response_class, use_cookies=False)
    client.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {raw}"
    return client


def count(shop, model):
    scope(shop)
    n = db.session.scalar(select(func.count()).select_from(model))
    db.session.rollback()
    return n


@pytest.mark.parametrize("price", [10, "0.001", "12,5"])
def test_item_prices_must_be_decimal_strings(api, price):
    resp = api.post(
        f"{BASE}/items", json={"sku": "X", "name": "Barang", "member_price": price, "public_price": "100.00"}
    )
    assert resp.status_code == 422
    assert "member_price" in resp.get_json()["fields"]


def test_a_zero_price_is_refused_with_a_message(api):
    resp = api.post(
        f"{BASE}/items", json={"sku": "X", "name": "Barang", "member_price": "0", "public_price": "100.00"}
    )
    assert resp.status_code == 422
    assert resp.get_json()["message"] == "The amount must be more than zero."


def test_purchase_receive_and_sell_through_the_api(api, stocked):
    supplier = api.post(f"{BASE}/suppliers", json={"name": "CV Berkah"}).get_json()
    order = api.post(
        f"{BASE}/purchase-orders",
        json={
            "supplier_id": supplier["id"],
            "lines": [{"sku": "GL", "qty": "12.5", "unit_cost": "14000.00"}],
        },
    )
    assert order.status_code == 201, order.get_json()
    body = order.get_json()
    assert (body["status"], body["total"]) == ("ordered", "175000.00")
    line_id = body["lines"][0]["id"]
    over = api.post(
        f"{BASE}/purchase-orders/{body['id']}/receipts", json={"lines": [{"line_id": line_id, "qty": "13"}]}
    )
    assert over.status_code == 422
    got = api.post(
        f"{BASE}/purchase-orders/{body['id']}/receipts", json={"lines": [{"line_id": line_id, "qty": "12.5"}]}
    )
    assert got.status_code == 201
    assert got.get_json()["total"] == "175000.00"

    sale = {
        "lines": [{"sku": "GL", "qty": "2.5"}, {"sku": "8991001", "qty": "1"}],
        "cash_tendered": "50000.00",
    }
    first = api.post(f"{BASE}/sales", json=sale, headers={"Idempotency-Key": "till-1-0001"})
    assert first.status_code == 201, first.get_json()
    out = first.get_json()
    assert (out["total"], out["change"]) == ("44000.00", "6000.00")  # 2,5 x 17.000 + 1.500
    again = api.post(f"{BASE}/sales", json=sale, headers={"Idempotency-Key": "till-1-0001"})
    assert again.status_code == 201
    assert again.get_json()["id"] == out["id"]
    assert count(stocked, Sale) == 1

    value = api.get(f"{BASE}/stock-value").get_json()
    # gula 10 kg left at 14.000, sabun 9 at 1.000
    assert (value["total"], value["control_balance"], value["difference"]) == (
        "149000.00",
        "149000.00",
        "0.00",
    )


def test_selling_more_than_on_hand_is_a_409_and_writes_nothing(api, stocked):
    movements = count(stocked, StockMovement)
    resp = api.post(f"{BASE}/sales", json={"lines": [{"sku": "SBN", "qty": "10.001"}]})
    assert resp.status_code == 409
    body = resp.get_json()
    assert body["error"] == "insufficient_stock"
    assert body["message"] == "Not enough Sabun mandi in stock: 10 pcs on hand, 10,001 asked."
    assert count(stocked, StockMovement) == movements
    assert count(stocked, Sale) == 0


def test_an_unknown_item_is_a_422_not_a_500(api):
    resp = api.post(f"{BASE}/sales", json={"lines": [{"sku": "TIDAK-ADA", "qty": "1"}]})
    assert resp.status_code == 422
    assert resp.get_json()["fields"] == {"lines.1.item": ["Line 1: item not found."]}


def test_items_list_searches_and_shows_stock_as_strings(api):
    body = api.get(f"{BASE}/items?q=sabun").get_json()
    assert [(i["sku"], i["on_hand"], i["avg_cost"], i["stock_value"]) for i in body["items"]] == [
        ("SBN", "10.000", "1000.0000", "10000.00")
    ]


def test_a_teller_without_shop_rights_is_refused(app, stocked):
    from tests.helpers import make_user

    scope(stocked)
    teller = make_user("kasir-simpan", tenant=stocked.tenant, role="teller")
    _token, raw = create_token(user=teller, tenant=stocked.tenant, name="t")
    db.session.commit()
    client = FreshContextClient(app, app.response_class, use_cookies=False)
    resp = client.get(f"{BASE}/items", headers={"Authorization": f"Bearer {raw}"})
    assert resp.status_code == 403
    assert count(stocked, Item) == 2


def test_return_void_and_supplier_payment_through_the_api(api, stocked):
    sale = api.post(f"{BASE}/sales", json={"lines": [{"sku": "SBN", "qty": "4"}]}).get_json()
    line_id = sale["lines"][0]["id"]
    ret = api.post(
        f"{BASE}/sales/{sale['id']}/returns",
        json={"reason": "Rusak", "lines": [{"line_id": line_id, "qty": "1"}]},
    )
    assert ret.status_code == 201, ret.get_json()
    assert ret.get_json()["total"] == "1500.00"
    refused = api.post(f"{BASE}/sales/{sale['id']}/void", json={"reason": "Batal"})
    assert refused.status_code == 409
    other = api.post(f"{BASE}/sales", json={"lines": [{"sku": "SBN", "qty": "1"}]}).get_json()
    voided = api.post(f"{BASE}/sales/{other['id']}/void", json={"reason": "Salah ketik"})
    assert (voided.status_code, voided.get_json()["status"]) == (200, "voided")

    supplier = api.post(f"{BASE}/suppliers", json={"name": "CV Tani"}).get_json()
    inv = api.post(
        f"{BASE}/supplier-invoices",
        json={"supplier_id": supplier["id"], "number": "T-9", "amount": "10000.00"},
    ).get_json()
    too_much = api.post(f"{BASE}/supplier-invoices/{inv['id']}/payments", json={"amount": "10000.01"})
    assert too_much.status_code == 422
    assert too_much.get_json()["error"] == "overpayment"
    paid = api.post(
        f"{BASE}/supplier-invoices/{inv['id']}/payments", json={"amount": "2500.00", "method": "transfer"}
    )
    assert paid.status_code == 201
    listed = api.get(f"{BASE}/supplier-invoices").get_json()["items"]
    assert [(i["number"], i["status"], i["balance"]) for i in listed] == [
        ("T-9", "partially_paid", "7500.00")
    ]


def test_low_stock_and_gross_margin(api, stocked):
    from coopsaas.ledger.services import today_for

    api.post(f"{BASE}/sales", json={"lines": [{"sku": "SBN", "qty": "4"}]})
    low = api.get(f"{BASE}/low-stock").get_json()
    assert [i["sku"] for i in low["items"]] == ["GL"]  # never stocked: 0 at reorder point 0
    scope(stocked)
    today = today_for(stocked.tenant).isoformat()
    db.session.rollback()
    rows = api.get(f"{BASE}/gross-margin?start={today}&end={today}").get_json()
    assert [(r["sku"], r["qty"], r["revenue"], r["cost"], r["margin"]) for r in rows] == [
        ("SBN", "4.000", "6000.00", "4000.00", "2000.00")
    ]
    assert api.get(f"{BASE}/gross-margin?start={today}&end=2000-01-01").status_code == 422
    categories = api.get(f"{BASE}/gross-margin/categories?start={today}&end={today}").get_json()
    assert [(c["items"], c["revenue"], c["cost"], c["margin"], c["margin_pct"]) for c in categories] == [
        (1, "6000.00", "4000.00", "2000.00", "33.3")
    ]
    assert api.get(f"{BASE}/gross-margin/categories?start={today}&end=2000-01-01").status_code == 422
